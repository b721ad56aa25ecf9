import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { BootstrapService } from './bootstrap/bootstrap.service.js';
import { CalendarRepository } from './calendar/calendar.repository.js';
import { CalendarService } from './calendar/calendar.service.js';
import { ChannelsRepository } from './channels/channels.repository.js';
import { ReleasesRepository } from './channels/releases.repository.js';
import { ComplianceService } from './compliance/compliance.service.js';
import { dataSourceOptions } from './database/data-source.js';
import { DirectoryRepository } from './directory/directory.repository.js';
import { DocumentsRepository } from './documents/documents.repository.js';
import { IncidentsRepository } from './incidents/incidents.repository.js';
import { ProcessDefinitionsRepository } from './processes/process-definitions.repository.js';
import { ProcessesService } from './processes/processes.service.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { ProxiesRepository } from './proxies/proxies.repository.js';
import { ReadModelRepository } from './projection/read-model.repository.js';
import { RequestsRepository } from './requests/requests.repository.js';
import { RUNTIME, type RuntimeSettings } from './runtime.js';
import { TasksRepository } from './tasks/tasks.repository.js';
import { connectClient } from './temporal/connection.js';
import { TEMPORAL_CLIENT } from './temporal/temporal.tokens.js';

@Injectable()
class TemporalClientCloser implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}
  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}

const REPOSITORIES = [
  ProxiesRepository,
  CalendarRepository,
  ChannelsRepository,
  ReleasesRepository,
  DirectoryRepository,
  DocumentsRepository,
  IncidentsRepository,
  ProcessDefinitionsRepository,
  ReadModelRepository,
  RequestsRepository,
  TasksRepository,
];

/** What both the API and the worker need: config, Postgres, the Temporal client, repositories. */
@Global()
@Module({})
export class CoreModule {
  static register(runtime: RuntimeSettings): DynamicModule {
    return {
      module: CoreModule,
      imports: [TypeOrmModule.forRootAsync({ useFactory: () => dataSourceOptions(runtime.databaseUrl) })],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        {
          provide: TEMPORAL_CLIENT,
          useFactory: async () =>
            new Client({
              connection: await connectClient(runtime.config.env, runtime.temporalAddress),
              namespace: runtime.config.env.TEMPORAL_NAMESPACE,
            }),
        },
        TemporalClientCloser,
        ...REPOSITORIES,
        ProcessesService,
        SchedulesService,
        CalendarService,
        ComplianceService,
        BootstrapService,
      ],
      exports: [
        RUNTIME,
        TEMPORAL_CLIENT,
        ...REPOSITORIES,
        ProcessesService,
        SchedulesService,
        CalendarService,
        ComplianceService,
      ],
    };
  }
}
