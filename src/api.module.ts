import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AuthController, DevLoginController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { CalendarController } from './calendar/calendar.controller.js';
import { ChannelsController, ReleasesController } from './channels/channels.controller.js';
import { ChannelsService } from './channels/channels.service.js';
import { DirectoryController } from './directory/directory.controller.js';
import { DirectoryService } from './directory/directory.service.js';
import { DocumentsController } from './documents/documents.controller.js';
import { documentStoreProvider } from './documents/document-store.provider.js';
import { DocumentsService } from './documents/documents.service.js';
import { HealthController } from './health/health.controller.js';
import { IncidentsController } from './incidents/incidents.controller.js';
import { IncidentsService } from './incidents/incidents.service.js';
import { ComplianceController } from './compliance/compliance.controller.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { ProxiesController } from './proxies/proxies.controller.js';
import { ProxiesService } from './proxies/proxies.service.js';
import { ProcessesController } from './processes/processes.controller.js';
import { PlanController } from './processes/plan.controller.js';
import { PlanService } from './processes/plan.service.js';
import { DryRunController } from './dry-run/dry-run.controller.js';
import { DryRunService } from './dry-run/dry-run.service.js';
import { RequestsController } from './requests/requests.controller.js';
import { RequestsService } from './requests/requests.service.js';
import type { RuntimeSettings } from './runtime.js';
import { TasksController } from './tasks/tasks.controller.js';
import { TasksService } from './tasks/tasks.service.js';

/** The REST API: controllers are decorators plus one service call; services own the rules. */
@Module({})
export class ApiModule {
  static register(runtime: RuntimeSettings): DynamicModule {
    const devLogin = runtime.config.env.AUTH_MODE === 'dev' ? [DevLoginController] : [];
    return {
      module: ApiModule,
      imports: [TerminusModule],
      controllers: [
        HealthController,
        AuthController,
        ...devLogin,
        ProcessesController,
        PlanController,
        DryRunController,
        RequestsController,
        DocumentsController,
        CalendarController,
        TasksController,
        DirectoryController,
        ProxiesController,
        SchedulesController,
        ComplianceController,
        IncidentsController,
        ChannelsController,
        ReleasesController,
      ],
      providers: [
        AuthService,
        PlanService,
        DryRunService,
        RequestsService,
        TasksService,
        DirectoryService,
        ProxiesService,
        IncidentsService,
        ChannelsService,
        DocumentsService,
        documentStoreProvider,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
