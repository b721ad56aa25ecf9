// The benchmark (issue #10): fabu side by side with bare Temporal, in one run on one stack of its
// own — the embedded default as `npm start` runs it (Temporal dev server, embedded PostgreSQL, API
// and worker in one node process), started cold then warm on free ports. Loopback only, bounded in
// count and time; prints one table and writes bench/results/<timestamp>.json and latest.json.
//
//   npm run bench
//
// Phases, one after another on the same Temporal dev server:
//   1. `node dist/src/main.js` to healthy on a fresh data dir (cold), stopped, started again (warm);
//   2. one client, one step at a time (BENCH_SERIAL_CHAINS chains, default 5): what a decision
//      costs by itself — bare Update, fabu through REST, fabu's Update sent directly (no REST);
//   3. throughput, closed loop: BENCH_CONCURRENCY clients (default 8) each run chains step after
//      step, BENCH_CHAINS chains (default 30) or BENCH_SECONDS (default 60) per side — bare Temporal
//      (start, 6 Updates, complete) and fabu through REST (an H3 request started, its five
//      documents attached in one upload, 6 decisions by their holders); then fabu with U1 chains
//      (3 steps, no documents);
//   4. latency at the soak's load, open loop: BENCH_RATE approvals/s (default 10) for
//      BENCH_LATENCY_SECONDS (default 20) per side — bare Updates; fabu's REST decisions, each
//      step's holder first seeing the task in GET /api/tasks (read-model freshness); fabu's Update
//      sent directly;
//   5. history events per approval step: the histories of the finished chains (H3, U1 and N5).
// BENCH_CPU_PROFILE=1 runs the warm fabu process under `node --cpu-prof` and prints where its CPU
// went during fabu's closed loop and paced phases (the profiler costs a few per cent: compare
// figures without it);
// BENCH_CPU_PROFILE_DIR=<dir> keeps the profiles there.
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { createLogger } from '../src/common/logger.js';
import { onShutdownSignal } from '../src/settings.js';
import { decideUpdate } from '../workflows/definitions.js';
import { BARE_WORKER_READY, runBareWorker } from './lib/bare-worker.js';
import { BARE_TASK_QUEUE, approveUpdate, bareApproval } from './lib/bare-workflow.js';
import { type CpuProfile, cpuProfile } from './lib/cpu-profile.js';
import { type HistoryFigures, type UpdateCost, historyFigures } from './lib/histories.js';
import { type ChainOps, type PaceResult, loopChains, paceChains, sleep } from './lib/pacer.js';
import {
  type MachineFacts,
  type Percentiles,
  describeMachine,
  machineFacts,
  num,
  percentiles,
  say,
  table,
  writeResults,
} from './lib/report.js';
import {
  FabuRest,
  H3_HOLDERS,
  type ReadyTask,
  U1_CAST,
  castChains,
  conferenceDateAhead,
  driveToEnd,
  elementOf,
  h3Chains,
  startH3,
  startRequest,
} from './lib/rest-driver.js';
import { type FabuProcess, ROOT, ensureBuilt, startEmbeddedDefault, tempDataDir } from './lib/stack.js';

const CONCURRENCY = positive('BENCH_CONCURRENCY', 8);
const CHAINS = positive('BENCH_CHAINS', 30);
const SECONDS = positive('BENCH_SECONDS', 60);
const RATE = positive('BENCH_RATE', 10);
const LATENCY_SECONDS = positive('BENCH_LATENCY_SECONDS', 20);
const WARMUP_CHAINS = 3;
const SERIAL_CHAINS = positive('BENCH_SERIAL_CHAINS', 5);
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE === '1';
/** As many approvals per bare chain as an H3 chain has steps, so both pay the same starts per approval. */
const STEPS = H3_HOLDERS.size;

const FABU_LOOP = 'fabu REST, closed loop';
const FABU_PACED = 'fabu REST, paced';

const TARGETS = {
  throughputRatio: 0.5,
  decideP95OverBareMs: 50,
  decideP95Ms: 150,
  freshnessP99Ms: 1000,
  eventsPerStep: 15,
  warmStartMs: 20_000,
};

