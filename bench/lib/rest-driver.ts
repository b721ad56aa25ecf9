// Drives approval chains through fabu's REST API the way its users do: the applicant starts a
// request and attaches its documents, each step's holder finds the task in their inbox and decides
// it. Used by the benchmark (its pieces, one chain at a time), the soak and the chaos run (runLoad).
//
// Every POST is safe to repeat: a start and a decision carry an Idempotency-Key (a decision's key
// becomes its Temporal Update id), an upload of the same bytes is the same document version. So a
// 5xx or a refused connection (a server restarting) is retried with the same key, round robin over
// the API base URLs, and neither loses nor duplicates anything.
import { randomUUID } from 'node:crypto';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { H3_CHAIN } from '../../test/support/h3.js';
import { type ChainOps, type PaceError, errorText, paceChains, sleep } from './pacer.js';

export { errorText, sleep };

export const H3_PROCESS = 'huludao-government-conference';
/** Who decides each H3 step (test/support/h3.ts, the demo directory). */
export const H3_HOLDERS: ReadonlyMap<string, string> = new Map(H3_CHAIN.map(([step, user]) => [step, user]));
export const H3_APPLICANT = 'sunli';
/** The documents H3's filing step requires (fabu:materials, H6 art. 34). */
export const H3_MATERIALS = ['release-statement', 'host-script', 'qa-lines', 'background', 'venue-plan'];

/** A conference this many working days ahead: H1 wants 7 between application and conference. */
export function conferenceDateAhead(workingDays = 15): string {
  return bundledCalendar().addWorkingDays(businessDate(new Date()), workingDays).date;
}

export interface RestOptions {
  /** How long a call keeps retrying 5xx answers and refused connections (ms). */
  retryForMs?: number;
  /** One attempt's time limit (ms). */
  attemptTimeoutMs?: number;
}

export interface RestResponse {
  status: number;
  // JSON bodies of many shapes; each caller reads the fields it needs.
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Attempts made (1 = answered the first time). */
  attempts: number;
}

/** HTTP to one or more fabu APIs, round robin, with tokens per API and user and retries for safe calls. */
export class FabuRest {
  private turn = 0;
  private readonly tokens = new Map<string, Promise<string>>();
  readonly retryForMs: number;
  readonly attemptTimeoutMs: number;

  constructor(
    readonly baseUrls: string[],
    opts: RestOptions = {},
  ) {
    if (baseUrls.length === 0) throw new Error('FabuRest: no base URL');
    this.retryForMs = opts.retryForMs ?? 120_000;
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 30_000;
  }

  nextBase(): string {
    return this.baseUrls[this.turn++ % this.baseUrls.length]!;
  }

