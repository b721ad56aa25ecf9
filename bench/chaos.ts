// The chaos run (issue #10): the cluster (npm run cluster) under a steady load of H3 chains through
// REST, with a Huainan policy release (U2) now and then so the release outbox is exercised too,
// while fabu's workers are killed with SIGKILL every 30 s (each restarts), one Temporal service is
// restarted once and PostgreSQL once. Then every chain is taken to its end and counted in
// PostgreSQL (tasks, decisions, audit rows and their hash chains, outbox deliveries) and in
// Temporal (accepted `decide` Updates, completions): it prints the counts and exits non-zero on any
// loss, duplicate or unfinished chain.
//
//   npm run chaos -- [--minutes 3] [--rate 5] [--kill-every 30] [--service history] [--release-every 10] [--keep]
import { rm } from 'node:fs/promises';
import { setTimeout as wait } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { type Cluster, type TemporalService, startCluster } from '../scripts/cluster.mjs';
import { createLogger } from '../src/common/logger.js';
import { onShutdownSignal } from '../src/settings.js';
import { H3_CHAIN } from '../test/support/h3.js';
import { type ChainCounts, type ExpectedChain, countChains } from './lib/chaos-count.js';
import { parseFlags } from './lib/flags.js';
import { describeMachine, fmt, machineFacts, num, percentiles, say, table, writeResults } from './lib/report.js';
import {
  FabuRest,
  H3_APPLICANT,
  H3_PROCESS,
  type LoadError,
  type LoadResult,
  attachMissing,
  decideTask,
  errorText,
  requestView,
  runLoad,
  startRequest,
} from './lib/rest-driver.js';
import { ROOT, tempDataDir } from './lib/stack.js';

const RELEASE_PROCESS = 'huainan-policy-release';
/** 崔丽 (淮南市教育局) applies, 杜悦 of the press office reviews; the release goes to huainan-gov-site. */
const RELEASE_APPLICANT = 'cuili';
const RELEASE_REVIEWER = 'duyue';
const STEPS: Record<string, readonly string[]> = {
  [H3_PROCESS]: H3_CHAIN.map(([step]) => step),
  [RELEASE_PROCESS]: ['review'],
};
const APPLICANT: Record<string, string> = { [H3_PROCESS]: H3_APPLICANT, [RELEASE_PROCESS]: RELEASE_APPLICANT };
const WORKERS = 2;

interface Args {
  minutes: number;
  rate: number;
  killEverySeconds: number;
  service: TemporalService;
  releaseEverySeconds: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const f = parseFlags(
    argv,
    {
      numbers: { minutes: 3, rate: 5, 'kill-every': 30, 'release-every': 10 },
      switches: ['keep'],
      choices: { service: { values: ['frontend', 'history', 'matching', 'worker'], default: 'history' } },
    },
    '--minutes N, --rate R, --kill-every S, --service NAME, --release-every S, --keep',
  );
  return {
    minutes: f.minutes as number,
    rate: f.rate as number,
    killEverySeconds: f['kill-every'] as number,
    service: f.service as TemporalService,
    releaseEverySeconds: f['release-every'] as number,
    keep: f.keep as boolean,
  };
}

// ---------------------------------------------------------------------------------------------
// The faults

interface Fault {
  /** Seconds after the load began. */
  atS: number;
  what: string;
  /** From the fault to the process (or service) being back (ms). */
  tookMs: number;
  error?: string;
}

/** Worker kills every `killEveryMs`; the Temporal service at 40 % of the run and PostgreSQL at 70 %. */
async function runFaults(
  cluster: Cluster,
  o: { durationMs: number; killEveryMs: number; service: TemporalService; signal: AbortSignal },
): Promise<Fault[]> {
  const plan: Array<{ atMs: number; what: string; run: () => Promise<void> }> = [];
  for (let at = o.killEveryMs, n = 0; at < o.durationMs; at += o.killEveryMs, n++) {
    const i = n % WORKERS;
    plan.push({ atMs: at, what: `kill -9 fabu worker #${i + 1}, restart it`, run: () => cluster.killWorker(i) });
  }
  plan.push({
    atMs: Math.round(o.durationMs * 0.4),
    what: `restart Temporal ${o.service}`,
    run: () => cluster.restartTemporalService(o.service),
  });
  plan.push({ atMs: Math.round(o.durationMs * 0.7), what: 'restart PostgreSQL', run: () => cluster.restartPostgres() });
  plan.sort((a, b) => a.atMs - b.atMs);

  const faults: Fault[] = [];
  const t0 = performance.now();
  for (const step of plan) {
    // The schedule is the point here: a fault at a set moment of the load, not when something answers.
    const left = step.atMs - (performance.now() - t0);
    if (left > 0) await wait(left, undefined, { signal: o.signal }).catch(() => undefined);
    if (o.signal.aborted) break;
    const began = performance.now();
    const fault: Fault = { atS: Math.round((began - t0) / 100) / 10, what: step.what, tookMs: 0 };
    try {
      await step.run();
    } catch (err) {
      fault.error = errorText(err);
    }
    fault.tookMs = performance.now() - began;
    say(
      `  ${fault.atS.toFixed(1).padStart(6)} s  ${step.what}: ${fault.error ?? `back in ${num(fault.tookMs / 1000)} s`}`,
    );
    faults.push(fault);
  }
  return faults;
}