/** A chain of the other processes, for their history figures: who applies, with what. */
const OTHER_PROCESSES = [
  {
    label: 'U1 huainan-conference',
    processKey: 'huainan-conference',
    applicant: 'cuili',
    variables: { cityWide: true },
  },
  {
    label: 'N5 ningbo-release-review',
    processKey: 'ningbo-release-review',
    applicant: 'panlei',
    variables: { kind: 'department' },
  },
];

interface Stops {
  push(stop: () => Promise<unknown>): void;
  run(): Promise<void>;
}

function stops(): Stops {
  const list: Array<() => Promise<unknown>> = [];
  return {
    push: (stop) => list.push(stop),
    run: async () => {
      for (const stop of list.splice(0).reverse()) await stop().catch((err: unknown) => say(`stop failed: ${err}`));
    },
  };
}

async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const cleanup = stops();
  onShutdownSignal(logger, () => cleanup.run());
  const machine = machineFacts(ROOT);
  /** Each phase: when it ran, and the 1-minute load average before and after (other work disturbs the figures). */
  const phases: Phase[] = [];
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const loadBefore = round(loadavg()[0]!, 2);
    const from = performance.now();
    process.stderr.write(`… ${name}\n`);
    const result = await run();
    phases.push({ phase: name, loadBefore, loadAfter: round(loadavg()[0]!, 2), from, to: performance.now() });
    return result;
  };
  try {
    ensureBuilt(say);
    const workDir = await tempDataDir('fabu-bench-');
    cleanup.push(() => rm(workDir, { recursive: true, force: true }));
    const dataDir = join(workDir, 'data');

    // 1. Start, cold then warm; the warm one is the stack under test.
    const cold = await phase('cold start', () => startEmbeddedDefault({ dataDir }));
    await cold.stop();
    // BENCH_CPU_PROFILE_DIR keeps the .cpuprofile files (Chrome DevTools opens them); else they go with the run.
    const profileDir = process.env.BENCH_CPU_PROFILE_DIR ?? join(workDir, 'cpu-profile');
    const nodeArgs = CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const fabu: FabuProcess = await phase('warm start', () => startEmbeddedDefault({ dataDir, nodeArgs }));
    cleanup.push(() => fabu.stop());
    const connection = await Connection.connect({ address: fabu.temporalAddress });
    cleanup.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const bareWorker = await startBareWorker(fabu.temporalAddress);
    cleanup.push(() => stopChild(bareWorker));
    const rest = new FabuRest([fabu.url]);
    const runId = Date.now().toString(36);
    const conferenceDate = conferenceDateAhead();
    const kinds = {
      bare: (tag: string) => bareOps(client, `${runId}-${tag}`),
      rest: (tag: string, inbox = false) => h3Chains(rest, { runId: `${runId}-${tag}`, inbox, conferenceDate }),
      direct: (tag: string) => fabuDirectOps(rest, client, `${runId}-${tag}`, conferenceDate),
    };

    // Warm-up: the first chains pay for connections, JIT and the worker's first workflow tasks.
    const warmUp = { concurrency: 1, chains: WARMUP_CHAINS, timeLimitMs: 60_000, onError: report };
    await loopChains(kinds.bare('warm'), warmUp);
    await loopChains(kinds.rest('warm').ops, warmUp);

    // A PostgreSQL round trip (SELECT 1) on this machine now: each sequential statement of a
    // decision costs at least one.
    const db = new pg.Client({ connectionString: fabu.databaseUrl });
    await db.connect();
    // Once the stack stops, the server ends this connection: not an error of the run.
    db.on('error', () => undefined);
    let dbOpen = true;
    const closeDb = async () => {
      if (dbOpen) await db.end();
      dbOpen = false;
    };
    cleanup.push(closeDb);
    const pgIdle = await roundTrips(db, sleep(4000));

    // 2. One client, one step at a time: what a decision costs by itself, queued behind nothing.
    const serial = { concurrency: 1, chains: SERIAL_CHAINS, timeLimitMs: 60_000, onError: report };
    const bareSerialOps = kinds.bare('serial');
    const restSerialOps = kinds.rest('serial');
    const directSerialOps = kinds.direct('dserial');
    const bareSerial = await phase('bare Temporal, one client', () => loopChains(bareSerialOps, serial));
    const restSerial = await phase('fabu REST, one client', () => loopChains(restSerialOps.ops, serial));
    const directSerial = await phase('fabu Update without REST, one client', () => loopChains(directSerialOps, serial));

    // 3. Throughput, closed loop.
    const loop = { concurrency: CONCURRENCY, chains: CHAINS, timeLimitMs: SECONDS * 1000, onError: report };
    const bareLoopOps = kinds.bare('loop');
    const restLoopOps = kinds.rest('loop');
    const bareLoop = await phase('bare Temporal, closed loop', () => loopChains(bareLoopOps, loop));
    const restLoop = await phase(FABU_LOOP, () => loopChains(restLoopOps.ops, loop));
    // A chain without documents (U1): what fabu's throughput is when every Update is a decision.
    const u1LoopOps = castChains(rest, U1_CAST, { runId: `${runId}-u1`, inbox: false, conferenceDate });
    const u1Loop = await phase('fabu REST U1, closed loop', () => loopChains(u1LoopOps.ops, loop));

    // 4. Latency at the soak's load, open loop.
    const paced = { ratePerSecond: RATE, durationMs: LATENCY_SECONDS * 1000, onError: report };
    const barePacedOps = kinds.bare('paced');
    const restPacedOps = kinds.rest('paced', true);
    const directPacedOps = kinds.direct('dpaced');
    const barePaced = await phase('bare Temporal, paced', () => paceChains(barePacedOps, paced));
    const restPacedRun = paceChains(restPacedOps.ops, paced);
    const pgLoaded = roundTrips(db, restPacedRun);
    const restPaced = await phase(FABU_PACED, () => restPacedRun);
    const directPaced = await phase('fabu Update without REST, paced', () => paceChains(directPacedOps, paced));

    // 5. Histories of the finished chains.
    const bareIds = [bareSerialOps, bareLoopOps, barePacedOps].flatMap((o) => o.ids);
    await Promise.all(bareIds.map((id) => client.workflow.getHandle(id).result()));
    const histories = await phase('histories', async () => ({
      bareSerial: await historyFigures(client, bareSerialOps.ids, 'approve'),
      bareOther: await historyFigures(client, [...bareLoopOps.ids, ...barePacedOps.ids], 'approve'),
      h3Serial: await historyFigures(client, restSerialOps.requestIds, 'decide'),
      h3Paced: await historyFigures(client, restPacedOps.requestIds, 'decide'),
      h3Loop: await historyFigures(client, restLoopOps.requestIds, 'decide'),
      others: await otherProcesses(rest, client, conferenceDate),
    }));

    // The profile is written when the process exits.
    let cpu: Array<{ phase: string; profile: CpuProfile }> | undefined;
    if (CPU_PROFILE) {
      await closeDb();
      await stopChild(bareWorker);
      await fabu.stop();
      cpu = [];
      for (const name of [FABU_LOOP, FABU_PACED]) {
        const w = phases.find((p) => p.phase === name)!;
        const window = { fromMs: w.from - fabu.spawnedAt, toMs: w.to - fabu.spawnedAt };
        cpu.push({ phase: name, profile: await cpuProfile(profileDir, window) });
      }
    }

    const result = summarize({
      machine,
      startMs: { cold: cold.startMs, warm: fabu.startMs },
      runs: { bareSerial, restSerial, directSerial, bareLoop, restLoop, u1Loop, barePaced, restPaced, directPaced },
      freshnessMs: restPacedOps.freshnessMs,
      pgRoundTripMs: { idle: pgIdle, paced: await pgLoaded },
      histories,
      cpu,
      phases,
    });
    const file = await writeResults(ROOT, result);
    say(`\nresults: ${file} (and bench/results/latest.json)`);
    const errors = Object.values(result.runs).reduce((n, r) => n + r.errors.length, 0);
    if (errors) {
      say(`${errors} errors during the run (printed above): the figures are not to be trusted`);
      process.exitCode = 1;
    }
  } finally {
    await cleanup.run();
  }
}

