import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents (O1, H7, N7, U2): what was reported and by whom (`incidents`, keyed by the workflow id
 * of its response chain), the routing rules as data (`incident_routes`: which units answer an
 * incident by city, locality, topic and severity), and the projection of the chain's hour clocks
 * (`incident_clocks`: windows, warnings, breaches, who held the work) that the accountability
 * report reads (O5, U3).
 */
export class Incidents1764910000000 implements MigrationInterface {
  name = 'Incidents1764910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents (
        id text PRIMARY KEY,
        city text NOT NULL,
        source text NOT NULL,
        source_id text,
        summary text NOT NULL,
        locality text,
        topic text,
        links jsonb NOT NULL DEFAULT '[]',
        known_at timestamptz NOT NULL,
        reported_by text NOT NULL,
        -- What routing decided at intake (O1): the units asked and the rules that named them.
        units text[] NOT NULL,
        lead_unit text NOT NULL,
        matched_routes jsonb NOT NULL DEFAULT '[]',
        -- What the chain was started with: a repeat finishes a start that stopped short.
        start_input jsonb NOT NULL,
        -- Milliseconds, as the list's cursor carries them.
        created_at timestamptz(3) NOT NULL DEFAULT now()
      );
      -- A monitor reporting the same item twice names the same incident (intake is idempotent).
      CREATE UNIQUE INDEX incidents_source ON incidents (source, source_id) WHERE source_id IS NOT NULL;
      CREATE INDEX incidents_city_created ON incidents (city, created_at DESC, id DESC);
      CREATE INDEX incidents_known ON incidents (known_at);

      CREATE TABLE incident_routes (
        id bigserial PRIMARY KEY,
        city text NOT NULL,
        locality text,
        topic text,
        -- H7: a rule for larger events only (null: every severity).
        min_severity text CHECK (min_severity IN ('general', 'major', 'especially-major')),
        units text[] NOT NULL CHECK (cardinality(units) > 0),
        lead_unit text,
        priority int NOT NULL DEFAULT 0,
        note text
      );
      CREATE INDEX incident_routes_city ON incident_routes (city, priority DESC, id);

      CREATE TABLE incident_clocks (
        request_id text NOT NULL REFERENCES requests (id),
        clock_id text NOT NULL,
        name text NOT NULL,
        rules jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'met', 'breached', 'stopped')),
        started_at timestamptz NOT NULL,
        window_ms bigint NOT NULL,
        due_at timestamptz NOT NULL,
        warn_at timestamptz NOT NULL,
        severity text,
        warned_at timestamptz,
        breached_at timestamptz,
        met_at timestamptz,
        met_by text,
        late boolean NOT NULL DEFAULT false,
        holders jsonb NOT NULL DEFAULT '[]',
        unit text,
        stopped_at timestamptz,
        -- Projection order: an older batch never overwrites a newer one.
        seq int NOT NULL,
        PRIMARY KEY (request_id, clock_id)
      );
      CREATE INDEX incident_clocks_breached ON incident_clocks (unit) WHERE breached_at IS NOT NULL;

      -- Granted here too, not only by AppRole1764400000000's default privileges: those cover tables
      -- created by the role that ran it, and a DBA may run later migrations as another owner.
      GRANT SELECT, INSERT, UPDATE ON incidents, incident_clocks TO fabu_runtime;
      GRANT SELECT, INSERT, UPDATE, DELETE ON incident_routes TO fabu_runtime;
      GRANT USAGE, SELECT ON SEQUENCE incident_routes_id_seq TO fabu_runtime;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE incident_clocks, incident_routes, incidents');
  }
}
