import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Release-frequency quotas as data (L1, U3, H8 art. 29): per city, for one org (and its offices)
 * or for every org of a kind, at least `min_conferences` per period. Seeded with the seeds' rules;
 * an administrator may add or change rows.
 */
export class QuotaRules1764800000000 implements MigrationInterface {
  name = 'QuotaRules1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE quota_rules (
        id bigserial PRIMARY KEY,
        city text NOT NULL,
        org_code text REFERENCES orgs (code),
        org_kind text,
        period text NOT NULL CHECK (period IN ('quarter', 'half', 'year')),
        min_conferences int NOT NULL CHECK (min_conferences > 0),
        rule text NOT NULL,
        note text,
        CHECK ((org_code IS NULL) <> (org_kind IS NULL))
      );
      INSERT INTO quota_rules (city, org_code, org_kind, period, min_conferences, rule, note) VALUES
        ('liuzhou', NULL, 'government', 'quarter', 1, 'L1', '市政府每季度至少举办1场'),
        ('liuzhou', NULL, 'county', 'year', 4, 'L1', '各县区、新区每年不少于4场'),
        ('liuzhou', NULL, 'department', 'year', 1, 'L1', '其他部门每年1场左右'),
        ('huainan', NULL, 'department', 'half', 1, 'U3', '列入名单的部门每年至少2场（每半年1场）'),
        ('huludao', NULL, 'department', 'quarter', 1, 'H8', '部门每季度一场发布会（第29条）');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE quota_rules');
  }
}