// ---------------------------------------------------------------------------------------------
// The chains each side runs.

/** Bare Temporal: start, STEPS Updates (each validated), complete. */
function bareOps(client: Client, runId: string): ChainOps<{ id: string; step: number }> & { ids: string[] } {
  const ids: string[] = [];
  return {
    ids,
    async start(n) {
      const id = `bare-${runId}-${n}`;
      await client.workflow.start(bareApproval, {
        workflowId: id,
        taskQueue: BARE_TASK_QUEUE,
        args: [{ steps: STEPS }],
      });
      ids.push(id);
      return [{ id, step: 1 }];
    },
    async decide({ id, step }) {
      const began = performance.now();
      const answer = await client.workflow
        .getHandle(id)
        .executeUpdate(approveUpdate, { args: [{ step, actor: 'bench' }], updateId: `${id}-${step}` });
      const latencyMs = performance.now() - began;
      const done = answer.remaining === 0;
      return { latencyMs, next: done ? [] : [{ id, step: step + 1 }], done };
    },
  };
}

/**
 * fabu's own workflow decided without the REST API: started through REST (as a user would), each
 * step then sent as the same `decide` Update the API sends, straight to Temporal. Against the REST
 * figures it shows what the API adds; against bare, what fabu's workflow adds.
 */