  /** A token for a demo user from that API (POST /api/auth/dev-login), cached. */
  token(base: string, username: string): Promise<string> {
    const key = `${base} ${username}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.call(base, 'POST', '/api/auth/dev-login', { json: { username } }).then((res) => {
        if (res.status !== 200) throw new Error(`dev-login ${username}: ${res.status} ${brief(res.body)}`);
        return (res.body as { token: string }).token;
      });
      // A failed login is not kept: the next call tries again.
      token.catch(() => this.tokens.delete(key));
      this.tokens.set(key, token);
    }
    return token;
  }

  /**
   * One API call as `username` (none: anonymous). `retry` (default: GET, or any call with an
   * Idempotency-Key) repeats it on a 5xx or a network error, each time on the next base URL, until
   * retryForMs; a 401 fetches a new token once (an API restarted with another key).
   */
  async request(
    method: string,
    path: string,
    opts: {
      username?: string;
      json?: unknown;
      form?: () => FormData;
      headers?: Record<string, string>;
      retry?: boolean;
    } = {},
  ): Promise<RestResponse> {
    const retry = opts.retry ?? (method === 'GET' || Boolean(opts.headers?.['Idempotency-Key']));
    const giveUpAt = performance.now() + this.retryForMs;
    let relogin = true;
    let lastError: string;
    for (let attempt = 1, wait = 100; ; attempt++, wait = Math.min(wait * 2, 2000)) {
      const base = this.nextBase();
      try {
        const auth: Record<string, string> = opts.username
          ? { authorization: `Bearer ${await this.token(base, opts.username)}` }
          : {};
        const res = await this.call(base, method, path, { ...opts, headers: { ...auth, ...opts.headers } });
        if (res.status === 401 && opts.username && relogin) {
          // Tokens of this user are stale everywhere (e.g. a new signing key): log in again, once.
          relogin = false;
          for (const key of [...this.tokens.keys()]) if (key.endsWith(` ${opts.username}`)) this.tokens.delete(key);
          continue;
        }
        if (res.status < 500 || !retry) return { ...res, attempts: attempt };
        lastError = `${res.status} ${brief(res.body)}`;
      } catch (err) {
        if (!retry) throw err;
        lastError = errorText(err);
      }
      if (performance.now() + wait > giveUpAt) {
        throw new Error(`${method} ${path}: gave up after ${attempt} attempts, last: ${lastError}`);
      }
      await sleep(wait);
    }
  }

  private async call(
    base: string,
    method: string,
    path: string,
    opts: { json?: unknown; form?: () => FormData; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form();
    else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(base + path, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(this.attemptTimeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: res.status, body: parsed };
  }
}

// ---------------------------------------------------------------------------------------------
// The lower-level pieces: log in, start, attach, decide, wait for the inbox.

/** A token for a demo user (POST /api/auth/dev-login) from the next API. */
export function login(rest: FabuRest, username: string): Promise<string> {
  return rest.token(rest.nextBase(), username);
}

export interface StartedRequest {
  id: string;
  /** The tasks open once POST /api/requests answered (update-with-start: projected already). */
  openTasks: string[];
  latencyMs: number;
}

/** POST /api/requests as the applicant, with an Idempotency-Key (a retry returns the same request). */
export async function startRequest(
  rest: FabuRest,
  o: {
    applicant: string;
    processKey: string;
    title: string;
    conferenceDate?: string;
    variables?: Record<string, unknown>;
    materials?: string[];
    idempotencyKey?: string;
  },
): Promise<StartedRequest> {
  const started = performance.now();
  const res = await rest.request('POST', '/api/requests', {
    username: o.applicant,
    headers: { 'Idempotency-Key': o.idempotencyKey ?? randomUUID() },
    json: {
      processKey: o.processKey,
      title: o.title,
      conferenceDate: o.conferenceDate ?? conferenceDateAhead(),
      ...(o.materials ? { materials: o.materials } : {}),
      ...(o.variables ? { variables: o.variables } : {}),
    },
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`POST /api/requests (${o.processKey}): ${res.status} ${brief(res.body)}`);
  }
  const tasks = (res.body.tasks ?? []) as Array<{ id: string; status: string }>;
  return {
    id: res.body.id as string,
    openTasks: tasks.filter((t) => t.status === 'open').map((t) => t.id),
    latencyMs: performance.now() - started,
  };
}

/**
 * POST /api/requests/:id/documents/batch: one small PDF per kind, their bytes unique to the
 * request, in one upload (the chain is told of them in one Update).
 */
export async function attachDocuments(rest: FabuRest, username: string, requestId: string, kinds: string[]) {
  if (!kinds.length) return;
  const res = await rest.request('POST', `/api/requests/${requestId}/documents/batch`, {
    username,
    // The same bytes again are the same versions (200), so a retried upload duplicates nothing.
    retry: true,
    form: () => {
      const form = new FormData();
      for (const kind of kinds) {
        const bytes = Buffer.from(`%PDF-1.7\n% ${requestId} ${kind}\n%%EOF\n`);
        form.append(kind, new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), `${kind}.pdf`);
      }
      return form;
    },
  });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`upload ${kinds.join(', ')} to ${requestId}: ${res.status} ${brief(res.body)}`);
  }
}

/** Uploads what a task's step still needs (GET /api/tasks/:id → materials.missing) as its holder. */
export async function attachMissing(rest: FabuRest, username: string, taskId: string): Promise<string[]> {
  const res = await rest.request('GET', `/api/tasks/${taskId}`, { username });
  if (res.status !== 200) throw new Error(`GET /api/tasks/${taskId}: ${res.status} ${brief(res.body)}`);
  const missing = (res.body.materials?.missing ?? []) as string[];
  await attachDocuments(rest, username, res.body.requestId as string, missing);
  return missing;
}

/** Starts an H3 request as 孙丽 (教育局) and attaches the five documents its filing needs. */
export async function startH3(
  rest: FabuRest,
  o: { title: string; idempotencyKey?: string; conferenceDate?: string },
): Promise<StartedRequest> {
  const started = await startRequest(rest, {
    applicant: H3_APPLICANT,
    processKey: H3_PROCESS,
    title: o.title,
    conferenceDate: o.conferenceDate,
    materials: ['发布稿', '主持词', '答问口径'],
    idempotencyKey: o.idempotencyKey,
  });
  await attachDocuments(rest, H3_APPLICANT, started.id, H3_MATERIALS);
  return started;
}

/** The BPMN element of a task id `<request>.<element>.<round>`. */
export function elementOf(taskId: string): string {
  return taskId.split('.')[1] ?? '';
}
export function requestOf(taskId: string): string {
  return taskId.split('.')[0] ?? '';
}

export interface Decided {
  taskId: string;
  status: 'running' | 'completed';
  outcome?: string;
  openTasks: string[];
  /** From the first attempt to the answer, retries included (ms). */
  latencyMs: number;
  attempts: number;
}

/**
 * POST /api/tasks/:id/decision as `username`, with an Idempotency-Key (default: one per task).
 * Retried with the same key on 5xx and network errors. When an earlier attempt was applied but its
 * answer lost, the retry may find the chain moved on (409): the request's own record then says
 * whether this user's decision is there, and it counts as answered, once.
 */
export async function decideTask(
  rest: FabuRest,
  o: { taskId: string; username: string; action?: 'approve' | 'reject'; comment?: string; idempotencyKey?: string },
): Promise<Decided> {
  const started = performance.now();
  const action = o.action ?? 'approve';
  const res = await rest.request('POST', `/api/tasks/${o.taskId}/decision`, {
    username: o.username,
    headers: { 'Idempotency-Key': o.idempotencyKey ?? `decide-${o.taskId}` },
    json: { action, comment: o.comment ?? '同意' },
  });
  if (res.status === 200) {
    return {
      taskId: o.taskId,
      status: res.body.status,
      outcome: res.body.outcome,
      openTasks: res.body.openTasks ?? [],
      latencyMs: performance.now() - started,
      attempts: res.attempts,
    };
  }
  if (res.status === 409 && res.attempts > 1) {
    const view = await requestView(rest, o.username, requestOf(o.taskId));
    const task = view.tasks.find((t) => t.id === o.taskId);
    if (task?.decidedBy === o.username && task.decision === action) {
      return {
        taskId: o.taskId,
        status: view.status === 'running' ? 'running' : 'completed',
        outcome: view.outcome ?? undefined,
        openTasks: view.tasks.filter((t) => t.status === 'open').map((t) => t.id),
        latencyMs: performance.now() - started,
        attempts: res.attempts,
      };
    }
  }
  throw new Error(`decide ${o.taskId} as ${o.username}: ${res.status} ${brief(res.body)}`);
}

export interface RequestView {
  id: string;
  status: string;
  outcome: string | null;
  tasks: Array<{ id: string; status: string; candidates: string[]; decidedBy: string | null; decision: string | null }>;
}

/** GET /api/requests/:id (the read model). */
export async function requestView(rest: FabuRest, username: string, requestId: string): Promise<RequestView> {
  const res = await rest.request('GET', `/api/requests/${requestId}`, { username });
  if (res.status !== 200) throw new Error(`GET /api/requests/${requestId}: ${res.status} ${brief(res.body)}`);
  return res.body as RequestView;
}

/**
 * Polls the user's inbox (GET /api/tasks, every page) until the task shows (`present`) or is gone;
 * returns the time from the call until the first answer that showed it (ms). Throws after timeoutMs.
 */
export async function waitForTask(
  rest: FabuRest,
  o: { username: string; taskId: string; present?: boolean; processKey?: string; timeoutMs?: number; pollMs?: number },
): Promise<number> {
  const started = performance.now();
  const present = o.present ?? true;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const deadline = started + timeoutMs;
  for (;;) {
    if ((await inboxHas(rest, o.username, o.taskId, o.processKey)) === present) return performance.now() - started;
    if (performance.now() > deadline) {
      throw new Error(`${o.taskId} still ${present ? 'not in' : 'in'} ${o.username}'s inbox after ${timeoutMs} ms`);
    }
    await sleep(o.pollMs ?? 20);
  }
}

