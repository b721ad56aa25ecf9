// The inbox benchmark (issue #6): 1,000,000 tasks, 100,000 of them open, their candidates spread
// over 2,000 groups (a group = the users who share tasks, like the holders of one position), then
// GET /api/tasks over HTTP and the inbox's own SQL straight through pg, for a busy and a quiet
// approver, in one run on a stack of its own (embedded PostgreSQL, Temporal dev server, the API).
//
//   npm run bench:inbox
//
// Each series (one case, API or SQL) runs BENCH_WARMUP (default 20) times unmeasured, then
// BENCH_ITERATIONS (default 200) times one at a time, stopping early after BENCH_SECONDS (default 20).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource, type Logger as OrmLogger } from 'typeorm';
import { ensureTemporalTools } from '../scripts/temporal-tools.mjs';
import { type FabuApp, startFabu } from '../src/app.js';
import { createLogger } from '../src/common/logger.js';
import { loadConfig } from '../src/config/config.js';
import { dataSourceOptions } from '../src/database/data-source.js';
import { startEmbeddedPostgres } from '../src/embedded/embedded-postgres.js';
import { defaultWorkflows, onShutdownSignal } from '../src/settings.js';
import { TasksRepository } from '../src/tasks/tasks.repository.js';
import { ListTasksQuerySchema } from '../src/tasks/tasks.schemas.js';
import { freePort, startDevServerOnFreePorts } from '../test/support/ports.js';
import { fmt, say, table } from './lib/report.js';

const TASKS = 1_000_000; // every 10th is open: 100,000
const GROUPS = 2_000;
const TARGET_P95_MS = 50;
const ITERATIONS = positiveInt('BENCH_ITERATIONS', 200);
const WARMUP = positiveInt('BENCH_WARMUP', 20);
const SECONDS = positiveInt('BENCH_SECONDS', 20);
/** BENCH_SHOW_SQL=1 also prints the inbox SQL of each case, as the repository sent it. */
const SHOW_SQL = process.env.BENCH_SHOW_SQL === '1';
/** Group 0 holds the most open tasks, the last group a handful (see the load below). */
const BUSY = 'bench-g0000-a';
const QUIET = `bench-g${String(GROUPS - 1).padStart(4, '0')}-a`;

interface Case {
  label: string;
  username: string;
  token: string;
  page: 1 | 2;
  path: string;
  sql: { text: string; values: unknown[] };
  items: number;
}

async function main(): Promise<void> {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => logger.error({ err }));
  };
  onShutdownSignal(logger, stopAll);
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'fabu-bench-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
    await chmod(dataDir, 0o755);
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    // On Ctrl-C the embedded PostgreSQL's own exit hook may end the process before the stops ran.
    process.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
    const { cli } = ensureTemporalTools({ kinds: ['cli'], log: (line) => logger.info(line) });
    const temporal = await startDevServerOnFreePorts(cli!, dataDir, logger);
    stops.push(temporal.stop);
    const postgres = await startEmbeddedPostgres({
      databaseDir: join(dataDir, 'postgres'),
      port: await freePort(),
      persistent: false,
      logger,
    });
    stops.push(postgres.stop);
    const config = loadConfig({
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: postgres.url,
      PORT: '0',
      FABU_DATA_DIR: dataDir,
      AUTH_MODE: 'dev',
      AUTH_SIGNING_KEY: randomBytes(32).toString('hex'),
    });
    const app: FabuApp = await startFabu({
      config,
      temporalAddress: temporal.address,
      databaseUrl: postgres.url,
      migrationUrl: postgres.ownerUrl,
      roles: { api: true, worker: false },
      deployProcesses: true,
      seedDemo: true,
      signingKey: config.env.AUTH_SIGNING_KEY,
      workflows: defaultWorkflows(),
      logger,
    });
    stops.push(() => app.close());

    // The data is loaded as the schema's owner; the inbox's SQL runs as the app's own login.
    const owner = new pg.Client({ connectionString: postgres.ownerUrl });
    await owner.connect();
    stops.push(() => owner.end());
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    stops.push(() => db.end());
    const version = (await db.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    say(
      `fabu inbox benchmark: ${fmt(TASKS)} tasks (${fmt(TASKS / 10)} open), ${fmt(GROUPS)} groups; ` +
        `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), ` +
        `PostgreSQL ${version}, Node ${process.version}`,
    );
    const loaded = await load(owner);
    say(loaded);

    const sizes = await inboxSizes(db, [BUSY, QUIET]);
    const cases = await prepareCases(app.url!, postgres.url, sizes);
    await checkAgainstDefinition(db, app.url!, cases);

    say(
      `\nup to ${ITERATIONS} runs per series (${SECONDS} s at most) after ${WARMUP} warm-up, ` +
        'one at a time; milliseconds',
    );
    const rows: string[][] = [];
    for (const c of cases) {
      const api = await measure(() => httpGet(app.url! + c.path, c.token));
      const sql = await measure(() => db.query(c.sql));
      const runs = api.length === sql.length ? String(api.length) : `${api.length}/${sql.length}`;
      rows.push([c.label, fmt(sizes.get(c.username)!), String(c.page), String(c.items), runs, ...ms(api), ...ms(sql)]);
    }
    say(table(['approver', 'open', 'page', 'items', 'runs', 'API p50', 'p95', 'p99', 'SQL p50', 'p95', 'p99'], rows));
    const worst = Math.max(...rows.map((r) => Number(r[6])));
    say(
      `target: GET /api/tasks p95 ≤ ${TARGET_P95_MS} ms at ${fmt(TASKS / 10)} open tasks: ` +
        `${worst <= TARGET_P95_MS ? 'met' : 'MISSED'} (worst p95 ${worst.toFixed(2)} ms)`,
    );

    say('\nplans (EXPLAIN (ANALYZE, BUFFERS) of the SQL above)');
    for (const c of cases) say(`  ${c.label} page ${c.page}: ${await explain(db, c.sql)}`);
    if (SHOW_SQL)
      for (const c of cases) say(`\n${c.label} page ${c.page}:\n${c.sql.text}\n${JSON.stringify(c.sql.values)}`);
  } finally {
    await stopAll();
  }
}

