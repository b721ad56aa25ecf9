#!/usr/bin/env node
// Cluster mode (`npm run cluster`): fabu in its production shape on one machine. A self-hosted
// Temporal server on PostgreSQL, its frontend, history, matching and worker services as four
// processes; fabu's API twice and its worker twice, each its own process against them. Every
// process it starts is its own process group, so a terminal's Ctrl-C reaches only this script,
// which then stops them in order: the APIs, the fabu workers (they drain), Temporal, PostgreSQL.
//
// `startCluster()` is the same thing as a library (bench/soak and bench/chaos), with the levers a
// chaos run pulls: kill -9 a fabu worker, restart a Temporal service, restart PostgreSQL.
// It runs the compiled fabu (`npm run build` first; `npm run cluster` does).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { ensureTemporalServer } from './temporal-server-tool.mjs';
import { projectRoot } from './temporal-tools.mjs';

const ROOT = projectRoot();
const TEMPORAL_SERVICES = /** @type {const} */ (['frontend', 'history', 'matching', 'worker']);
/** The login Temporal's own databases belong to (fabu's schema stays with fabu's roles). */
const TEMPORAL_DB = { user: 'temporal', password: 'temporal' };
const GRPC_ALREADY_EXISTS = 6;

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * One process the cluster runs: spawned as its own process group, its output appended to a log
 * file (and its lines offered to `onLine`), its exit awaited rather than polled.
 */