async function inboxHas(rest: FabuRest, username: string, taskId: string, processKey?: string): Promise<boolean> {
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const query = new URLSearchParams({ limit: '200' });
    if (processKey) query.set('processKey', processKey);
    if (cursor) query.set('cursor', cursor);
    const res = await rest.request('GET', `/api/tasks?${query}`, { username });
    if (res.status !== 200) throw new Error(`GET /api/tasks as ${username}: ${res.status} ${brief(res.body)}`);
    if ((res.body.items as Array<{ id: string }>).some((t) => t.id === taskId)) return true;
    cursor = res.body.nextCursor ?? undefined;
    if (!cursor) return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// runLoad: H3 chains at a target rate of decisions.

export interface LoadOptions {
  baseUrls: string[];
  /** Target decisions (approvals) per second, paced open-loop. */
  ratePerSecond: number;
  /** How long new decisions are paced in; then the chains in flight are finished (see `finish`). */
  durationMs: number;
  signal?: AbortSignal;
  /** Each step's holder sees the task in GET /api/tasks before deciding it (default true). */
  inbox?: boolean;
  /** After durationMs, decide the rest of the chains already started, at the same pace (default true). */
  finish?: boolean;
  /** Longest time to finish the started chains after durationMs (default 120 s). */
  finishTimeoutMs?: number;
  /** How long one call keeps retrying 5xx and refused connections (default 120 s). */
  retryForMs?: number;
  /** Distinguishes this run's idempotency keys and titles (default: random). */
  runId?: string;
  /** Called for each error as it happens (e.g. to print it). */
  onError?: (error: LoadError) => void;
}

export type LoadError = PaceError;

export interface LoadResult {
  requestIds: string[];
  decisions: number;
  errors: LoadError[];
  /** Per decision, first attempt to answer, retries included (ms). */
  decideLatenciesMs: number[];
  /** Per decision, when it was answered (ms since the load began), in the order of decideLatenciesMs. */
  decidedAtMs: number[];
  /** Per decision: its answer → the next task seen in its holder's inbox, or (last step) the decided one gone (ms); with `inbox`. */
  freshnessMs: number[];
  chainsCompleted: number;
  /** Decisions that needed more than one attempt. */
  retriedDecisions: number;
  elapsedMs: number;
}

export interface ReadyTask {
  taskId: string;
  username: string;
}

/** A chain with a fixed cast: who applies, with what, and who decides each step. */
export interface Cast {
  processKey: string;
  applicant: string;
  /** Step (BPMN element id) → the demo user who decides it. */
  holders: ReadonlyMap<string, string>;
  variables?: Record<string, unknown>;
  /** Attached by the applicant right after the start (document kinds). */
  documents?: string[];
}

export const H3_CAST: Cast = {
  processKey: H3_PROCESS,
  applicant: H3_APPLICANT,
  holders: H3_HOLDERS,
  documents: H3_MATERIALS,
};

/** U1 (淮南), a city-wide item: 崔丽 applies, 杜悦 of the press office reviews, 唐林 approves; no documents. */
export const U1_CAST: Cast = {
  processKey: 'huainan-conference',
  applicant: 'cuili',
  holders: new Map([
    ['apply', 'cuili'],
    ['review-press-office', 'duyue'],
    ['approve-deputy-secretary-general', 'tanglin'],
  ]),
  variables: { cityWide: true },
};

/**
 * Chains of a cast through REST as pacer ops: the applicant starts each (and attaches its
 * documents); each step is decided by its holder, with `inbox` once it shows in their
 * GET /api/tasks (the time from the previous decision's answer to that, or after the last one
 * until the decided task has left the inbox, is kept in freshnessMs).
 */
export function castChains(rest: FabuRest, cast: Cast, o: { runId: string; inbox: boolean; conferenceDate?: string }) {
  const conferenceDate = o.conferenceDate ?? conferenceDateAhead();
  const requestIds: string[] = [];
  const freshnessMs: number[] = [];
  const counts = { retriedDecisions: 0 };

  /** A task just opened: its holder looks for it in their inbox, then it is ready to decide. */
  const opened = async (taskId: string, decidedAt?: number): Promise<ReadyTask> => {
    const username = cast.holders.get(elementOf(taskId));
    if (!username) throw new Error(`${taskId}: no holder for step ${elementOf(taskId)} of ${cast.processKey}`);
    if (o.inbox) {
      await waitForTask(rest, { username, taskId, processKey: cast.processKey });
      if (decidedAt !== undefined) freshnessMs.push(performance.now() - decidedAt);
    }
    return { taskId, username };
  };

  const ops: ChainOps<ReadyTask> = {
    async start(n) {
      const started = await startRequest(rest, {
        applicant: cast.applicant,
        processKey: cast.processKey,
        title: `压测发布会 ${o.runId}-${n}`,
        conferenceDate,
        ...(cast.processKey === H3_PROCESS ? { materials: ['发布稿', '主持词', '答问口径'] } : {}),
        ...(cast.variables ? { variables: cast.variables } : {}),
        idempotencyKey: `load-${o.runId}-start-${n}`,
      });
      await attachDocuments(rest, cast.applicant, started.id, cast.documents ?? []);
      requestIds.push(started.id);
      return Promise.all(started.openTasks.map((id) => opened(id)));
    },
    async decide(task) {
      const decided = await decideTask(rest, {
        taskId: task.taskId,
        username: task.username,
        idempotencyKey: `load-${o.runId}-${task.taskId}`,
      });
      if (decided.attempts > 1) counts.retriedDecisions++;
      const requestId = requestOf(task.taskId);
      const answered = performance.now();
      if (decided.status === 'completed') {
        if (decided.outcome !== 'approved') throw new Error(`${requestId} ended ${decided.outcome}, not approved`);
        // The last step has no next task: its freshness is the decided one gone from the inbox.
        if (o.inbox) {
          await waitForTask(rest, {
            username: task.username,
            taskId: task.taskId,
            present: false,
            processKey: cast.processKey,
          });
          freshnessMs.push(performance.now() - answered);
        }
        return { latencyMs: decided.latencyMs, next: [], done: true };
      }
      const next = decided.openTasks.filter((id) => id !== task.taskId);
      if (next.length === 0) throw new Error(`${requestId} is running with no open task after ${task.taskId}`);
      const ready = await Promise.all(next.map((id) => opened(id, answered)));
      return { latencyMs: decided.latencyMs, next: ready, done: false };
    },
  };
  return { ops, requestIds, freshnessMs, counts };
}

/** H3 chains (see castChains): 孙丽 starts each with its five documents. */
export function h3Chains(rest: FabuRest, o: { runId: string; inbox: boolean; conferenceDate?: string }) {
  return castChains(rest, H3_CAST, o);
}

/**
 * Drives H3 chains through REST at `ratePerSecond` decisions per second for `durationMs`, paced
 * open-loop (bench/lib/pacer.ts), each step decided by its holder once it shows in their inbox.
 * With `finish` (default) the chains in flight are then decided to the end, so every chain started
 * has completed when it returns.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const rest = new FabuRest(o.baseUrls, { retryForMs: o.retryForMs });
  const chains = h3Chains(rest, { runId: o.runId ?? randomUUID().slice(0, 8), inbox: o.inbox ?? true });
  const paced = await paceChains(chains.ops, o);
  return {
    requestIds: chains.requestIds,
    decisions: paced.decisions,
    errors: paced.errors,
    decideLatenciesMs: paced.latenciesMs,
    decidedAtMs: paced.decidedAtMs,
    freshnessMs: chains.freshnessMs,
    chainsCompleted: paced.chainsCompleted,
    retriedDecisions: chains.counts.retriedDecisions,
    elapsedMs: paced.elapsedMs,
  };
}

/**
 * Any chain to its end through REST, for processes without a fixed cast: each open task is decided
 * (approve) by its first candidate, after they attach what its step still needs. Returns the
 * number of decisions.
 */
export async function driveToEnd(rest: FabuRest, requestId: string, applicant: string): Promise<number> {
  let decisions = 0;
  for (let round = 0; round < 50; round++) {
    const view = await requestView(rest, applicant, requestId);
    if (view.status !== 'running') {
      if (view.outcome !== 'approved') throw new Error(`${requestId} ended ${view.status} ${view.outcome}`);
      return decisions;
    }
    // One decision, then look again: in a 或签 step one approval closes the other candidates' tasks.
    const task = view.tasks.find((t) => t.status === 'open');
    if (!task) {
      await sleep(50);
      continue;
    }
    const username = task.candidates[0];
    if (!username) throw new Error(`${task.id} has no candidate`);
    await attachMissing(rest, username, task.id);
    await decideTask(rest, { taskId: task.id, username });
    decisions++;
  }
  throw new Error(`${requestId} did not finish after 50 rounds of decisions`);
}

function brief(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return (text ?? '').slice(0, 300);
}
