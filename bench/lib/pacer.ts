// How the load is offered, the same for fabu and the bare-Temporal baseline: chains of approvals,
// either paced open-loop at a rate of decisions (latency at a given load; the soak) or as many as
// a fixed number of clients can push one step after another (closed loop: throughput).

/** One kind of chain: how to start one, and how to decide one of its steps. */
export interface ChainOps<Step> {
  /** Starts chain number `n`; its first steps, ready to decide. */
  start(n: number): Promise<Step[]>;
  /**
   * Decides one step. `latencyMs`: the decision alone (what the figures report); `next`: the steps
   * it opened, ready to decide (the time to make them ready is not in latencyMs); `done`: the chain
   * completed with this decision.
   */
  decide(step: Step): Promise<{ latencyMs: number; next: Step[]; done: boolean }>;
}

export interface PaceError {
  at: string;
  message: string;
}

export interface PaceResult {
  decisions: number;
  /** Per decision, in the order they were answered (ms). */
  latenciesMs: number[];
  /** Per decision, when it was answered (ms since the load began). */
  decidedAtMs: number[];
  chainsStarted: number;
  chainsCompleted: number;
  errors: PaceError[];
  elapsedMs: number;
}

function newResult(): PaceResult {
  return {
    decisions: 0,
    latenciesMs: [],
    decidedAtMs: [],
    chainsStarted: 0,
    chainsCompleted: 0,
    errors: [],
    elapsedMs: 0,
  };
}

export interface PaceOptions {
  ratePerSecond: number;
  durationMs: number;
  signal?: AbortSignal;
  /** After durationMs, decide the rest of the chains already started, at the same pace (default true). */
  finish?: boolean;
  /** Longest time to finish them (default 120 s). */
  finishTimeoutMs?: number;
  onError?: (error: PaceError) => void;
}

/**
 * Open loop: a slot every 1/rate s takes the step that has been ready longest and decides it
 * without waiting for the answer, so a slow answer does not slow the pace (a late slot is caught
 * up at once). Chains are started whenever fewer than rate/2 steps are ready or coming, so a step
 * is at hand when a slot comes; starts are not decisions and are not paced.
 */
export async function paceChains<Step>(ops: ChainOps<Step>, o: PaceOptions): Promise<PaceResult> {
  if (!(o.ratePerSecond > 0)) throw new Error('paceChains: ratePerSecond must be > 0');
  const result = newResult();
  const t0 = performance.now();
  const fail = (message: string) => {
    const error = { at: new Date().toISOString(), message };
    result.errors.push(error);
    o.onError?.(error);
  };
  const ready: Step[] = [];
  let wake: (() => void) | undefined;
  /** Chains started and neither completed nor failed, and chains being started. */
  let live = 0;
  let starting = 0;
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => {
      inFlight.delete(p);
      wake?.();
    });
  };
  const push = (steps: Step[]) => {
    ready.push(...steps);
    wake?.();
  };

  let chainNo = 0;
  const startChain = async () => {
    const n = ++chainNo;
    starting++;
    try {
      const first = await ops.start(n);
      result.chainsStarted++;
      live++;
      push(first);
    } catch (err) {
      fail(`start chain ${n}: ${errorText(err)}`);
    } finally {
      starting--;
    }
  };
  const decide = async (step: Step) => {
    const began = performance.now();
    try {
      const { latencyMs, next, done } = await ops.decide(step);
      result.decisions++;
      result.latenciesMs.push(latencyMs);
      result.decidedAtMs.push(began + latencyMs - t0);
      if (done) {
        live--;
        result.chainsCompleted++;
      } else push(next);
    } catch (err) {
      live--;
      fail(errorText(err));
    }
  };

  const take = async (until: number, mayStart: boolean): Promise<Step | undefined> => {
    for (;;) {
      if (o.signal?.aborted) return undefined;
      const want = Math.max(2, Math.ceil(o.ratePerSecond / 2));
      while (mayStart && ready.length + starting < want) track(startChain());
      const step = ready.shift();
      if (step !== undefined) return step;
      if (!mayStart && live === 0 && starting === 0) return undefined;
      const left = until - performance.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  };
  const interval = 1000 / o.ratePerSecond;
  const pace = async (from: number, until: number, mayStart: boolean) => {
    for (let i = 0; ; i++) {
      const due = from + i * interval;
      if (due >= until || o.signal?.aborted) return;
      if (due > performance.now()) await sleep(due - performance.now());
      const step = await take(until, mayStart);
      if (step === undefined) return;
      track(decide(step));
    }
  };

  const finish = (o.finish ?? true) && !o.signal?.aborted;
  await pace(t0, t0 + o.durationMs, true);
  if (finish) await pace(performance.now(), performance.now() + (o.finishTimeoutMs ?? 120_000), false);
  // Decisions and starts under way answer (or fail) before the result is final.
  while (inFlight.size) await Promise.allSettled([...inFlight]);
  if (finish) {
    if (live > 0) fail(`${live} chains did not finish within the finish timeout`);
    if (ready.length) fail(`${ready.length} steps were still waiting for a decision`);
  }
  result.elapsedMs = performance.now() - t0;
  return result;
}

/**
 * Closed loop: `concurrency` clients, each starting a chain and deciding its steps one after
 * another as soon as they are ready, until `chains` chains were started or `timeLimitMs` passed
 * (chains begun by then are finished). Throughput = decisions / elapsed.
 */
export async function loopChains<Step>(
  ops: ChainOps<Step>,
  o: { concurrency: number; chains: number; timeLimitMs: number; onError?: (error: PaceError) => void },
): Promise<PaceResult> {
  const result = newResult();
  const t0 = performance.now();
  let next = 0;
  const client = async () => {
    while (next < o.chains && performance.now() - t0 < o.timeLimitMs) {
      const n = ++next;
      try {
        const steps = await ops.start(n);
        result.chainsStarted++;
        for (let done = false; !done;) {
          const step = steps.shift();
          if (step === undefined) throw new Error(`chain ${n} has no step to decide and did not complete`);
          const decided = await ops.decide(step);
          result.decisions++;
          result.latenciesMs.push(decided.latencyMs);
          result.decidedAtMs.push(performance.now() - t0);
          steps.push(...decided.next);
          done = decided.done;
        }
        result.chainsCompleted++;
      } catch (err) {
        const error = { at: new Date().toISOString(), message: `chain ${n}: ${errorText(err)}` };
        result.errors.push(error);
        o.onError?.(error);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, client));
  result.elapsedMs = performance.now() - t0;
  return result;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
  }
  return String(err);
}
