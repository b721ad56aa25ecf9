import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';

/** Test output shows the SDK's warnings and errors only. Call before the first worker or test env. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({
      logger: new DefaultLogger('WARN'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
    });
  } catch {
    // Already installed in this process by an earlier test file: it is quiet already.
  }
}
