// Where a node process spent its CPU: the .cpuprofile files `node --cpu-prof` writes (one per
// thread) summed by self time per component — a package under node_modules, a folder of fabu's
// own code, node's internals, the garbage collector — within a window of the process's life.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

interface CpuProfileFile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuShare {
  component: string;
  ms: number;
  /** Of the busy (not idle) time of all threads in the window. */
  percent: number;
}

export interface CpuProfile {
  windowMs: number;
  /** Busy time per thread (0 = the main thread: HTTP, activities, the worker's bridge). */
  threads: Array<{ thread: number; busyMs: number; busyPercent: number }>;
  shares: CpuShare[];
}

/** The component a frame belongs to, from its script URL. */
function componentOf(frame: { functionName: string; url: string }): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(idle)') return 'idle';
    return functionName === '(program)' ? 'native (program)' : `native ${functionName}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(src\/[^/]+|activities|workflows|workflow-bundle\.js)/.exec(url);
  if (own) return `fabu ${own[1]}`;
  return url.replace(/^file:\/\//, '').slice(-60);
}

/**
 * Sums self time per component over every profile in `dir`, counting only samples between
 * `fromMs` and `toMs` after each profile's start (the process's start, near enough). Worker
 * threads (the workflow sandboxes) are named apart: "thread 1: native runInContext".
 */
export async function cpuProfile(dir: string, window: { fromMs: number; toMs: number }): Promise<CpuProfile> {
  const totals = new Map<string, number>();
  const threads: CpuProfile['threads'] = [];
  const windowMs = window.toMs - window.fromMs;
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfileFile;
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
    const thread = Number(file.split('.').at(-3));
    const prefix = thread ? `thread ${thread}: ` : '';
    const component = new Map(profile.nodes.map((n) => [n.id, componentOf(n.callFrame)]));
    let at = 0;
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      at += delta;
      const ms = at / 1000;
      if (ms < window.fromMs || ms > window.toMs) return;
      const name = component.get(id) ?? 'unknown';
      if (name === 'idle') return;
      busy += delta / 1000;
      totals.set(prefix + name, (totals.get(prefix + name) ?? 0) + delta / 1000);
    });
    threads.push({ thread, busyMs: busy, busyPercent: (100 * busy) / windowMs });
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const shares = [...totals.entries()]
    .map(([component, ms]) => ({ component, ms, percent: (100 * ms) / all }))
    .sort((a, b) => b.ms - a.ms);
  return { windowMs, threads: threads.sort((a, b) => a.thread - b.thread), shares };
}
