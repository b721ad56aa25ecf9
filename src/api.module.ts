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
import { HealthController } from './health/health.controller.js';
import { IncidentsController } from './incidents/incidents.controller.js';
import { IncidentsService } from './incidents/incidents.service.js';
import { ComplianceController } from './compliance/compliance.controller.js';
import { SchedulesController } from './schedules/schedules.controller.js';
import { ProxiesController } from './proxies/proxies.controller.js';
import { ProxiesService } from './proxies/proxies.service.js';
import { ProcessesController } from './processes/processes.controller.js';
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
        RequestsController,
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
        RequestsService,
        TasksService,
        DirectoryService,
        ProxiesService,
        IncidentsService,
        ChannelsService,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
