import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read model's writer as one function, `apply_projection(batch jsonb)`: a workflow step's
 * whole batch (the request, the tasks it touched with their candidates, the hour clocks, the new
 * audit rows chained by hash) is written by one call, one round trip and one implicit transaction,
 * instead of a dozen statements between BEGIN and COMMIT sent one by one. The statements are the
 * ones the repository sent before, with the same guards: every write is idempotent (a retried
 * batch changes nothing) and ordered by `seq` (an older batch never overwrites a newer row).
 * It runs with the caller's rights (fabu_runtime may append audit rows, never change them).
 * The batch is the JSON of `ProjectionBatch` (activities/projection.ts); a change of that shape
 * or of these tables replaces the function in a new migration.
 */
export class ProjectionFunction1765200000000 implements MigrationInterface {
  name = 'ProjectionFunction1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION apply_projection(batch jsonb) RETURNS void LANGUAGE plpgsql AS $fn$
        DECLARE
          v_request text := batch->>'requestId';
          v_seq int := (batch->>'seq')::int;
          r jsonb := batch->'request';
          t jsonb;
          c jsonb;
          e jsonb;
          written text;
          candidates text[];
        BEGIN
          INSERT INTO requests (id, process_key, process_version, title, org_code, conference_date, materials, major,
                                initiator, status, stage, outcome, seq, created_at, updated_at, completed_at,
                                variables, round, timers_provisional, cc)
          VALUES (v_request, r->>'processKey', (r->>'processVersion')::int, r->>'title', r->>'orgCode',
                  (r->>'conferenceDate')::date, r->'materials', (r->>'major')::boolean, r->>'initiator',
                  r->>'status', r->>'stage', r->>'outcome', v_seq, (r->>'createdAt')::timestamptz, now(),
                  (r->>'completedAt')::timestamptz, coalesce(nullif(r->'variables', 'null'), '{}'),
                  coalesce((r->>'round')::int, 1), coalesce((r->>'timersProvisional')::boolean, false),
                  ARRAY(SELECT jsonb_array_elements_text(coalesce(nullif(r->'cc', 'null'), '[]'))))
          ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, stage = EXCLUDED.stage, outcome = EXCLUDED.outcome,
            conference_date = EXCLUDED.conference_date, variables = EXCLUDED.variables, round = EXCLUDED.round,
            -- A hand-over (O1) moves the responsible unit; a change (H6) the title.
            title = EXCLUDED.title, org_code = EXCLUDED.org_code,
            timers_provisional = EXCLUDED.timers_provisional, cc = EXCLUDED.cc,
            seq = EXCLUDED.seq, updated_at = now(), completed_at = EXCLUDED.completed_at
          WHERE requests.seq < EXCLUDED.seq;

          FOR t IN SELECT value FROM jsonb_array_elements(coalesce(batch->'tasks', '[]')) LOOP
            written := NULL;
            INSERT INTO tasks (id, request_id, element_id, name, round, rules, status, due_at, due_provisional,
                               due_basis, overdue, decision, decided_by, comment, opened_at, closed_at, seq, return_to,
                               delegated_to, assignee, on_behalf_of, added_for, add_mode, added_by, blocked_by, skipped)
            VALUES (t->>'taskId', v_request, t->>'elementId', t->>'name', (t->>'round')::int, t->'rules',
                    t->>'status', (t->>'dueAt')::timestamptz, (t->>'dueProvisional')::boolean, t->>'dueBasis',
                    (t->>'overdue')::boolean, t->>'decision', t->>'decidedBy', t->>'comment',
                    (t->>'openedAt')::timestamptz, (t->>'closedAt')::timestamptz, v_seq, t->>'returnTo',
                    t->>'delegatedTo', t->>'assignee', nullif(t->'onBehalfOf', 'null'), t->>'addedFor',
                    t->>'addMode', t->>'addedBy', t->>'blockedBy', t->>'skipped')
            ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, due_at = EXCLUDED.due_at,
              due_provisional = EXCLUDED.due_provisional, due_basis = EXCLUDED.due_basis, overdue = EXCLUDED.overdue,
              decision = EXCLUDED.decision, decided_by = EXCLUDED.decided_by, comment = EXCLUDED.comment,
              opened_at = EXCLUDED.opened_at, closed_at = EXCLUDED.closed_at, seq = EXCLUDED.seq,
              return_to = EXCLUDED.return_to, delegated_to = EXCLUDED.delegated_to,
              assignee = EXCLUDED.assignee, on_behalf_of = EXCLUDED.on_behalf_of, blocked_by = EXCLUDED.blocked_by,
              skipped = EXCLUDED.skipped
            WHERE tasks.seq < EXCLUDED.seq
            RETURNING id INTO written;
            -- Candidates follow the task's newest state (a transfer replaces them); an older batch changes nothing.
            IF written IS NOT NULL THEN
              candidates := ARRAY(SELECT jsonb_array_elements_text(coalesce(t->'candidates', '[]')));
              DELETE FROM task_candidates WHERE task_id = written AND NOT (username = ANY(candidates));
              INSERT INTO task_candidates (task_id, username) SELECT written, unnest(candidates) ON CONFLICT DO NOTHING;
            END IF;
          END LOOP;

