import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ProjectionBatch } from '../../activities/projection.js';
import type { ClockState } from '../../workflows/approval-machine.js';

/**
 * Writes the workflow's changes into the read model. Every statement is idempotent (a retried
 * activity changes nothing) and ordered by `seq` (a late, older batch never overwrites a newer one).
 */
@Injectable()
export class ReadModelRepository {
  constructor(private readonly db: DataSource) {}

  async apply(batch: ProjectionBatch): Promise<void> {
    const r = batch.request;
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO requests (id, process_key, process_version, title, org_code, conference_date, materials, major,
                               initiator, status, stage, outcome, seq, created_at, updated_at, completed_at,
                               variables, round, timers_provisional, cc)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14, now(), $15, $16, $17, $18, $19)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, stage = EXCLUDED.stage, outcome = EXCLUDED.outcome,
           conference_date = EXCLUDED.conference_date, variables = EXCLUDED.variables, round = EXCLUDED.round,
           -- A hand-over (O1) moves the responsible unit; a change (H6) the title.
           title = EXCLUDED.title, org_code = EXCLUDED.org_code,
           timers_provisional = EXCLUDED.timers_provisional, cc = EXCLUDED.cc,
           seq = EXCLUDED.seq, updated_at = now(), completed_at = EXCLUDED.completed_at
         WHERE requests.seq < EXCLUDED.seq`,
        [
          batch.requestId,
          r.processKey,
          r.processVersion,
          r.title,
          r.orgCode,
          r.conferenceDate ?? null,
          JSON.stringify(r.materials),
          r.major,
          r.initiator,
          r.status,
          r.stage,
          r.outcome ?? null,
          batch.seq,
          r.createdAt,
          r.completedAt ?? null,
          JSON.stringify(r.variables ?? {}),
          r.round ?? 1,
          r.timersProvisional ?? false,
          r.cc ?? [],
        ],
      );
      for (const t of batch.tasks) {
        const written = await m.query<Array<{ id: string }>>(
          `INSERT INTO tasks (id, request_id, element_id, name, round, rules, status, due_at, due_provisional, due_basis,
                              overdue, decision, decided_by, comment, opened_at, closed_at, seq, return_to, delegated_to, assignee,
                              on_behalf_of, added_for, add_mode, added_by, blocked_by, skipped)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26)
           ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, due_at = EXCLUDED.due_at,
             due_provisional = EXCLUDED.due_provisional, due_basis = EXCLUDED.due_basis, overdue = EXCLUDED.overdue,
             decision = EXCLUDED.decision, decided_by = EXCLUDED.decided_by, comment = EXCLUDED.comment,
             opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at, seq = EXCLUDED.seq,
             return_to = EXCLUDED.return_to, delegated_to = EXCLUDED.delegated_to,
             assignee = EXCLUDED.assignee, on_behalf_of = EXCLUDED.on_behalf_of, blocked_by = EXCLUDED.blocked_by,
             skipped = EXCLUDED.skipped
           WHERE tasks.seq < EXCLUDED.seq
           RETURNING id`,
          [
            t.taskId,
            batch.requestId,
            t.elementId,
            t.name,
            t.round,
            JSON.stringify(t.rules),
            t.status,
            t.dueAt ?? null,
            t.dueProvisional,
            t.dueBasis ?? null,
            t.overdue,
            t.decision ?? null,
            t.decidedBy ?? null,
            t.comment ?? null,
            t.openedAt ?? null,
            t.closedAt ?? null,
            batch.seq,
            t.returnTo ?? null,
            t.delegatedTo ?? null,
            t.assignee ?? null,
            t.onBehalfOf ? JSON.stringify(t.onBehalfOf) : null,
            t.addedFor ?? null,
            t.addMode ?? null,
            t.addedBy ?? null,
            t.blockedBy ?? null,
            t.skipped ?? null,
          ],
        );
        // Candidates follow the task's newest state (a transfer replaces them); an older batch changes nothing.
        if (written.length) {
          await m.query(`DELETE FROM task_candidates WHERE task_id = $1 AND NOT (username = ANY($2::text[]))`, [
            t.taskId,
            t.candidates,
          ]);
          if (t.candidates.length) {
            await m.query(
              `INSERT INTO task_candidates (task_id, username) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
              [t.taskId, t.candidates],
            );
          }
        }
      }
      for (const c of batch.clocks ?? []) await upsertClock(m, batch.requestId, batch.seq, c);
      for (const e of batch.events) {
        const { seq, at, type, taskId, actor, ...payload } = e;
        // Chained to the request's previous row (events arrive in seq order; a retried batch is a no-op).
        await m.query(
          `INSERT INTO audit_events (event_key, request_id, seq, type, task_id, actor, payload, occurred_at, prev_hash, hash)
           SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, prev.hash,
                  audit_event_hash(prev.hash, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz)
           FROM (SELECT coalesce((SELECT hash FROM audit_events WHERE request_id = $2 AND seq < $3
                                  ORDER BY seq DESC LIMIT 1), '') AS hash) prev
           ON CONFLICT (event_key) DO NOTHING`,
          [
            `${batch.requestId}:${seq}`,
            batch.requestId,
            seq,
            type,
            taskId ?? null,
            actor ?? null,
            JSON.stringify(payload),
            at,
          ],
        );
      }
    });
  }
}

/**
 * An hour clock (H7, O2, U2) as the incident read model keeps it: every batch carries all of the
 * request's clocks, so a row follows its clock's newest state and an older batch changes nothing.
 */
async function upsertClock(m: EntityManager, requestId: string, seq: number, c: ClockState): Promise<void> {
  await m.query(
    `INSERT INTO incident_clocks (request_id, clock_id, name, rules, status, started_at, window_ms, due_at, warn_at,
                                  severity, warned_at, breached_at, met_at, met_by, late, holders, unit, stopped_at, seq)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)
     ON CONFLICT (request_id, clock_id) DO UPDATE SET name = EXCLUDED.name, rules = EXCLUDED.rules,
       status = EXCLUDED.status, started_at = EXCLUDED.started_at, window_ms = EXCLUDED.window_ms,
       due_at = EXCLUDED.due_at, warn_at = EXCLUDED.warn_at, severity = EXCLUDED.severity,
       warned_at = EXCLUDED.warned_at, breached_at = EXCLUDED.breached_at, met_at = EXCLUDED.met_at,
       met_by = EXCLUDED.met_by, late = EXCLUDED.late, holders = EXCLUDED.holders, unit = EXCLUDED.unit,
       stopped_at = EXCLUDED.stopped_at, seq = EXCLUDED.seq
     WHERE incident_clocks.seq < EXCLUDED.seq`,
    [
      requestId,
      c.clockId,
      c.name,
      JSON.stringify(c.rules),
      c.status,
      c.startedAt,
      c.windowMs,
      c.dueAt,
      c.warnAt,
      c.severity ?? null,
      c.warnedAt ?? null,
      c.breachedAt ?? null,
      c.metAt ?? null,
      c.metBy ?? null,
      c.late ?? false,
      JSON.stringify(c.holders ?? []),
      c.unit ?? null,
      c.stoppedAt ?? null,
      seq,
    ],
  );
}