// ---------------------------------------------------------------------------------------------
// The data: one statement per table.

/**
 * Groups are the positions of a "bench" org, 2 or 3 holders each. A task's candidates are the
 * holders of one group; the group follows a Zipf-like law (exponent 0.9) over a low-discrepancy
 * sequence, so the run is the same every time: group 0 gets about 6 % of the tasks, the last one
 * about 0.01 %. Each request has 5 steps; the 5th step of every other request is open (100,000),
 * 5 % of the open tasks have no due time, 2 % are claimed by the group's second holder, 1 % are
 * delegated (委派), each to the first holder of a different group (the busy and the quiet approver
 * get one each). Closed tasks keep their candidates, as in the product.
 */
async function load(db: pg.Client): Promise<string> {
  const started = performance.now();
  const step = async (sql: string) => {
    const res = await db.query(sql);
    return res.rowCount ?? 0;
  };
  // synchronous_commit stays on: VACUUM marks a page all-visible only once its rows' commits are flushed.
  await db.query(`SET work_mem = '64MB'; SET maintenance_work_mem = '256MB'`);
  const member = (group: string, holder: string) => `format('bench-g%s-%s', lpad((${group})::text, 4, '0'), ${holder})`;
  await step(`
    CREATE TEMP TABLE bench_members AS
      SELECT g, ${member('g', 'chr(96 + m)')} AS username, m
      FROM generate_series(0, ${GROUPS - 1}) g, generate_series(1, 3) m
      WHERE m <= 2 + g % 2`);
  await step(`
    CREATE TEMP TABLE bench_tasks AS
      SELECT i, r, (i - 1) % 5 + 1 AS step, i % 10 = 0 AS open,
             format('BN-2026-%s', lpad(r::text, 6, '0')) AS request_id,
             format('BN-2026-%s.step-%s.1', lpad(r::text, 6, '0'), (i - 1) % 5 + 1) AS id,
             least(${GROUPS - 1},
                   floor(power(1 + (i * 0.6180339887498949::float8 - floor(i * 0.6180339887498949::float8))
                                 * (power(${GROUPS + 1}, 0.1) - 1), 10) - 1))::int AS g
      FROM generate_series(1, ${TASKS}) i, LATERAL (SELECT (i - 1) / 5 AS r) x`);
  await step(`INSERT INTO orgs (code, name, kind, city) VALUES ('bench', '基准测试单位', 'office', 'bench')`);
  const users = await step(`
    INSERT INTO users (username, display_name, org_code)
      SELECT username, format('审批人 %s-%s', g, m), 'bench' FROM bench_members`);
  await step(`
    INSERT INTO user_positions (username, position, org_code)
      SELECT username, format('approver-%s', g), 'bench' FROM bench_members`);
  const requests = await step(`
    INSERT INTO requests (id, process_key, process_version, title, org_code, conference_date, materials, major,
                          initiator, status, stage, outcome, seq, created_at, updated_at, completed_at)
      SELECT format('BN-2026-%s', lpad(r::text, 6, '0')), p.key, p.version, format('基准新闻发布会 %s', r), 'bench',
             date '2026-07-01' + r % 180, '["发布稿","主持词","答问口径"]'::jsonb, false, 'bench-g0001-a',
             CASE WHEN r % 2 = 1 THEN 'running' ELSE 'completed' END,
             CASE WHEN r % 2 = 1 THEN 'step-5' ELSE 'end' END,
             CASE WHEN r % 2 = 1 THEN NULL ELSE 'approved' END,
             1, c.at, c.at, CASE WHEN r % 2 = 1 THEN NULL ELSE c.at + interval '5 days' END
      FROM generate_series(0, ${TASKS / 5 - 1}) r,
           (SELECT key, max(version) AS version FROM process_definitions
             WHERE key = 'huludao-government-conference' GROUP BY key) p,
           LATERAL (SELECT now() - interval '400 days' + r * interval '2 minutes' AS at) c`);
  // Open tasks fall due from 20 days ago to 40 days ahead; closed ones before that.
  const tasks = await step(`
    INSERT INTO tasks (id, request_id, element_id, name, round, rules, status, due_at, due_provisional, due_basis,
                       overdue, decision, decided_by, comment, opened_at, closed_at, seq, assignee, delegated_to)
      SELECT t.id, t.request_id, 'step-' || t.step, format('审核（第%s步）', t.step), 1, '["H3.2"]'::jsonb,
             CASE WHEN t.open THEN 'open' WHEN t.i % 97 = 0 THEN 'cancelled' ELSE 'completed' END,
             d.due, false, CASE WHEN d.due IS NULL THEN NULL ELSE 'P2WD' END,
             coalesce(t.open AND d.due < now(), false),
             CASE WHEN t.open OR t.i % 97 = 0 THEN NULL ELSE 'approve' END,
             CASE WHEN t.open OR t.i % 97 = 0 THEN NULL ELSE ${member('t.g', "'a'")} END,
             NULL, d.opened, CASE WHEN t.open THEN NULL ELSE d.opened + interval '1 day' END, 1,
             CASE WHEN t.open AND (t.i / 10) % 50 = 1 THEN ${member('t.g', "'b'")} END,
             CASE WHEN t.open AND (t.i / 10) % 100 = 7 THEN ${member(`(t.i / 1000) * 7 % ${GROUPS}`, "'a'")} END
      FROM bench_tasks t,
           LATERAL (SELECT CASE WHEN t.open AND (t.i / 10) % 20 = 3 THEN NULL
                                WHEN t.open THEN date_trunc('day', now())
                                                 + ((t.i::bigint * 7919) % 86400 - 28800) * interval '1 minute'
                                ELSE now() - interval '30 days' - (${TASKS} - t.i) * interval '30 seconds' END AS due,
                           now() - interval '60 days' - (${TASKS} - t.i) * interval '30 seconds' AS opened) d`);
  const candidates = await step(`
    INSERT INTO task_candidates (task_id, username)
      SELECT t.id, m.username FROM bench_tasks t JOIN bench_members m USING (g)`);
  const loadedAt = performance.now();
  // Steady state, as autovacuum would leave it: statistics and the visibility map.
  await db.query('VACUUM (ANALYZE) orgs, users, user_positions, requests, tasks, task_candidates');
  await db.query('RESET ALL');
  const done = performance.now();
  return (
    `loaded in ${((loadedAt - started) / 1000).toFixed(1)} s: ${fmt(users)} users, ${fmt(requests)} requests, ` +
    `${fmt(tasks)} tasks, ${fmt(candidates)} candidate rows; VACUUM ANALYZE ${((done - loadedAt) / 1000).toFixed(1)} s`
  );
}

