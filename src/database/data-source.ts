import pg from 'pg';
import { type DataSource, type DataSourceOptions } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity.js';
import { CalendarDayEntity, CalendarYearEntity } from '../calendar/calendar.entities.js';
import { OrgEntity, UserEntity, UserPositionEntity } from '../directory/directory.entities.js';
import { ProcessDefinitionEntity } from '../processes/process-definition.entity.js';
import { IdempotencyKeyEntity, RequestEntity } from '../requests/request.entity.js';
import { ProxyEntity } from '../proxies/proxy.entity.js';
import { TaskCandidateEntity, TaskEntity } from '../tasks/task.entity.js';
import { Init1764000000000 } from './migrations/1764000000000-init.js';
import { Calendar1764100000000 } from './migrations/1764100000000-calendar.js';
import { Engine1764200000000 } from './migrations/1764200000000-engine.js';
import { AuditChain1764300000000 } from './migrations/1764300000000-audit-chain.js';
import { AppRole1764400000000 } from './migrations/1764400000000-app-role.js';
import { ProxiesSigners1764410000000 } from './migrations/1764410000000-proxies-signers.js';
import { InboxIndexes1764500000000 } from './migrations/1764500000000-inbox-indexes.js';
import { TaskSkipped1764600000000 } from './migrations/1764600000000-task-skipped.js';
import { TasksDoneIndex1764700000000 } from './migrations/1764700000000-tasks-done-index.js';
import { QuotaRules1764800000000 } from './migrations/1764800000000-quota-rules.js';
import { Outbox1764900000000 } from './migrations/1764900000000-outbox.js';
import { Incidents1764910000000 } from './migrations/1764910000000-incidents.js';
import { Documents1765000000000 } from './migrations/1765000000000-documents.js';
import { ConsoleIndexes1765100000000 } from './migrations/1765100000000-console-indexes.js';
import { ProjectionFunction1765200000000 } from './migrations/1765200000000-projection-function.js';

// A SQL `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of pg's local-time Date.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

export const ENTITIES = [
  OrgEntity,
  UserEntity,
  UserPositionEntity,
  ProcessDefinitionEntity,
  RequestEntity,
  IdempotencyKeyEntity,
  TaskEntity,
  TaskCandidateEntity,
  AuditEventEntity,
  CalendarYearEntity,
  CalendarDayEntity,
  ProxyEntity,
];

/** Migrations are listed as classes (globs are fragile under ESM); committed ones are never edited. */
export const MIGRATIONS = [
  Init1764000000000,
  Calendar1764100000000,
  Engine1764200000000,
  AuditChain1764300000000,
  AppRole1764400000000,
  ProxiesSigners1764410000000,
  InboxIndexes1764500000000,
  TaskSkipped1764600000000,
  TasksDoneIndex1764700000000,
  QuotaRules1764800000000,
  Outbox1764900000000,
  Incidents1764910000000,
  Documents1765000000000,
  ConsoleIndexes1765100000000,
  ProjectionFunction1765200000000,
];

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    migrationsRun: false,
    // Failed queries surface as exceptions, logged once by whoever handles them (structured, via pino).
    logging: false,
    extra: { max: 10 },
  };
}

/** Runs pending migrations under an advisory lock, so several API/worker processes can start at once. */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', ['fabu-migrations']);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', ['fabu-migrations']).catch(() => undefined);
    await runner.release();
  }
}
