// Running a suite in several host time zones (the pure UTC modules must not notice).
import { hostname } from 'node:os';

/*
 * Jest hands each test file a copy of process.env, and assigning TZ to the copy never reaches Node,
 * which re-reads the zone only when its own process.env.TZ is set. The Function constructor of a
 * core-module function belongs to Node's own realm and evaluates against its globals, so it yields
 * the real process. working-days.spec.ts's first case in each zone proves the switch took effect.
 */
export const hostEnv = ((hostname.constructor as FunctionConstructor)('return process')() as NodeJS.Process).env;

/** Each zone with its offset in January, as Date#getTimezoneOffset reports it. */
export const ZONES: [string, number][] = [
  ['UTC', 0],
  ['Asia/Shanghai', -480],
  ['America/Los_Angeles', 480],
];

export function restoreTz(env: NodeJS.ProcessEnv, tz: string | undefined): void {
  if (tz === undefined) delete env.TZ;
  else env.TZ = tz;
}

/** Inside a describe: its tests run with the host time zone set to `tz`, restored after them. */
export function inHostZone(tz: string): void {
  const saved = [hostEnv.TZ, process.env.TZ];
  beforeAll(() => {
    hostEnv.TZ = process.env.TZ = tz;
  });
  afterAll(() => {
    restoreTz(hostEnv, saved[0]);
    restoreTz(process.env, saved[1]);
  });
}