          -- Every hour clock of the request as it is now (H7, O2, U2): a row follows its clock's newest state.
          FOR c IN SELECT value FROM jsonb_array_elements(coalesce(batch->'clocks', '[]')) LOOP
            INSERT INTO incident_clocks (request_id, clock_id, name, rules, status, started_at, window_ms, due_at,
                                         warn_at, severity, warned_at, breached_at, met_at, met_by, late, holders,
                                         unit, stopped_at, seq)
            VALUES (v_request, c->>'clockId', c->>'name', c->'rules', c->>'status', (c->>'startedAt')::timestamptz,
                    (c->>'windowMs')::bigint, (c->>'dueAt')::timestamptz, (c->>'warnAt')::timestamptz,
                    c->>'severity', (c->>'warnedAt')::timestamptz, (c->>'breachedAt')::timestamptz,
                    (c->>'metAt')::timestamptz, c->>'metBy', coalesce((c->>'late')::boolean, false),
                    coalesce(nullif(c->'holders', 'null'), '[]'), c->>'unit', (c->>'stoppedAt')::timestamptz, v_seq)
            ON CONFLICT (request_id, clock_id) DO UPDATE SET name = EXCLUDED.name, rules = EXCLUDED.rules,
              status = EXCLUDED.status, started_at = EXCLUDED.started_at, window_ms = EXCLUDED.window_ms,
              due_at = EXCLUDED.due_at, warn_at = EXCLUDED.warn_at, severity = EXCLUDED.severity,
              warned_at = EXCLUDED.warned_at, breached_at = EXCLUDED.breached_at, met_at = EXCLUDED.met_at,
              met_by = EXCLUDED.met_by, late = EXCLUDED.late, holders = EXCLUDED.holders, unit = EXCLUDED.unit,
              stopped_at = EXCLUDED.stopped_at, seq = EXCLUDED.seq
            WHERE incident_clocks.seq < EXCLUDED.seq;
          END LOOP;

          -- The new history entries, each chained to the request's previous row (they arrive in seq
          -- order; a retried batch is a no-op). The payload is the entry without its own columns.
          FOR e IN SELECT value FROM jsonb_array_elements(coalesce(batch->'events', '[]')) LOOP
            INSERT INTO audit_events (event_key, request_id, seq, type, task_id, actor, payload, occurred_at,
                                      prev_hash, hash)
            SELECT v_request || ':' || (e->>'seq'), v_request, (e->>'seq')::int, e->>'type', e->>'taskId',
                   e->>'actor', e - 'seq' - 'at' - 'type' - 'taskId' - 'actor', (e->>'at')::timestamptz, prev.hash,
                   audit_event_hash(prev.hash, v_request, (e->>'seq')::int, e->>'type', e->>'taskId', e->>'actor',
                                    e - 'seq' - 'at' - 'type' - 'taskId' - 'actor', (e->>'at')::timestamptz)
            FROM (SELECT coalesce((SELECT a.hash FROM audit_events a
                                   WHERE a.request_id = v_request AND a.seq < (e->>'seq')::int
                                   ORDER BY a.seq DESC LIMIT 1), '') AS hash) prev
            ON CONFLICT (event_key) DO NOTHING;
          END LOOP;
        END
      $fn$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION apply_projection(jsonb)');
  }
}
