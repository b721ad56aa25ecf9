import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectionBatch } from '../../activities/projection.js';

/**
 * Writes the workflow's changes into the read model: one call of `apply_projection` (migration
 * 1765200000000), so a batch costs one round trip and is one transaction. Every statement in it
 * is idempotent (a retried activity changes nothing) and ordered by `seq` (a late, older batch
 * never overwrites a newer one).
 */
@Injectable()
export class ReadModelRepository {
  constructor(private readonly db: DataSource) {}

  async apply(batch: ProjectionBatch): Promise<void> {
    await this.db.query('SELECT apply_projection($1::jsonb)', [JSON.stringify(batch)]);
  }
}