// ---------------------------------------------------------------------------------------------
// Releases through the outbox, beside the H3 load

interface ReleaseLoad {
  requestIds: string[];
  decisions: number;
  errors: LoadError[];
}

/** One U2 policy release every `everyMs`: applied for, approved, then published through the outbox. */
async function runReleases(
  rest: FabuRest,
  o: { everyMs: number; durationMs: number; runId: string; signal: AbortSignal },
): Promise<ReleaseLoad> {
  const result: ReleaseLoad = { requestIds: [], decisions: 0, errors: [] };
  const chains: Array<Promise<void>> = [];
  const chain = async (n: number) => {
    try {
      const started = await startRequest(rest, {
        applicant: RELEASE_APPLICANT,
        processKey: RELEASE_PROCESS,
        title: `政策文件与解读同步发布 ${o.runId}-${n}`,
        variables: { document: `政策文件 ${n}`, interpretation: `政策解读 ${n}` },
        idempotencyKey: `chaos-${o.runId}-release-${n}`,
      });
      result.requestIds.push(started.id);
      for (const taskId of started.openTasks) {
        await decideTask(rest, { taskId, username: RELEASE_REVIEWER, idempotencyKey: `chaos-${o.runId}-${taskId}` });
        result.decisions++;
      }
    } catch (err) {
      const error = { at: new Date().toISOString(), message: `release ${n}: ${errorText(err)}` };
      result.errors.push(error);
      say(`  release error ${error.at}: ${error.message}`);
    }
  };
  const t0 = performance.now();
  for (let n = 1; performance.now() - t0 < o.durationMs && !o.signal.aborted; n++) {
    chains.push(chain(n));
    await wait(o.everyMs, undefined, { signal: o.signal }).catch(() => undefined);
  }
  await Promise.all(chains);
  return result;
}

// ---------------------------------------------------------------------------------------------
// After the load: every chain to its end

/**
 * Chains that did not finish under the load (a start whose answer was lost, a decision given up on)
 * are decided to the end here, each open task by its first candidate, with idempotency keys as the
 * load uses. Returns the decisions it made and the chains still not finished at the deadline.
 */
async function finishChains(
  rest: FabuRest,
  db: pg.Pool,
  ids: string[],
  deadlineMs: number,
): Promise<{ decisions: number; unfinished: string[] }> {
  const giveUpAt = performance.now() + deadlineMs;
  let decisions = 0;
  for (;;) {
    const { rows } = await db.query<{ id: string; process_key: string }>(
      "SELECT id, process_key FROM requests WHERE id = ANY($1) AND status <> 'completed' ORDER BY id",
      [ids],
    );
    if (rows.length === 0 || performance.now() > giveUpAt) return { decisions, unfinished: rows.map((r) => r.id) };
    let acted = false;
    for (const { id, process_key: processKey } of rows) {
      const view = await requestView(rest, APPLICANT[processKey] ?? H3_APPLICANT, id);
      for (const task of view.tasks.filter((t) => t.status === 'open')) {
        const username = task.candidates[0];
        if (!username) continue;
        try {
          await attachMissing(rest, username, task.id);
          await decideTask(rest, { taskId: task.id, username, idempotencyKey: `chaos-finish-${task.id}` });
          decisions++;
          acted = true;
          say(`  finished ${task.id} as ${username}`);
        } catch (err) {
          say(`  could not decide ${task.id} as ${username}: ${errorText(err)}`);
        }
      }
    }
    // A chain between two steps has no open task for a moment; nothing announces the next one.
    if (!acted) await wait(500);
  }
}

/** Bounded: the dispatcher delivers on NOTIFY or its poll, and nothing tells an outsider it is done. */
async function outboxSettled(db: pg.Pool, ids: string[], timeoutMs: number): Promise<number> {
  const giveUpAt = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await db.query<{ pending: number }>(
      `SELECT count(*)::int AS pending FROM outbox x JOIN releases r ON r.release_key = x.release_key AND r.position = x.position
        WHERE r.request_id = ANY($1) AND x.status = 'pending'`,
      [ids],
    );
    if (rows[0]!.pending === 0 || performance.now() > giveUpAt) return rows[0]!.pending;
    await wait(250);
  }
}

