import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import type { RuntimeSettings } from '../runtime.js';
import { type ClaimedDelivery, OutboxRepository } from './outbox.repository.js';
import { OUTBOX_CHANNEL } from './releases.repository.js';
import { webhookHeaders } from './webhook-signature.js';

export interface OutboxOptions {
  /** Looks for due rows this often when no NOTIFY wakes it. */
  pollMs: number;
  /** The first retry waits this long; each next one twice as long, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** The attempt that makes a row dead (it is then left for an operator). */
  maxAttempts: number;
  /** A webhook that has not answered by then counts as failed. */
  timeoutMs: number;
  /** Rows claimed (and delivered concurrently) per pass. */
  batchSize: number;
  /** Where to LISTEN for new rows; absent: polling only. */
  listenUrl?: string;
  logger: Logger;
}
export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

export function outboxOptions(runtime: RuntimeSettings): OutboxOptions {
  const env = runtime.config.env;
  return {
    pollMs: env.OUTBOX_POLL_MS,
    retryBaseMs: env.OUTBOX_RETRY_BASE_MS,
    retryMaxMs: Math.max(env.OUTBOX_RETRY_BASE_MS, 3_600_000),
    maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
    timeoutMs: env.OUTBOX_DELIVERY_TIMEOUT_MS,
    batchSize: 5,
    listenUrl: runtime.databaseUrl,
    logger: runtime.logger,
  };
}

/** Exponential: base, 2·base, 4·base, … after the 1st, 2nd, 3rd failed attempt, capped. */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, failedAttempts - 1), maxMs);
}

/**
 * Delivers the outbox (N7, H7, U2): each release reaches its channels at least once, in order,
 * whatever process wrote it; the idempotency key makes it exactly once for a receiver that dedupes.
 * Runs in the worker process(es) only; any number of them share the work (SKIP LOCKED). It wakes on
 * NOTIFY fabu_outbox from a dedicated connection, and polls every pollMs in case a notification
 * was missed (a dropped connection, a row whose retry came due).
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private loop?: Promise<void>;
  private stopping = false;
  private listener?: pg.Client;
  private listenFailed = false;
  /** Set by a NOTIFY: the next idle wait returns at once (a notification during a pass is not lost). */
  private poked = false;
  /** Callers of delivered(), by idempotency key. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private wake?: () => void;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(OUTBOX_OPTIONS) private readonly options: OutboxOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.stopping = false;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.poke();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /**
   * One pass: claims the rows due at `now`, delivers them and records each outcome; a failure
   * is retried at `now` plus the backoff. Returns how many rows it claimed. Tests drive it directly
   * with their own `now`, so no test waits on the clock.
   */
  async deliverDue(now: Date = new Date()): Promise<number> {
    const leaseUntil = new Date(now.getTime() + this.options.timeoutMs + 30_000);
    const claimed = await this.outbox.claimDue(now, this.options.batchSize, leaseUntil);
    await Promise.all(claimed.map((d) => this.deliverOne(d, now)));
    return claimed.length;
  }

  private async deliverOne(d: ClaimedDelivery, now: Date): Promise<void> {
    const { logger, maxAttempts, retryBaseMs, retryMaxMs } = this.options;
    let error: string | undefined;
    try {
      error = await this.attempt(d, now);
    } catch (err) {
      error = reasonOf(err);
    }
    if (error === undefined) return;
    const retryAt = new Date(now.getTime() + retryDelayMs(d.attempts + 1, retryBaseMs, retryMaxMs));
    const context = { channel: d.channel, idempotencyKey: d.idempotencyKey, attempt: d.attempts + 1, error };
    try {
      const status = await this.outbox.markFailed(d.id, error, retryAt, maxAttempts);
      if (status === 'dead') logger.error(context, 'release delivery gave up: dead after the last attempt');
      else logger.warn({ ...context, retryAt: retryAt.toISOString() }, 'release delivery failed; will retry');
    } catch (err) {
      // The claim's lease runs out and the row is tried again: nothing is lost, only delayed.
      logger.error({ ...context, err }, 'could not record a failed release delivery');
    }
  }

  /** Delivers once; undefined when delivered (and recorded), else why not. */
  private async attempt(d: ClaimedDelivery, now: Date): Promise<string | undefined> {
    if (d.kind === 'local') {
      await this.outbox.postLocally(d, now);
      this.settle(d.idempotencyKey);
      return undefined;
    }
    if (!d.url || !d.secret) return 'webhook channel without url or secret';
    const body = JSON.stringify(d.payload);
    // The signature's timestamp is the wall clock: it is what the receiver compares with its own.
    const timestamp = Math.floor(Date.now() / 1000);
    const res = await fetch(d.url, {
      method: 'POST',
      headers: webhookHeaders(d.secret, d.idempotencyKey, body, timestamp),
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const answer = await res.text().catch(() => '');
    if (!res.ok) return `HTTP ${res.status}${answer ? `: ${answer.slice(0, 200)}` : ''}`;
    await this.outbox.markDelivered(d.id, now);
    this.settle(d.idempotencyKey);
    return undefined;
  }

  /**
   * Resolves once the delivery with this key is recorded as done, by this dispatcher or before the
   * call: what waits on a release (a test, an operator's tool) is told, it need not poll.
   */
  async delivered(idempotencyKey: string): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.waiting.set(idempotencyKey, [...(this.waiting.get(idempotencyKey) ?? []), resolve]);
    });
    if (await this.outbox.isDelivered(idempotencyKey)) this.settle(idempotencyKey);
    return done;
  }

  private settle(idempotencyKey: string): void {
    this.waiting.get(idempotencyKey)?.forEach((resolve) => resolve());
    this.waiting.delete(idempotencyKey);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.listen();
      let claimed = 0;
      try {
        claimed = await this.deliverDue();
      } catch (err) {
        this.options.logger.error({ err }, 'outbox pass failed');
      }
      // A full or partial pass may have unblocked a release's next channel: look again at once.
      if (claimed === 0 && !this.stopping) await this.idle(this.options.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.poked = false;
        resolve();
      };
    });
  }

  private poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** A dedicated connection for LISTEN (a pooled one would be handed to others); re-made if it drops. */
  private async listen(): Promise<void> {
    if (this.listener || !this.options.listenUrl || this.stopping) return;
    const client = new pg.Client({ connectionString: this.options.listenUrl });
    client.on('notification', () => this.poke());
    client.on('error', (err) => {
      this.options.logger.warn({ err }, 'outbox LISTEN connection lost; polling until it is back');
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      this.listenFailed = false;
    } catch (err) {
      if (!this.listenFailed) this.options.logger.warn({ err }, 'outbox cannot LISTEN; polling only for now');
      this.listenFailed = true;
      await client.end().catch(() => undefined);
    }
  }
}

/**
 * fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. Read by
 * shape: an error from another realm (fetch's own, a test's VM) is not `instanceof Error` here.
 */
function reasonOf(err: unknown): string {
  const { message, cause } = (err ?? {}) as { message?: unknown; cause?: { message?: unknown } };
  if (typeof message !== 'string') return String(err);
  return typeof cause?.message === 'string' ? `${message}: ${cause.message}` : message;
}