/** How many tasks each user's inbox holds, by the inbox's definition. */
async function inboxSizes(db: pg.Client, usernames: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const u of usernames) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM (${definition('NULL')}) x`, [u]);
    sizes.set(u, Number(rows[0]!.n));
  }
  return sizes;
}

/**
 * A user's inbox by its definition, written plainly: open, theirs as a candidate or delegate, not
 * claimed by someone else; soonest due first (no due time last), then by id.
 */
function definition(limit: string): string {
  return `SELECT t.id FROM tasks t
          WHERE t.status = 'open'
            AND (t.id IN (SELECT task_id FROM task_candidates WHERE username = $1) OR t.delegated_to = $1)
            AND (t.assignee IS NULL OR t.assignee = $1 OR t.delegated_to = $1)
          ORDER BY coalesce(t.due_at, '9999-12-31T00:00:00Z'::timestamptz), t.id
          LIMIT ${limit}`;
}

// ---------------------------------------------------------------------------------------------
// The cases: the API's pages, and the SQL the repository sends for them.

class CapturingLogger implements OrmLogger {
  queries: Array<{ text: string; values: unknown[] }> = [];
  logQuery(query: string, parameters?: unknown[]) {
    this.queries.push({ text: query, values: parameters ?? [] });
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

async function prepareCases(url: string, databaseUrl: string, sizes: Map<string, number>): Promise<Case[]> {
  const limit = ListTasksQuerySchema.parse({}).limit;
  const capture = new CapturingLogger();
  const orm = new DataSource({ ...dataSourceOptions(databaseUrl), logger: capture, extra: { max: 1 } });
  await orm.initialize();
  try {
    const repo = new TasksRepository(orm);
    /** The inbox query: of the statements inbox() sends, the one reading tasks (then candidates, requests). */
    const inboxSql = async (username: string, cursor?: string) => {
      capture.queries = [];
      await repo.inbox(username, limit, cursor);
      const sql = capture.queries.filter((q) => /\bFROM "tasks" "t"/.test(q.text));
      if (sql.length !== 1) throw new Error(`expected one inbox query, saw ${sql.length}`);
      return sql[0]!;
    };
    const cases: Case[] = [];
    for (const [username, label] of [
      [BUSY, `${BUSY} (busy)`],
      [QUIET, `${QUIET} (quiet)`],
    ] as const) {
      const login = await fetch(`${url}/api/auth/dev-login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username }),
      });
      if (login.status !== 200) throw new Error(`dev-login ${username}: ${login.status} ${await login.text()}`);
      const token = ((await login.json()) as { token: string }).token;
      const first = (await httpGet(`${url}/api/tasks`, token)) as Page;
      cases.push({
        label,
        username,
        token,
        page: 1,
        path: '/api/tasks',
        sql: await inboxSql(username),
        items: first.items.length,
      });
      if (first.nextCursor) {
        const path = `/api/tasks?cursor=${encodeURIComponent(first.nextCursor)}`;
        const second = (await httpGet(url + path, token)) as Page;
        cases.push({
          label,
          username,
          token,
          page: 2,
          path,
          sql: await inboxSql(username, first.nextCursor),
          items: second.items.length,
        });
      } else {
        say(`${label}: ${sizes.get(username)} open tasks, one page (no nextCursor)`);
      }
    }
    return cases;
  } finally {
    await orm.destroy();
  }
}

