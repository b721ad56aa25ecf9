import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The web console's tabs: 我发起的 (initiator, newest first) and 抄送我 (cc holds the username). */
export class ConsoleIndexes1765100000000 implements MigrationInterface {
  name = 'ConsoleIndexes1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX requests_initiator_created ON requests (initiator, created_at DESC, id DESC)');
    await q.query('CREATE INDEX requests_cc ON requests USING gin (cc)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX requests_cc');
    await q.query('DROP INDEX requests_initiator_created');
  }
}
