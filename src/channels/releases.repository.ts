import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FabuException } from '../common/problem.js';
import type { Page } from '../directory/directory.repository.js';
import { decodeIdCursor, pageById } from './channels.repository.js';
import type { ReleaseView } from './channels.schemas.js';

/** One publish step of a chain, to be released on each of its channels in order. */
export interface PublishInput {
  /** `<requestId>:<stepId>`: the same on every retry of the step's activity. */
  releaseKey: string;
  requestId: string;
  /** The BPMN service task that publishes. */
  elementId: string;
  /** In order: the government's own channel first (N7); each later one waits for the earlier ones. */
  channels: string[];
  title: string;
  body: string;
  /** Released together with the body, e.g. a policy document and its interpretation (U2). */
  attachments: Record<string, unknown>;
}

/** A release on one channel, as stored: what a retried publish finds instead of writing twice. */
export interface Release {
  id: string;
  releaseKey: string;
  requestId: string;
  elementId: string;
  channel: string;
  position: number;
  title: string;
  body: string;
  attachments: Record<string, unknown>;
  /** `<releaseKey>:<channel>`: the outbox row's key, and the webhook's Idempotency-Key. */
  idempotencyKey: string;
  createdAt: string;
}

/** Woken by a publish's commit: the worker's dispatcher LISTENs on it. */
export const OUTBOX_CHANNEL = 'fabu_outbox';

@Injectable()
export class ReleasesRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Writes the releases and their outbox rows in one transaction, so a release is delivered if and
   * only if it was recorded (the transactional outbox). Keyed by `<releaseKey>:<channel>` with ON
   * CONFLICT DO NOTHING: a retried activity writes nothing twice and gets the first rows back. An
   * unknown channel refuses the whole release (CHANNEL_NOT_FOUND, retried by the activity until an
   * administrator adds the channel).
   */
  async publish(input: PublishInput): Promise<Release[]> {
    const channels = [...new Set(input.channels)];
    if (channels.length === 0) return [];
    const publishedAt = new Date().toISOString();
    return this.db.transaction(async (m) => {
      const known: Array<{ key: string }> = await m.query('SELECT key FROM channels WHERE key = ANY($1::text[])', [
        channels,
      ]);
      const unknown = channels.filter((c) => !known.some((k) => k.key === c));
      if (unknown.length) {
        throw new FabuException(
          'CHANNEL_NOT_FOUND',
          `${input.releaseKey}: no release channel ${unknown.join(', ')}`,
          unknown.map((c) => ({ path: 'channels', message: `unknown channel ${c}` })),
        );
      }
      await m.query(
        `WITH released AS (
           INSERT INTO releases (release_key, request_id, element_id, channel, position, title, body, attachments,
             idempotency_key, created_at)
           SELECT $1, $2, $3, c.channel, c.n - 1, $5, $6, $7::jsonb, $1 || ':' || c.channel, $8::timestamptz
           FROM unnest($4::text[]) WITH ORDINALITY AS c (channel, n)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING *
         )
         INSERT INTO outbox (idempotency_key, release_key, position, channel, payload)
         SELECT idempotency_key, release_key, position, channel, jsonb_build_object(
           'idempotencyKey', idempotency_key, 'channel', channel, 'requestId', request_id,
           'releaseKey', release_key, 'title', title, 'body', body, 'attachments', attachments,
           'publishedAt', $9::text)
         FROM released
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          input.releaseKey,
          input.requestId,
          input.elementId,
          channels,
          input.title,
          input.body,
          JSON.stringify(input.attachments),
          publishedAt,
          publishedAt,
        ],
      );
      // Delivered by PostgreSQL when this transaction commits, never for a rolled-back one.
      await m.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, input.releaseKey]);
      const rows: ReleaseRow[] = await m.query(
        `SELECT * FROM releases WHERE idempotency_key = ANY($1::text[]) ORDER BY position`,
        [channels.map((c) => `${input.releaseKey}:${c}`)],
      );
      return rows.map(toRelease);
    });
  }

  /** Releases newest first, each with its delivery's state from the outbox. */
  async page(filters: { requestId?: string }, limit: number, cursor?: string): Promise<Page<ReleaseView>> {
    const rows: Array<ReleaseRow & DeliveryRow> = await this.db.query(
      `SELECT r.*, o.status, o.attempts, o.last_error, o.next_attempt_at, o.delivered_at
       FROM releases r JOIN outbox o USING (idempotency_key)
       WHERE ($1::text IS NULL OR r.request_id = $1) AND ($2::bigint IS NULL OR r.id < $2)
       ORDER BY r.id DESC LIMIT $3`,
      [filters.requestId ?? null, cursor === undefined ? null : decodeIdCursor(cursor), limit + 1],
    );
    return pageById(rows, limit, (r) => {
      const { body: _body, attachments: _attachments, ...release } = toRelease(r);
      return {
        ...release,
        status: r.status,
        attempts: r.attempts,
        lastError: r.last_error,
        nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
        deliveredAt: r.delivered_at?.toISOString() ?? null,
      };
    });
  }
}

interface ReleaseRow {
  id: string;
  release_key: string;
  request_id: string;
  element_id: string;
  channel: string;
  position: number;
  title: string;
  body: string;
  attachments: Record<string, unknown>;
  idempotency_key: string;
  created_at: Date;
}

interface DeliveryRow {
  status: ReleaseView['status'];
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
}

function toRelease(r: ReleaseRow): Release {
  return {
    id: r.id,
    releaseKey: r.release_key,
    requestId: r.request_id,
    elementId: r.element_id,
    channel: r.channel,
    position: r.position,
    title: r.title,
    body: r.body,
    attachments: r.attachments,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at.toISOString(),
  };
}
