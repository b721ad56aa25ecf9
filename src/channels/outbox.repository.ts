import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ReleasePayload } from './channels.schemas.js';

/** An outbox row claimed for delivery, with where its channel sends it now. */
export interface ClaimedDelivery {
  id: string;
  idempotencyKey: string;
  channel: string;
  payload: ReleasePayload;
  /** Attempts made before this one. */
  attempts: number;
  kind: 'local' | 'webhook';
  url: string | null;
  secret: string | null;
}

@Injectable()
export class OutboxRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Claims up to `limit` pending rows due at `now`, soonest first. SKIP LOCKED lets several workers
   * claim at once without waiting on or taking each other's rows; the claim then moves the rows'
   * next attempt to `leaseUntil`, so no one claims them again while they are being delivered (no
   * transaction stays open during an HTTP call), and a worker that dies mid-delivery only delays
   * them. A row whose release has an earlier channel not yet delivered waits for it (N7: the
   * government's own channel first).
   */
  async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedDelivery[]> {
    const rows: Array<{
      id: string;
      idempotency_key: string;
      channel: string;
      payload: ReleasePayload;
      attempts: number;
      kind: ClaimedDelivery['kind'];
      url: string | null;
      secret: string | null;
    }> = await this.db.query(
      `WITH due AS (
         SELECT o.id FROM outbox o
         WHERE o.status = 'pending' AND o.next_attempt_at <= $1
           AND NOT EXISTS (
             SELECT 1 FROM outbox e
             WHERE e.release_key = o.release_key AND e.position < o.position AND e.status <> 'delivered')
         ORDER BY o.next_attempt_at, o.id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       ), claimed AS (
         UPDATE outbox o SET next_attempt_at = $3 FROM due WHERE o.id = due.id
         RETURNING o.id, o.idempotency_key, o.channel, o.payload, o.attempts
       )
       SELECT c.*, ch.kind, ch.url, ch.secret FROM claimed c JOIN channels ch ON ch.key = c.channel ORDER BY c.id`,
      [now, limit, leaseUntil],
    );
    return rows.map((r) => ({
      id: r.id,
      idempotencyKey: r.idempotency_key,
      channel: r.channel,
      payload: r.payload,
      attempts: r.attempts,
      kind: r.kind,
      url: r.url,
      secret: r.secret,
    }));
  }

  async markDelivered(id: string, at: Date, m: EntityManager = this.db.manager): Promise<void> {
    await m.query(
      `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $2
       WHERE id = $1 AND status = 'pending'`,
      [id, at],
    );
  }

  /** Whether the delivery with this key is done (false while pending or dead, or unknown). */
  async isDelivered(idempotencyKey: string): Promise<boolean> {
    const rows = await this.db.query<Array<{ status: string }>>(
      `SELECT status FROM outbox WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0]?.status === 'delivered';
  }

  /** A local channel publishes by keeping the post; it and the delivery are one transaction. */
  async postLocally(d: ClaimedDelivery, at: Date): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO channel_posts (channel, idempotency_key, payload, published_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [d.channel, d.idempotencyKey, d.payload, at],
      );
      await this.markDelivered(d.id, at, m);
    });
  }

  /** Records a failed attempt: retried at `retryAt`, or dead once it was the `maxAttempts`-th. */
  async markFailed(id: string, error: string, retryAt: Date, maxAttempts: number): Promise<'pending' | 'dead'> {
    const rows: Array<{ status: 'pending' | 'dead' }> = await this.db.query(
      `WITH failed AS (
         UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
           status = CASE WHEN attempts + 1 >= $4 THEN 'dead' ELSE 'pending' END
         WHERE id = $1 AND status = 'pending'
         RETURNING status
       ) SELECT status FROM failed`,
      [id, error.slice(0, 1000), retryAt, maxAttempts],
    );
    return rows[0]?.status ?? 'pending';
  }
}