/** Workflows of the driven processes in Temporal's visibility, once it has caught up with the read model. */
async function temporalChains(temporal: Client, expected: number, timeoutMs: number): Promise<number> {
  const query = `FabuProcess = '${H3_PROCESS}' OR FabuProcess = '${RELEASE_PROCESS}'`;
  const giveUpAt = performance.now() + timeoutMs;
  for (;;) {
    const { count } = await temporal.workflow.count(query);
    if (count === expected || performance.now() > giveUpAt) return count;
    // Visibility is written after the fact (eventually consistent); asked again, bounded.
    await wait(500);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const machine = machineFacts(ROOT);
  const durationMs = args.minutes * 60_000;
  const runId = Math.random().toString(36).slice(2, 8);
  const abort = new AbortController();
  const dataDir = await tempDataDir('fabu-chaos-');
  let cluster: Cluster | undefined;
  const cleanUp = async () => {
    await cluster?.stop();
    if (!args.keep) await rm(dataDir, { recursive: true, force: true });
  };
  // Ctrl-C: stop everything the run started and leave nothing behind.
  onShutdownSignal(logger, async () => {
    abort.abort();
    await cleanUp();
  });

  say(`fabu chaos: ${args.minutes} min at ${args.rate} approvals/s on the cluster; ${describeMachine(machine)}`);
  say(`  data in ${dataDir}${args.keep ? ' (kept)' : ''}`);
  const clusterStarted = performance.now();
  try {
    cluster = await startCluster({ dataDir, workers: WORKERS, logLevel: 'warn', log: (line) => say(`  ${line}`) });
  } catch (err) {
    await cleanUp();
    throw err;
  }
  say(`  cluster up in ${num((performance.now() - clusterStarted) / 1000)} s:`);
  for (const p of cluster.describe()) say(`    ${p.what.padEnd(18)} ${String(p.pid).padStart(7)}  ${p.where}`);

  let exitCode: number;
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  const temporal = new Client({ connection, namespace: cluster.namespace });
  try {
    const rest = new FabuRest(cluster.apiUrls, { retryForMs: 180_000 });
    say('');
    say('faults (seconds after the load began):');
    const [load, releases, faults] = await Promise.all([
      runLoad({
        baseUrls: cluster.apiUrls,
        ratePerSecond: args.rate,
        durationMs,
        signal: abort.signal,
        finishTimeoutMs: 300_000,
        retryForMs: 180_000,
        runId,
        onError: (e) => say(`  load error ${e.at}: ${e.message}`),
      }),
      runReleases(rest, {
        everyMs: args.releaseEverySeconds * 1000,
        durationMs,
        runId,
        signal: abort.signal,
      }),
      runFaults(cluster, {
        durationMs,
        killEveryMs: args.killEverySeconds * 1000,
        service: args.service,
        signal: abort.signal,
      }),
    ]);

    // Opened after the faults: the pool never held a connection PostgreSQL's restart dropped.
    const db = new pg.Pool({ connectionString: cluster.ownerDatabaseUrl, max: 2 });
    try {
      // Every chain of the driven processes in the read model (this run's data folder is its own),
      // so a chain whose start was applied but never answered is counted and finished too.
      const { rows } = await db.query<{ id: string; process_key: string }>(
        'SELECT id, process_key FROM requests WHERE process_key = ANY($1) ORDER BY id',
        [Object.keys(STEPS)],
      );
      const processOf = new Map(rows.map((r) => [r.id, r.process_key]));
      for (const id of load.requestIds) if (!processOf.has(id)) processOf.set(id, H3_PROCESS);
      for (const id of releases.requestIds) if (!processOf.has(id)) processOf.set(id, RELEASE_PROCESS);
      const ids = [...processOf.keys()];
      const finisher = await finishChains(rest, db, ids, 300_000);
      const pending = await outboxSettled(db, ids, 120_000);
      const workflows = await temporalChains(temporal, ids.length, 60_000);
      const chains: ExpectedChain[] = ids.map((id) => {
        const processKey = processOf.get(id)!;
        return { id, processKey, steps: STEPS[processKey]!, releases: processKey === RELEASE_PROCESS ? 1 : 0 };
      });
      const counts = await countChains({
        chains,
        db,
        temporal,
        verify: async (id) => {
          const res = await rest.request('GET', `/api/requests/${id}/audit/verify`, { username: 'admin' });
          return res.body as { ok: boolean; length: number };
        },
      });
      const acked = load.decisions + releases.decisions + finisher.decisions;
      exitCode = report({
        args,
        load,
        releases,
        faults,
        counts,
        acked,
        finisher,
        pending,
        workflows,
        started: load.requestIds.length + releases.requestIds.length,
        readModelChains: rows.length,
      });
      const file = await writeResults(
        ROOT,
        {
          kind: 'chaos',
          at: new Date().toISOString(),
          machine,
          args,
          faults,
          load: {
            chainsStarted: load.requestIds.length,
            chainsCompleted: load.chainsCompleted,
            decisions: load.decisions,
            retriedDecisions: load.retriedDecisions,
            errors: load.errors,
            decideMs: percentiles(load.decideLatenciesMs),
            elapsedMs: load.elapsedMs,
          },
          releases,
          finisher,
          counts,
          exitCode,
        },
        'chaos',
      );
      say(`results: ${file}`);
    } finally {
      await db.end();
    }
  } finally {
    await connection.close();
    await cleanUp();
  }
  return exitCode;
}

function report(o: {
  args: Args;
  load: LoadResult;
  releases: ReleaseLoad;
  faults: Fault[];
  counts: ChainCounts;
  acked: number;
  finisher: { decisions: number; unfinished: string[] };
  pending: number;
  workflows: number;
  started: number;
  readModelChains: number;
}): number {
  const { load, counts } = o;
  const decide = percentiles(load.decideLatenciesMs);
  const rate = load.decisions / (load.elapsedMs / 1000);
  say('');
  say('load');
  say(
    table(
      ['', 'value'],
      [
        ['H3 chains started / completed by the load', `${fmt(load.requestIds.length)} / ${fmt(load.chainsCompleted)}`],
        ['U2 releases started (outbox)', fmt(o.releases.requestIds.length)],
        [
          'approvals acknowledged (load + releases + finisher)',
          `${fmt(o.acked)} (${fmt(load.decisions)} + ${fmt(o.releases.decisions)} + ${fmt(o.finisher.decisions)})`,
        ],
        ['approvals/s over the whole load (target)', `${num(rate, 2)} (${o.args.rate})`],
        [
          'decide p50 / p95 / p99 / max (ms)',
          `${num(decide.p50, 0)} / ${num(decide.p95, 0)} / ${num(decide.p99, 0)} / ${num(Math.max(...load.decideLatenciesMs), 0)}`,
        ],
        ['decisions that needed a retry', fmt(load.retriedDecisions)],
        ['client errors (load + releases)', fmt(load.errors.length + o.releases.errors.length)],
        ['faults injected', `${o.faults.length} (${o.faults.filter((f) => f.error).length} failed)`],
      ],
    ),
  );
  say('');
  say('counted after every chain finished');
  // A chain acknowledged to the client must be in both stores; one store holding more than the other is a duplicate or a stray.
  const chainsLost = Math.max(0, o.started - Math.min(o.readModelChains, o.workflows));
  const chainsExtra = Math.abs(o.readModelChains - o.workflows);
  const chainsRow = [
    'chains started (acked / read model / Temporal)',
    fmt(o.started),
    fmt(o.readModelChains),
    fmt(o.workflows),
    fmt(chainsLost),
    fmt(chainsExtra),
  ];
  say(
    table(
      ['', 'expected', 'Postgres', 'Temporal', 'lost', 'duplicated'],
      [
        chainsRow,
        ...counts.rows.map((r) => [
          r.what,
          fmt(r.expected),
          r.postgres === undefined ? '–' : fmt(r.postgres),
          r.temporal === undefined ? '–' : fmt(r.temporal),
          fmt(r.lost),
          fmt(r.duplicated),
        ]),
      ],
    ),
  );
  const lostAcked = Math.max(0, o.acked - counts.decided);
  say('');
  say(
    `acknowledged approvals ${fmt(o.acked)}, held by the read model ${fmt(counts.decided)}` +
      (counts.decided > o.acked ? ` (${counts.decided - o.acked} applied whose answer never reached the client)` : ''),
  );
  const failures: string[] = [];
  const lost = counts.rows.reduce((a, r) => a + r.lost, 0) + chainsLost + lostAcked;
  const duplicated = counts.rows.reduce((a, r) => a + r.duplicated, 0) + chainsExtra;
  if (lost) failures.push(`${lost} lost`);
  if (duplicated) failures.push(`${duplicated} duplicated`);
  if (o.finisher.unfinished.length)
    failures.push(`${o.finisher.unfinished.length} chains not finished: ${o.finisher.unfinished.join(', ')}`);
  if (o.pending) failures.push(`${o.pending} outbox deliveries still pending`);
  if (counts.problems.length) failures.push(`${counts.problems.length} problems:\n  ${counts.problems.join('\n  ')}`);
  say(
    failures.length
      ? `CHAOS FAILED: ${failures.join('; ')}`
      : 'CHAOS PASSED: nothing lost, nothing duplicated, every chain finished and verified.',
  );
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