function fabuDirectOps(rest: FabuRest, client: Client, runId: string, conferenceDate: string): ChainOps<ReadyTask> {
  return {
    async start(n) {
      const started = await startH3(rest, {
        title: `直连基准 ${runId}-${n}`,
        idempotencyKey: `direct-${runId}-${n}`,
        conferenceDate,
      });
      return started.openTasks.map((taskId) => ({ taskId, username: H3_HOLDERS.get(elementOf(taskId))! }));
    },
    async decide({ taskId, username }) {
      const began = performance.now();
      const result = await client.workflow
        .getHandle(taskId.split('.')[0]!)
        .executeUpdate(decideUpdate, { args: [{ taskId, action: 'approve', actor: username, comment: '同意' }] });
      const latencyMs = performance.now() - began;
      const done = result.status === 'completed';
      const next = result.openTasks.map((id) => ({ taskId: id, username: H3_HOLDERS.get(elementOf(id))! }));
      return { latencyMs, next, done };
    },
  };
}

/** Two chains of each other process, driven to the end, for their history figures. */
async function otherProcesses(rest: FabuRest, client: Client, conferenceDate: string) {
  const figures: Array<{ label: string; decisions: number; history: HistoryFigures }> = [];
  for (const p of OTHER_PROCESSES) {
    const ids: string[] = [];
    let decisions = 0;
    for (let i = 1; i <= 2; i++) {
      const started = await startRequest(rest, {
        applicant: p.applicant,
        processKey: p.processKey,
        title: `基准 ${p.label} ${i}`,
        conferenceDate,
        variables: p.variables,
      });
      ids.push(started.id);
      decisions += await driveToEnd(rest, started.id, p.applicant);
    }
    for (const id of ids) await client.workflow.getHandle(id).result();
    figures.push({ label: p.label, decisions, history: await historyFigures(client, ids, 'decide') });
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// The table.

interface Phase {
  phase: string;
  loadBefore: number;
  loadAfter: number;
  from: number;
  to: number;
}

type RunName =
  | 'bareSerial'
  | 'restSerial'
  | 'directSerial'
  | 'bareLoop'
  | 'restLoop'
  | 'u1Loop'
  | 'barePaced'
  | 'restPaced'
  | 'directPaced';

interface Measured {
  machine: MachineFacts;
  startMs: { cold: number; warm: number };
  runs: Record<RunName, PaceResult>;
  freshnessMs: number[];
  pgRoundTripMs: { idle: number[]; paced: number[] };
  histories: {
    bareSerial: HistoryFigures;
    bareOther: HistoryFigures;
    h3Serial: HistoryFigures;
    h3Paced: HistoryFigures;
    h3Loop: HistoryFigures;
    others: Array<{ label: string; decisions: number; history: HistoryFigures }>;
  };
  cpu?: Array<{ phase: string; profile: CpuProfile }>;
  phases: Phase[];
}

/** Events of several groups of histories together. */
function eventsOf(groups: HistoryFigures[]): {
  workflows: number;
  events: number;
  byUpdate: Record<string, UpdateCost>;
} {
  const byUpdate: Record<string, UpdateCost> = {};
  for (const g of groups)
    for (const [name, c] of Object.entries(g.byUpdate)) {
      const sum = (byUpdate[name] ??= { count: 0, events: 0 });
      sum.count += c.count;
      sum.events += c.events;
    }
  return {
    workflows: groups.reduce((n, g) => n + g.workflows, 0),
    events: groups.reduce((n, g) => n + g.events, 0),
    byUpdate,
  };
}

function summarize(m: Measured) {
  const { runs, histories: h } = m;
  const rate = (r: PaceResult) => r.decisions / (r.elapsedMs / 1000);
  const lat = (r: PaceResult) => percentiles(r.latenciesMs);
  const bareRate = rate(runs.bareLoop);
  const fabuRate = rate(runs.restLoop);
  const bareUpdate = lat(runs.barePaced);
  const decide = lat(runs.restPaced);
  const fresh = percentiles(m.freshnessMs);
  const decideLimit = Math.min(bareUpdate.p95 + TARGETS.decideP95OverBareMs, TARGETS.decideP95Ms);
  const h3 = eventsOf([h.h3Serial, h.h3Loop, h.h3Paced]);
  const bare = eventsOf([h.bareSerial, h.bareOther]);
  const h3Decisions = h3.byUpdate.decide?.count ?? 0;
  const h3PerStep = h3.events / h3Decisions;
  const perUpdate = (c?: UpdateCost) => (c ? c.events / c.count : NaN);
  const barePerStep = bare.events / (bare.byUpdate.approve?.count ?? 0);

  const pass = (ok: boolean) => (ok ? 'pass' : 'MISS');
  const p3 = (p: Percentiles) => `${num(p.p50)} / ${num(p.p95)} / ${num(p.p99)}`;
  const p2 = (values: number[]) => {
    const p = percentiles(values);
    return `${num(p.p50)} / ${num(p.p95)}`;
  };
  const ratio = (a: Percentiles, b: Percentiles) =>
    `${num(a.p50 / b.p50, 2)} / ${num(a.p95 / b.p95, 2)} / ${num(a.p99 / b.p99, 2)}`;
  const rows: string[][] = [
    [`bare Temporal: approvals/s (closed loop, ${CONCURRENCY} clients)`, num(bareRate), '', ''],
    [`bare Temporal: Update p50 / p95 / p99 ms at ${RATE}/s`, p3(bareUpdate), '', ''],
    [
      `fabu REST: approvals/s (closed loop, ${CONCURRENCY} clients)`,
      num(fabuRate),
      `≥ ${num(TARGETS.throughputRatio * bareRate)} (0.5 × bare)`,
      pass(fabuRate >= TARGETS.throughputRatio * bareRate),
    ],
    [
      'fabu / bare throughput',
      num(fabuRate / bareRate, 2),
      `≥ ${TARGETS.throughputRatio}`,
      pass(fabuRate / bareRate >= TARGETS.throughputRatio),
    ],
    [
      `fabu REST: decide p50 / p95 / p99 ms at ${RATE}/s`,
      p3(decide),
      `p95 ≤ ${num(decideLimit)} (bare p95 + 50, ≤ 150)`,
      pass(decide.p95 <= decideLimit),
    ],
    ['fabu decide / bare Update, p50 / p95 / p99', ratio(decide, bareUpdate), '', ''],
    [
      'read model: decided → next task in GET /api/tasks p50 / p99 ms',
      `${num(fresh.p50)} / ${num(fresh.p99)}`,
      `p99 ≤ ${TARGETS.freshnessP99Ms}`,
      pass(fresh.p99 <= TARGETS.freshnessP99Ms),
    ],
    [
      `history events per step, H3 (${h3.workflows} chains: all events / decisions)`,
      num(h3PerStep),
      `≤ ${TARGETS.eventsPerStep}`,
      pass(h3PerStep <= TARGETS.eventsPerStep),
    ],
    ...h.others.map((o) => {
      const v = o.history.events / o.decisions;
      return [
        `history events per step, ${o.label} (${o.history.workflows} chains)`,
        num(v),
        `≤ ${TARGETS.eventsPerStep}`,
        pass(v <= TARGETS.eventsPerStep),
      ];
    }),
    ['npm start → healthy, cold (fresh data dir) s', num(m.startMs.cold / 1000), '', ''],
    [
      'npm start → healthy, warm (same data dir) s',
      num(m.startMs.warm / 1000),
      `≤ ${TARGETS.warmStartMs / 1000}`,
      pass(m.startMs.warm <= TARGETS.warmStartMs),
    ],
  ];
  const details: string[][] = [
    ['one client, bare Update p50 / p95 / p99 ms', p3(lat(runs.bareSerial))],
    ['one client, fabu decide through REST p50 / p95 / p99 ms', p3(lat(runs.restSerial))],
    ['one client, fabu decide as a direct Update (no REST) p50 / p95 / p99 ms', p3(lat(runs.directSerial))],
    ['one client, bare Update workflow task in the worker p50 / p95 ms', p2(h.bareSerial.workerMs)],
    ['one client, fabu decide workflow task in the worker p50 / p95 ms (projection included)', p2(h.h3Serial.workerMs)],
    [`at ${RATE}/s, fabu decide as a direct Update (no REST) p50 / p95 / p99 ms`, p3(lat(runs.directPaced))],
    [`at ${RATE}/s, fabu decide workflow task: dispatch p50 / p95 ms`, p2(h.h3Paced.dispatchMs)],
    [`at ${RATE}/s, fabu decide workflow task in the worker p50 / p95 ms`, p2(h.h3Paced.workerMs)],
    ['PostgreSQL round trip (SELECT 1) p50 / p95 ms, before the load', p2(m.pgRoundTripMs.idle)],
    [`PostgreSQL round trip (SELECT 1) p50 / p95 ms, during fabu REST at ${RATE}/s`, p2(m.pgRoundTripMs.paced)],
    [
      `closed loop, fabu REST approvals/s with U1 chains (3 steps, no documents), and / bare`,
      `${num(rate(runs.u1Loop))}, ${num(rate(runs.u1Loop) / bareRate, 2)}`,
    ],
    [`closed loop, bare Update p50 / p95 / p99 ms`, p3(lat(runs.bareLoop))],
    [`closed loop, fabu decide p50 / p95 / p99 ms`, p3(lat(runs.restLoop))],
    [
      'Updates per approval: bare (start + approvals), fabu H3 (start + documents + decisions)',
      `${num((bare.workflows + (bare.byUpdate.approve?.count ?? 0)) / (bare.byUpdate.approve?.count ?? 1), 2)}, ` +
        num(Object.values(h3.byUpdate).reduce((n, c) => n + c.count, 0) / h3Decisions, 2),
    ],
    [
      'H3 events per decision step alone (its workflow task to its Update completed)',
      num(perUpdate(h3.byUpdate.decide)),
    ],
    ...Object.entries(h3.byUpdate)
      .filter(([name]) => name !== 'decide')
      .map(([name, c]) => [
        `H3 events per '${name}' Update (${c.count} in ${h3.workflows} chains)`,
        num(c.events / c.count),
      ]),
    ...h.others.map((o) => [
      `${o.label} events: ${Object.entries(o.history.byUpdate)
        .map(([name, c]) => `${c.count} ${name} × ${num(c.events / c.count)}`)
        .join(', ')}, other ${o.history.events - Object.values(o.history.byUpdate).reduce((n, c) => n + c.events, 0)}`,
      `${o.history.events} in ${o.history.workflows} chains`,
    ]),
    ['bare events per approval (all events / Updates)', num(barePerStep)],
    [
      'chains completed / started, all phases',
      Object.values(runs)
        .map((r) => `${r.chainsCompleted}/${r.chainsStarted}`)
        .join(', '),
    ],
  ];
  say(`\nfabu benchmark — ${describeMachine(m.machine)}\n`);
  say(table(['figure', 'value', 'target', ''], rows));
  say('\nwhere the time goes');
  say(table(['figure', 'value'], details));
  for (const { phase, profile } of m.cpu ?? []) {
    const threads = profile.threads.map(
      (t) => `${t.thread ? `thread ${t.thread}` : 'main'} ${num(t.busyPercent, 0)} %`,
    );
    say(`\nfabu process CPU during '${phase}' (node --cpu-prof, self time; busy: ${threads.join(', ')})`);
    say(
      table(
        ['component', 'ms', '%'],
        profile.shares.slice(0, 12).map((c) => [c.component, num(c.ms, 0), num(c.percent)]),
      ),
    );
  }
  const phases = m.phases.map((p) => ({
    phase: p.phase,
    seconds: round((p.to - p.from) / 1000, 1),
    loadBefore: p.loadBefore,
    loadAfter: p.loadAfter,
  }));
  say('\n1-minute load average before → after each phase (2 CPUs: above 2, other work competed for them)');
  say(`  ${phases.map((p) => `${p.phase} ${p.loadBefore} → ${p.loadAfter}`).join('; ')}`);

  return {
    kind: 'bench',
    at: new Date().toISOString(),
    machine: m.machine,
    settings: {
      concurrency: CONCURRENCY,
      chains: CHAINS,
      seconds: SECONDS,
      rate: RATE,
      latencySeconds: LATENCY_SECONDS,
      serialChains: SERIAL_CHAINS,
      steps: STEPS,
      cpuProfile: CPU_PROFILE,
    },
    targets: TARGETS,
    table: rows.map(([figure, value, target, verdict]) => ({ figure, value, target, verdict })),
    details: details.map(([figure, value]) => ({ figure, value })),
    bare: {
      approvalsPerSecond: bareRate,
      updateMs: bareUpdate,
      eventsPerApproval: barePerStep,
    },
    fabu: {
      approvalsPerSecond: fabuRate,
      throughputRatio: fabuRate / bareRate,
      decideMs: decide,
      freshnessMs: fresh,
      pgRoundTripMs: { idle: percentiles(m.pgRoundTripMs.idle), paced: percentiles(m.pgRoundTripMs.paced) },
      eventsPerStep: { h3: h3PerStep, h3DecisionAlone: perUpdate(h3.byUpdate.decide), h3ByUpdate: h3.byUpdate },
      otherProcesses: h.others.map((o) => ({
        label: o.label,
        chains: o.history.workflows,
        decisions: o.decisions,
        eventsPerStep: o.history.events / o.decisions,
        byUpdate: o.history.byUpdate,
      })),
    },
    start: m.startMs,
    runs: Object.fromEntries(Object.entries(runs).map(([name, r]) => [name, brief(r)])) as Record<
      RunName,
      ReturnType<typeof brief>
    >,
    cpuProfile: m.cpu,
    phases,
  };
}

function brief(r: PaceResult) {
  return {
    decisions: r.decisions,
    elapsedMs: round(r.elapsedMs, 0),
    chainsStarted: r.chainsStarted,
    chainsCompleted: r.chainsCompleted,
    errors: r.errors,
  };
}

// ---------------------------------------------------------------------------------------------

async function startBareWorker(address: string): Promise<ChildProcess> {
  // This script again, as the worker (the bench's tsconfig builds only what bench/*.ts import).
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--bare-worker'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.includes(BARE_WORKER_READY)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare worker exited with ${code} before it was ready`)));
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** SELECT 1 one after another, every 20 ms, until `until` settles; each round trip's time (ms). */
async function roundTrips(db: pg.Client, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  const settle = () => (done = true);
  until.then(settle, settle);
  const times: number[] = [];
  while (!done) {
    const began = performance.now();
    await db.query('SELECT 1');
    times.push(performance.now() - began);
    await sleep(20);
  }
  return times;
}

function report(error: { at: string; message: string }): void {
  say(`  error at ${error.at}: ${error.message}`);
}

function round(n: number, digits: number): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!(n > 0)) throw new Error(`${name} must be a positive number, not ${raw}`);
  return n;
}

if (process.argv[2] === '--bare-worker') await runBareWorker(process.env.TEMPORAL_ADDRESS!);
else await main();
