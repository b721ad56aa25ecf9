import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { CalendarRepository } from '../calendar/calendar.repository.js';
import { dataSourceOptions, migrate } from '../database/data-source.js';
import { DEMO_DIRECTORY } from '../directory/demo-directory.js';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { DEMO_ROUTES } from '../incidents/demo-routes.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { ProcessesService } from '../processes/processes.service.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { type OperatorConnection, ensureSearchAttributes } from '../temporal/search-attributes.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';

/**
 * Everything that must hold before the API serves or the worker polls: schema migrated, search
 * attributes registered, chains deployed, demo directory seeded. Each step is idempotent, so any
 * number of API and worker processes may start at once.
 */
@Injectable()
export class BootstrapService implements OnModuleInit {
  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    private readonly db: DataSource,
    private readonly processes: ProcessesService,
    private readonly directory: DirectoryRepository,
    private readonly calendar: CalendarRepository,
    private readonly incidents: IncidentsRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const log = this.runtime.logger;
    const migrations = await this.migrate();
    if (migrations.length) log.info({ migrations }, 'database migrated');
    const years = await this.calendar.seedBundled();
    if (years.length) log.info({ from: years[0], to: years.at(-1) }, 'bundled holiday data loaded');
    const added = await ensureSearchAttributes(
      this.temporal.connection as OperatorConnection,
      this.runtime.config.env.TEMPORAL_NAMESPACE,
    );
    if (added.length) log.info({ searchAttributes: added }, 'search attributes registered');
    if (this.runtime.seedDemo) {
      await this.directory.upsert(DEMO_DIRECTORY);
      log.info({ users: DEMO_DIRECTORY.users.length }, 'demo directory seeded');
      // After the directory: the rules name its orgs (O1 routing).
      const cities = await this.incidents.seedRoutes(DEMO_ROUTES);
      if (cities.length) log.info({ cities }, 'demo incident routes seeded');
    }
    if (this.runtime.deployProcesses) {
      for (const d of await this.processes.deployFolder(this.runtime.config.processesDir)) {
        log.info(d, d.created ? 'process deployed' : 'process unchanged');
      }
    }
  }

  /** As the schema owner when one is configured: the app's own role may not change the schema. */
  private async migrate(): Promise<string[]> {
    const { migrationUrl, databaseUrl } = this.runtime;
    if (!migrationUrl || migrationUrl === databaseUrl) return migrate(this.db);
    const owner = await new DataSource({ ...dataSourceOptions(migrationUrl), extra: { max: 2 } }).initialize();
    try {
      return await migrate(owner);
    } finally {
      await owner.destroy();
    }
  }
}
