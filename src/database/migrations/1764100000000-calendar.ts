import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The statutory calendar: which years are loaded, and the days of those years that differ from the
 * Monday–Friday rule (holidays, make-up workdays 调休). A year without a calendar_years row is unknown.
 */
export class Calendar1764100000000 implements MigrationInterface {
  name = 'Calendar1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_years (
        year int PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('bundled', 'notice', 'manual')),
        title text NULL,
        loaded_by text NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE calendar_days (
        date date PRIMARY KEY,
        year int NOT NULL REFERENCES calendar_years(year) ON DELETE CASCADE,
        workday boolean NOT NULL,
        name text NOT NULL,
        source text NOT NULL CHECK (source IN ('bundled', 'notice', 'manual')),
        CHECK (extract(year FROM date) = year)
      );
      CREATE INDEX calendar_days_year ON calendar_days (year);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_days; DROP TABLE calendar_years;`);
  }
}