class Child {
  constructor(name, command, args, { env, logFile, ipc = false, onLine }) {
    this.name = name;
    this.logFile = logFile;
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    this.process = spawn(command, args, {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
    });
    this.pid = this.process.pid;
    this.tail = '';
    this.failed = false;
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve(code ?? signal));
      // Not started at all (a missing binary): there will be no exit.
      this.process.once('error', (err) => {
        this.failed = true;
        this.tail += `\n${err.message}`;
        resolve(err.message);
      });
    });
    // After the last output: 'close' comes once the process is gone and its pipes are drained.
    this.process.once('close', () => log.end());
    for (const stream of [this.process.stdout, this.process.stderr]) {
      stream.pipe(log, { end: false });
      createInterface({ input: stream }).on('line', (line) => {
        this.tail = `${this.tail}\n${line}`.slice(-3000);
        onLine?.(line);
      });
    }
  }

  get running() {
    return !this.failed && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** SIGTERM (a graceful stop), then SIGKILL to the whole group if it has not exited in time. */
  async stop(timeoutMs = 20_000) {
    this.expected = true;
    if (!this.running) return this.exited;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** kill -9 of the group: no shutdown, no drain, as a machine that died. */
  async kill() {
    this.expected = true;
    if (this.running) signalGroup(this.pid, 'SIGKILL');
    return this.exited;
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves with `what()` once it is truthy; rejects when `child` exits first or after `ms`. */
async function until(label, what, { child, ms = 60_000, every = 250 } = {}) {
  const deadline = Date.now() + ms;
  let lastError;
  for (;;) {
    if (child && !child.running)
      throw new Error(
        `${child.name} exited (${await child.exited}) before ${label}; see ${child.logFile}:${child.tail}`,
      );
    try {
      const value = await what();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`${label}: not within ${ms / 1000} s${lastError ? ` (${lastError.message})` : ''}`);
    // Nothing here announces readiness (a port, a table row): asked again after a short pause, bounded above.
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

// ---------------------------------------------------------------------------------------------
// Ports: below Linux's ephemeral range, as test/support/ports.ts explains; kept between runs.

const LOW = 20_000;
const HIGH = 32_000;

function bindable(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The ports of the previous run where they are still free (stable addresses), new free ones elsewhere. */
async function choosePorts(file, names) {
  let previous = {};
  try {
    previous = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // first run
  }
  const ports = {};
  const taken = new Set();
  for (const name of names) {
    const old = previous[name];
    if (Number.isInteger(old) && !taken.has(old) && (await bindable(old))) ports[name] = old;
    else {
      for (let attempt = 0; ; attempt++) {
        if (attempt === 100) throw new Error(`no free TCP port between ${LOW} and ${HIGH} after 100 tries`);
        const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
        if (!taken.has(port) && (await bindable(port))) {
          ports[name] = port;
          break;
        }
      }
    }
    taken.add(ports[name]);
  }
  await writeFile(file, `${JSON.stringify(ports, null, 2)}\n`);
  return ports;
}

// ---------------------------------------------------------------------------------------------
// The cluster

/**
 * Starts the whole cluster; see scripts/cluster.d.mts for the options and what it returns.
 * @param {import('./cluster.d.mts').ClusterOptions} [options]
 * @returns {Promise<import('./cluster.d.mts').Cluster>}
 */
export async function startCluster(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`fabu cluster: ${line}\n`));
  const dataDir = options.dataDir ?? join(ROOT, '.data', 'cluster');
  const apiCount = options.apis ?? 2;
  const workerCount = options.workers ?? 2;
  const namespace = options.namespace ?? 'default';
  const taskQueue = options.taskQueue ?? 'fabu-approvals';
  const fabuLogLevel = options.logLevel ?? process.env.LOG_LEVEL ?? 'info';
  const temporalLogLevel = options.temporalLogLevel ?? process.env.TEMPORAL_LOG_LEVEL ?? 'warn';

  for (const entry of ['src/api.js', 'src/worker.js', 'src/temporal/search-attributes.js'])
    if (!existsSync(join(ROOT, 'dist', entry)))
      throw new Error(`fabu: dist/${entry} is missing: run \`npm run build\` first (npm run cluster does).`);
  const tools = ensureTemporalServer({ log });

  const running = postmasterPid(dataDir);
  if (running && alive(Number(running)))
    throw new Error(
      `fabu: ${shown(dataDir)} is in use by a running cluster (postmaster pid ${running}): stop it, or give another data folder.`,
    );
  const logsDir = join(dataDir, 'logs');
  await mkdir(logsDir, { recursive: true });
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const ports = await choosePorts(join(dataDir, 'ports.json'), [
    'postgres',
    ...TEMPORAL_SERVICES.flatMap((s) => [s, `${s}Membership`]),
    'frontendHttp',
    ...Array.from({ length: apiCount }, (_, i) => `api${i + 1}`),
  ]);
  const signingKey = options.signingKey ?? process.env.AUTH_SIGNING_KEY ?? (await persistentKey(dataDir));
  const temporalAddress = `127.0.0.1:${ports.frontend}`;

  /** Every process running now, by name; stop() and the exit guard walk it. */
  const children = new Map();
  const guard = () => {
    // This script is ending without stop(): each child shuts itself down.
    for (const child of children.values()) if (child.running) child.process.kill('SIGTERM');
  };
  process.on('exit', guard);
  /** The PostgreSQL host process (its Child). */
  let postgres;
  /** Tells the PostgreSQL host what else runs: it stops those if this process dies without stopping them. */
  const share = () => {
    if (!postgres?.process.connected) return;
    const others = [...children.values()].filter((c) => c !== postgres && c.running).map((c) => c.pid);
    postgres.process.send({ others });
  };
  const spawnChild = (name, command, args, opts) => {
    const child = new Child(name, command, args, { ...opts, logFile: join(logsDir, `${name}.log`) });
    children.set(name, child);
    share();
    void child.exited.then((how) => {
      if (!child.expected && !stopping) log(`${name} (pid ${child.pid}) exited unexpectedly (${how})`);
      share();
    });
    return child;
  };
  let stopping = false;

  // PostgreSQL ---------------------------------------------------------------------------------
  let urls;
  let membership;
  const startPostgres = async () => {
    const child = spawnChild('postgres', process.execPath, [join(ROOT, 'scripts', 'cluster', 'postgres-host.mjs')], {
      env: {
        ...process.env,
        FABU_PG_DIR: join(dataDir, 'postgres'),
        FABU_PG_PORT: String(ports.postgres),
        LOG_LEVEL: 'warn',
      },
      ipc: true,
    });
    const message = await Promise.race([
      new Promise((resolve) => child.process.once('message', resolve)),
      child.exited.then((how) => ({ ready: false, error: `exited (${how})` })),
    ]);
    if (!message.ready)
      throw new Error(`PostgreSQL did not start: ${message.error}; see ${child.logFile}:${child.tail}`);
    postgres = child;
    urls = { app: message.url, owner: message.ownerUrl };
    share();
  };

  const stopAll = async () => {
    stopping = true;
    const named = (...names) => [...children.values()].filter((c) => names.some((n) => c.name.startsWith(n)));
    // Front to back: nothing new comes in, the workers finish their tasks, then the engine (one
    // service at a time, the ones others call last), then the data.
    const groups = [
      named('api-'),
      named('worker-'),
      ...['worker', 'frontend', 'matching', 'history'].map((s) => named(`temporal-${s}`)),
      named('postgres'),
    ];
    for (const group of groups) await Promise.all(group.map((c) => c.stop()));
    children.clear();
    process.off('exit', guard);
  };

  try {
    log(`data in ${shown(dataDir)}, logs in ${shown(logsDir)}`);
    await startPostgres();
    await prepareTemporalDatabases({ ownerUrl: urls.owner, port: ports.postgres, tools, log });

    // Temporal ------------------------------------------------------------------------------------
    const temporalDir = join(dataDir, 'temporal');
    await mkdir(temporalDir, { recursive: true });
    const dynamicConfigPath = join(temporalDir, 'dynamicconfig.yaml');
    await writeFile(dynamicConfigPath, await readFile(join(ROOT, 'scripts', 'cluster', 'dynamicconfig.yaml')));
    const configPath = join(temporalDir, 'config.yaml');
    await writeFile(
      configPath,
      fill(await readFile(join(ROOT, 'scripts', 'cluster', 'temporal.yaml'), 'utf8'), {
        logLevel: temporalLogLevel,
        pgPort: ports.postgres,
        pgUser: TEMPORAL_DB.user,
        pgPassword: TEMPORAL_DB.password,
        dynamicConfigPath,
        ...Object.fromEntries(
          TEMPORAL_SERVICES.flatMap((s) => [
            [`${s}Port`, ports[s]],
            [`${s}MembershipPort`, ports[`${s}Membership`]],
          ]),
        ),
        frontendHttpPort: ports.frontendHttp,
      }),
    );
    membership = new pg.Pool({ connectionString: temporalDbUrl(ports.postgres), max: 1 });
    // A restart of PostgreSQL drops the pool's connection: the pool makes a new one on the next query.
    membership.on('error', () => undefined);
    const startTemporal = async (service) => {
      const known = await hostIds(membership, ports[`${service}Membership`]);
      const child = spawnChild(
        `temporal-${service}`,
        tools.server,
        ['--config-file', configPath, '--allow-no-auth', 'start', '--service', service],
        { env: { ...process.env } },
      );
      // A service has joined once its row is in the membership table the others read.
      await until(
        `Temporal ${service} joined the cluster`,
        async () => (await hostIds(membership, ports[`${service}Membership`])).some((id) => !known.includes(id)),
        { child, ms: 90_000 },
      );
      if (service === 'frontend')
        await until('the Temporal frontend answers', () => frontendAnswers(temporalAddress), { child });
    };
    // The frontend first: it writes the cluster metadata (its address) the others then only read.
    await startTemporal('frontend');
    await Promise.all(['history', 'matching', 'worker'].map(startTemporal));
    await registerNamespace(temporalAddress, namespace, log);

    // fabu ------------------------------------------------------------------------------------------
    const fabuEnv = (extra) => ({
      ...process.env,
      ...options.env,
      HOST: '127.0.0.1',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: urls.app,
      DATABASE_MIGRATION_URL: urls.owner,
      FABU_DATA_DIR: dataDir,
      SEED_DEMO: 'true',
      AUTH_MODE: 'dev',
      AUTH_SIGNING_KEY: signingKey,
      LOG_LEVEL: fabuLogLevel,
      ...extra,
    });
    const apiUrls = Array.from({ length: apiCount }, (_, i) => `http://127.0.0.1:${ports[`api${i + 1}`]}`);
    const startApi = async (i) => {
      const child = spawnChild(`api-${i + 1}`, process.execPath, [join(ROOT, 'dist', 'src', 'api.js')], {
        env: fabuEnv({ PORT: String(ports[`api${i + 1}`]) }),
      });
      await until(`fabu API #${i + 1} is healthy`, () => healthy(apiUrls[i]), { child, ms: 120_000 });
    };
    const startWorker = async (i) => {
      let polling;
      const ready = new Promise((resolve) => (polling = resolve));
      const child = spawnChild(`worker-${i + 1}`, process.execPath, [join(ROOT, 'dist', 'src', 'worker.js')], {
        // It says it polls at info: the line this waits for.
        env: fabuEnv({ LOG_LEVEL: ['debug', 'trace'].includes(fabuLogLevel) ? fabuLogLevel : 'info' }),
        onLine: (line) => {
          if (line.includes('"worker polling"')) polling();
        },
      });
      const exited = child.exited.then((how) => {
        throw new Error(`fabu worker #${i + 1} exited (${how}) before polling; see ${child.logFile}:${child.tail}`);
      });
      await Promise.race([ready, exited]);
      void exited.catch(() => undefined);
    };
    // API #1 alone first: it migrates the schema and deploys processes/ before anyone else reads them.
    await startApi(0);
    await Promise.all([
      ...Array.from({ length: apiCount - 1 }, (_, i) => startApi(i + 1)),
      ...Array.from({ length: workerCount }, (_, i) => startWorker(i)),
    ]);

    const describe = () => {
      const rows = [
        ['PostgreSQL', postgres.pid, `127.0.0.1:${ports.postgres}  (${postmasterPid(dataDir) ?? '?'} postmaster)`],
      ];
      for (const s of TEMPORAL_SERVICES) {
        const where =
          s === 'frontend'
            ? `${temporalAddress} (gRPC), http 127.0.0.1:${ports.frontendHttp}`
            : `127.0.0.1:${ports[s]}`;
        rows.push([`Temporal ${s}`, children.get(`temporal-${s}`)?.pid, where]);
      }
      apiUrls.forEach((url, i) => rows.push([`fabu API #${i + 1}`, children.get(`api-${i + 1}`)?.pid, `${url}/api`]));
      for (let i = 0; i < workerCount; i++)
        rows.push([`fabu worker #${i + 1}`, children.get(`worker-${i + 1}`)?.pid, `task queue ${taskQueue}`]);
      return rows.map(([what, pid, where]) => ({ what, pid, where }));
    };

    const cluster = {
      apiUrls,
      temporalAddress,
      databaseUrl: urls.app,
      ownerDatabaseUrl: urls.owner,
      namespace,
      taskQueue,
      signingKey,
      dataDir,
      describe,
      async killWorker(i) {
        const child = children.get(`worker-${i + 1}`);
        if (!child) throw new Error(`no fabu worker #${i + 1}`);
        await child.kill();
        await startWorker(i);
      },
      async restartTemporalService(service) {
        if (!TEMPORAL_SERVICES.includes(service)) throw new Error(`no Temporal service ${service}`);
        await children.get(`temporal-${service}`)?.stop();
        await startTemporal(service);
      },
      async restartPostgres() {
        await postgres.stop();
        await startPostgres();
      },
      async stop() {
        await membership.end().catch(() => undefined);
        await stopAll();
      },
    };
    return cluster;
  } catch (err) {
    await membership?.end().catch(() => undefined);
    await stopAll();
    throw err;
  }
}

/** dev mode's token key: one per data folder, so tokens from one run still work in the next. */
async function persistentKey(dataDir) {
  const file = join(dataDir, 'auth-signing-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A path as the user would type it: relative below the working directory, absolute elsewhere. */
function shown(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function fill(template, values) {
  return template.replace(/\$\{(\w+)\}/g, (_, key) => {
    if (values[key] === undefined) throw new Error(`scripts/cluster/temporal.yaml: no value for \${${key}}`);
    return String(values[key]);
  });
}

function temporalDbUrl(port, db = 'temporal') {
  return `postgres://${TEMPORAL_DB.user}:${TEMPORAL_DB.password}@127.0.0.1:${port}/${db}`;
}

/** A postmaster still running from that pid file (a stale file's pid may since belong to something else). */
function alive(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}

function postmasterPid(dataDir) {
  try {
    return readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
}

/**
 * Temporal's two databases, idempotently: its login, each database (create), its schema's
 * versioning tables (setup-schema -v 0.0, only on a new database), and the schema brought up to
 * the tool's release (update-schema: nothing to do on a second run).
 */
async function prepareTemporalDatabases({ ownerUrl, port, tools, log }) {
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  let existing;
  try {
    await owner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${TEMPORAL_DB.user}') THEN
          CREATE ROLE ${TEMPORAL_DB.user} LOGIN CREATEDB PASSWORD '${TEMPORAL_DB.password}';
        END IF;
      END $$;
    `);
    const { rows } = await owner.query(
      "SELECT datname FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')",
    );
    existing = new Set(rows.map((r) => r.datname));
  } finally {
    await owner.end();
  }
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(port)];
  base.push('-u', TEMPORAL_DB.user, '--pw', TEMPORAL_DB.password);
  const sql = (db, ...args) => {
    const result = spawnSync(tools.sql, [...base, '--db', db, ...args], { encoding: 'utf8' });
    if (result.error || result.status !== 0)
      throw new Error(
        `temporal-sql-tool --db ${db} ${args.join(' ')}: ${result.error?.message ?? ''}${result.stdout}${result.stderr}`,
      );
  };
  for (const [db, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    if (!existing.has(db)) {
      log(`creating database ${db}`);
      sql(db, 'create');
    }
    const client = new pg.Client({ connectionString: temporalDbUrl(port, db) });
    await client.connect();
    const { rows } = await client
      .query("SELECT to_regclass('schema_version') IS NOT NULL AS versioned")
      .finally(() => client.end());
    if (!rows[0].versioned) sql(db, 'setup-schema', '-v', '0.0');
    sql(
      db,
      'update-schema',
      ...(tools.schemaDir
        ? ['--schema-dir', join(tools.schemaDir, schema, 'versioned')]
        : ['--schema-name', `postgresql/v12/${schema}`]),
    );
  }
}

async function hostIds(pool, membershipPort) {
  const { rows } = await pool.query("SELECT encode(host_id, 'hex') AS id FROM cluster_membership WHERE rpc_port = $1", [
    membershipPort,
  ]);
  return rows.map((r) => r.id);
}

async function frontendAnswers(address) {
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
    return true;
  } finally {
    await connection.close();
  }
}

/** The namespace, then fabu's search attributes (the registration the API and worker also run at start). */
async function registerNamespace(address, namespace, log) {
  const { ensureSearchAttributes } = await import(
    pathToFileURL(join(ROOT, 'dist', 'src', 'temporal', 'search-attributes.js')).href
  );
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        description: 'fabu approval chains',
        workflowExecutionRetentionPeriod: { seconds: 7 * 24 * 3600 },
      });
      log(`namespace ${namespace} registered`);
    } catch (err) {
      if (err?.code !== GRPC_ALREADY_EXISTS) throw err;
    }
    // A new namespace reaches the services' caches within a few seconds; until then it is "not found".
    const added = await until(
      `namespace ${namespace} usable`,
      async () => ensureSearchAttributes(connection, namespace),
      {
        ms: 60_000,
        every: 500,
      },
    );
    if (added.length) log(`search attributes registered: ${added.join(', ')}`);
  } finally {
    await connection.close();
  }
}

async function healthy(url) {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
  return res.status === 200;
}

function printTable(rows, cluster) {
  const width = Math.max(...rows.map((r) => r.what.length));
  const pidWidth = Math.max(...rows.map((r) => String(r.pid).length), 3);
  const lines = [
    '',
    'fabu (发布) cluster is running',
    '',
    `  ${'what'.padEnd(width)}  ${'pid'.padStart(pidWidth)}  where`,
    ...rows.map((r) => `  ${r.what.padEnd(width)}  ${String(r.pid).padStart(pidWidth)}  ${r.where}`),
    '',
    `  TEMPORAL_ADDRESS=${cluster.temporalAddress}  namespace ${cluster.namespace}`,
    `  DATABASE_URL=${cluster.databaseUrl.replace(/\/\/([^:]+):[^@]+@/, '//$1:***@')}`,
    `  logs: ${shown(join(cluster.dataDir, 'logs'))}/<name>.log`,
    '',
    'Log in on any API (a token from one works on the others):',
    `  curl -s -X POST ${cluster.apiUrls[0]}/api/auth/dev-login -H 'content-type: application/json' -d '{"username":"sunli"}'`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let cluster;
  let stopping = false;
  const shutdown = (signal) => {
    if (stopping) {
      process.stderr.write(`fabu cluster: second ${signal}: exiting now (the children stop themselves)\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`fabu cluster: ${signal}: stopping everything\n`);
    // During the start there is nothing to stop in order yet: the exit guard sends each child SIGTERM.
    void (cluster ? cluster.stop() : Promise.resolve()).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`fabu cluster: stop failed: ${err?.stack ?? err}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  try {
    cluster = await startCluster();
    printTable(cluster.describe(), cluster);
  } catch (err) {
    process.stderr.write(`fabu cluster: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
