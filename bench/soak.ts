// The soak (issue #10): H3 chains driven through REST at a steady rate of approvals for N minutes,
// on a stack of its own: the embedded default (as `npm start` runs it), or with --cluster the
// self-hosted cluster (npm run cluster). Prints the achieved rate, decide latency per minute, the
// chains completed and every error; exits non-zero on any error.
//
//   npm run soak -- [--minutes 10] [--rate 10] [--cluster]
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startCluster } from '../scripts/cluster.mjs';
import { createLogger } from '../src/common/logger.js';
import { onShutdownSignal } from '../src/settings.js';
import { parseFlags } from './lib/flags.js';
import { describeMachine, fmt, machineFacts, num, percentiles, say, table, writeResults } from './lib/report.js';
import { type LoadResult, runLoad } from './lib/rest-driver.js';
import { ROOT, ensureBuilt, startEmbeddedDefault, tempDataDir } from './lib/stack.js';

interface Args {
  minutes: number;
  rate: number;
  cluster: boolean;
}

function parseArgs(argv: string[]): Args {
  const f = parseFlags(
    argv,
    { numbers: { minutes: 10, rate: 10 }, switches: ['cluster'] },
    '--minutes N, --rate R, --cluster',
  );
  return { minutes: f.minutes as number, rate: f.rate as number, cluster: f.cluster as boolean };
}

interface Stack {
  mode: string;
  apiUrls: string[];
  stop(): Promise<void>;
}

async function startStack(args: Args): Promise<Stack> {
  if (args.cluster) {
    ensureBuilt(say);
    const dataDir = await tempDataDir('fabu-soak-cluster-');
    const cluster = await startCluster({ dataDir, logLevel: 'warn', log: (line) => say(`  cluster: ${line}`) });
    say(`cluster up: ${cluster.apiUrls.length} APIs, Temporal at ${cluster.temporalAddress} (logs in ${dataDir}/logs)`);
    return {
      mode: 'cluster',
      apiUrls: cluster.apiUrls,
      stop: async () => {
        await cluster.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  ensureBuilt(say);
  const dataDir = await tempDataDir('fabu-soak-');
  const fabu = await startEmbeddedDefault({ dataDir: join(dataDir, 'data') });
  say(`embedded default healthy in ${(fabu.startMs / 1000).toFixed(1)} s at ${fabu.url} (log ${fabu.logFile})`);
  return {
    mode: 'embedded default',
    apiUrls: [fabu.url],
    stop: async () => {
      await fabu.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const machine = machineFacts(ROOT);
  const abort = new AbortController();
  const running: { stack?: Stack } = {};
  // Ctrl-C: stop pacing, then stop the stack.
  onShutdownSignal(logger, async () => {
    abort.abort();
    await running.stack?.stop();
  });
  const stack = (running.stack = await startStack(args));
  try {
    say(
      `fabu soak: H3 chains through REST at ${args.rate} approvals/s for ${args.minutes} min, ` +
        `${stack.mode} (${stack.apiUrls.join(', ')})\n${describeMachine(machine)}\n`,
    );
    const load = await runLoad({
      baseUrls: stack.apiUrls,
      ratePerSecond: args.rate,
      durationMs: args.minutes * 60_000,
      signal: abort.signal,
      onError: (e) => say(`  error at ${e.at}: ${e.message}`),
    });
    const printed = print(load, args);
    const file = await writeResults(
      ROOT,
      { kind: 'soak', at: new Date().toISOString(), mode: stack.mode, args, machine, ...printed },
      'soak',
    );
    say(`\nresults: ${file}`);
    return load.errors.length === 0 && !abort.signal.aborted ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

function print(load: LoadResult, args: Args) {
  const paced = args.minutes * 60_000;
  const minutes: Array<{
    minute: string;
    decisions: number;
    perSecond: number;
    p50: number;
    p95: number;
    p99: number;
  }> = [];
  const buckets = Math.ceil(load.elapsedMs / 60_000);
  for (let m = 0; m < buckets; m++) {
    const from = m * 60_000;
    const to = Math.min((m + 1) * 60_000, load.elapsedMs);
    const latencies = load.decideLatenciesMs.filter(
      (_, i) => load.decidedAtMs[i]! >= from && load.decidedAtMs[i]! < to,
    );
    const p = percentiles(latencies);
    minutes.push({
      // The last bucket past the paced time is the finish: the chains in flight decided to the end.
      minute: from >= paced ? `${m + 1} (finish)` : String(m + 1),
      decisions: latencies.length,
      perSecond: latencies.length / Math.max(0.001, (to - from) / 1000),
      p50: p.p50,
      p95: p.p95,
      p99: p.p99,
    });
  }
  say(
    table(
      ['minute', 'decisions', 'approvals/s', 'decide p50 ms', 'p95', 'p99'],
      minutes.map((m) => [m.minute, fmt(m.decisions), num(m.perSecond, 2), num(m.p50), num(m.p95), num(m.p99)]),
    ),
  );
  const all = percentiles(load.decideLatenciesMs);
  const fresh = percentiles(load.freshnessMs);
  // The rate held while paced; the finish (the chains in flight decided to their end) comes after.
  const inWindow = load.decidedAtMs.filter((at) => at <= paced).length;
  const achieved = inWindow / (Math.min(paced, load.elapsedMs) / 1000);
  const summary = {
    targetRate: args.rate,
    achievedRate: achieved,
    decisions: load.decisions,
    decisionsPaced: inWindow,
    elapsedMs: load.elapsedMs,
    chainsStarted: load.requestIds.length,
    chainsCompleted: load.chainsCompleted,
    retriedDecisions: load.retriedDecisions,
    errors: load.errors,
    decideMs: all,
    freshnessMs: fresh,
    minutes,
  };
  say('');
  say(
    table(
      ['figure', 'value'],
      [
        ['achieved approvals/s while paced (target)', `${num(achieved, 2)} (${args.rate})`],
        [
          'decisions (while paced + finishing the chains)',
          `${fmt(load.decisions)} (${fmt(inWindow)} + ${fmt(load.decisions - inWindow)})`,
        ],
        ['decide p50 / p95 / p99 ms', `${num(all.p50)} / ${num(all.p95)} / ${num(all.p99)}`],
        ["decided → next task in its holder's inbox p50 / p99 ms", `${num(fresh.p50)} / ${num(fresh.p99)}`],
        ['chains started / completed', `${load.requestIds.length} / ${load.chainsCompleted}`],
        ['decisions retried (5xx, connection)', fmt(load.retriedDecisions)],
        ['errors (must be 0)', fmt(load.errors.length)],
      ],
    ),
  );
  if (achieved < 0.95 * args.rate) {
    say(
      `\nthe rate was not held: ${num(achieved, 2)} of ${args.rate} approvals/s (the decisions answered slower than paced)`,
    );
  }
  return summary;
}

process.exitCode = await main();
