import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FabuException } from '../common/problem.js';
import type { Page } from '../directory/directory.repository.js';
import type { ChannelPost, ChannelUpsert, ChannelView, ReleasePayload } from './channels.schemas.js';

interface ChannelRow {
  key: string;
  name: string;
  city: string;
  kind: ChannelView['kind'];
  url: string | null;
  has_secret: boolean;
  updated_at: Date;
}

@Injectable()
export class ChannelsRepository {
  constructor(private readonly db: DataSource) {}

  async list(): Promise<ChannelView[]> {
    const rows: ChannelRow[] = await this.db.query(`${SELECT_CHANNEL} ORDER BY city, key`);
    return rows.map(toChannelView);
  }

  async find(key: string): Promise<ChannelView | null> {
    const rows: ChannelRow[] = await this.db.query(`${SELECT_CHANNEL} WHERE key = $1`, [key]);
    return rows[0] ? toChannelView(rows[0]) : null;
  }

  /** Creates or replaces a channel in one statement; `created` tells which. */
  async save(key: string, c: ChannelUpsert): Promise<{ created: boolean; channel: ChannelView }> {
    const rows: Array<ChannelRow & { created: boolean }> = await this.db.query(
      `INSERT INTO channels AS c (key, name, city, kind, url, secret) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, kind = EXCLUDED.kind,
         url = EXCLUDED.url, secret = EXCLUDED.secret, updated_at = now()
       RETURNING key, name, city, kind, url, secret IS NOT NULL AS has_secret, updated_at, (xmax = 0) AS created`,
      [key, c.name, c.city, c.kind, c.url ?? null, c.secret ?? null],
    );
    const row = rows[0]!;
    return { created: row.created, channel: toChannelView(row) };
  }

  /** What a local channel published, newest first. */
  async pagePosts(channel: string, limit: number, cursor?: string): Promise<Page<ChannelPost>> {
    const rows: Array<{
      id: string;
      channel: string;
      idempotency_key: string;
      payload: ReleasePayload;
      published_at: Date;
    }> = await this.db.query(
      `SELECT id, channel, idempotency_key, payload, published_at FROM channel_posts
       WHERE channel = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
      [channel, cursor === undefined ? null : decodeIdCursor(cursor), limit + 1],
    );
    return pageById(rows, limit, (r) => ({
      id: r.id,
      channel: r.channel,
      idempotencyKey: r.idempotency_key,
      payload: r.payload,
      publishedAt: r.published_at.toISOString(),
    }));
  }
}

const SELECT_CHANNEL = 'SELECT key, name, city, kind, url, secret IS NOT NULL AS has_secret, updated_at FROM channels';

function toChannelView(r: ChannelRow): ChannelView {
  return {
    key: r.key,
    name: r.name,
    city: r.city,
    kind: r.kind,
    url: r.url,
    hasSecret: r.has_secret,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A page of rows read newest first with one row more than `limit`: the cursor is the last id shown. */
export function pageById<R extends { id: string }, T>(rows: R[], limit: number, view: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(view),
    nextCursor: rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null,
  };
}

export function decodeIdCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (/^\d{1,18}$/.test(id) && Buffer.from(id).toString('base64url') === cursor) return id;
  throw new FabuException('VALIDATION_FAILED', 'cursor is not one this API issued', [
    { path: 'cursor', message: 'invalid cursor' },
  ]);
}