interface Page {
  items: Array<{ id: string }>;
  nextCursor: string | null;
}

/** The API's pages must be the definition's first rows, in its order: a faster plan changes no result. */
async function checkAgainstDefinition(db: pg.Client, url: string, cases: Case[]): Promise<void> {
  for (const username of new Set(cases.map((c) => c.username))) {
    const pages: string[] = [];
    for (const c of cases.filter((x) => x.username === username)) {
      const page = (await httpGet(url + c.path, c.token)) as Page;
      pages.push(...page.items.map((i) => i.id));
    }
    const { rows } = await db.query<{ id: string }>(definition(String(pages.length)), [username]);
    const expected = rows.map((r) => r.id);
    if (JSON.stringify(expected) !== JSON.stringify(pages)) {
      throw new Error(`${username}: the API's pages differ from the inbox's definition`);
    }
  }
  say(
    "pages checked against the inbox's definition (open, candidate or delegate, not claimed by another): " +
      'same rows, same order',
  );
}

async function httpGet(url: string, token: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

// ---------------------------------------------------------------------------------------------
// Measuring and printing.

async function measure(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  for (let i = 0; i < ITERATIONS && performance.now() < deadline; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

/** p50, p95, p99 (nearest rank) of sorted times, in ms. */
function ms(sorted: number[]): string[] {
  return [50, 95, 99].map((p) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!.toFixed(2));
}

/** The plan's nodes (outermost first), the top node's buffers and the execution time. */
async function explain(db: pg.Client, sql: { text: string; values: unknown[] }): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>({
    text: `EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`,
    values: sql.values,
  });
  const lines = rows.map((r) => r['QUERY PLAN']);
  const nodes = lines.map((l) => /^\s*(?:->\s*)?(.+?)\s+\(cost=/.exec(l)?.[1]).filter((n): n is string => Boolean(n));
  const buffers = lines.find((l) => /^\s*Buffers:/.test(l))?.trim();
  const time = lines.find((l) => l.startsWith('Execution Time'))?.trim();
  return `${nodes.join(' › ')}${buffers ? `; ${buffers}` : ''}; ${time ?? ''}`;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

/** The dev server picks some internal ports itself; when one is taken in between, try other ports. */
await main();
