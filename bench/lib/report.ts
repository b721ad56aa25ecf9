// Figures and their printing, shared by the benchmarks and the soak: percentiles, aligned tables,
// the facts of the machine a result was measured on, and the JSON files in bench/results/.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { join } from 'node:path';

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentiles. */
export function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99) };
}

/** The first column left-aligned, the figures right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** A figure with a fixed number of decimals, or "–" when there is none. */
export function num(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  gitCommit: string;
  /** Uncommitted changes in the checkout when it ran. */
  gitDirty: boolean;
  /** 1-minute load average (other work on the machine disturbs the figures). */
  loadAverage: number;
}

export function machineFacts(root: string): MachineFacts {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    gitCommit: git('rev-parse', 'HEAD') || 'unknown',
    gitDirty: git('status', '--porcelain').length > 0,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

export function describeMachine(m: MachineFacts): string {
  return (
    `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, ` +
    `commit ${m.gitCommit.slice(0, 7)}${m.gitDirty ? ' (+ local changes)' : ''}, load average ${m.loadAverage}`
  );
}

/** Writes bench/results/<name>-<timestamp>.json and bench/results/<name>-latest.json (or <timestamp>.json and latest.json). */
export async function writeResults(root: string, result: unknown, name?: string): Promise<string> {
  const dir = join(root, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const prefix = name ? `${name}-` : '';
  const file = join(dir, `${prefix}${stamp}.json`);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(join(dir, `${prefix}latest.json`), text);
  return file;
}
