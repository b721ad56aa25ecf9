import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createPlanningActivities } from '../../activities/planning.js';
import { createProjectionActivities } from '../../activities/projection.js';
import { createServiceActivities } from '../../activities/services.js';
import { CalendarService } from '../calendar/calendar.service.js';
import { ReleasesRepository } from '../channels/releases.repository.js';
import { installTemporalLogger } from '../common/logger.js';
import { DirectoryRepository } from '../directory/directory.repository.js';
import { ComplianceService } from '../compliance/compliance.service.js';
import { ProcessDefinitionsRepository } from '../processes/process-definitions.repository.js';
import { ProxiesRepository } from '../proxies/proxies.repository.js';
import { ReadModelRepository } from '../projection/read-model.repository.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { connectWorker } from './connection.js';

/**
 * The Temporal worker as part of the Nest app: started on bootstrap with its run promise kept,
 * drained on shutdown (SIGTERM: in-flight activities finish, then the poller stops).
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnModuleDestroy {
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    private readonly directory: DirectoryRepository,
    private readonly proxies: ProxiesRepository,
    private readonly compliance: ComplianceService,
    private readonly definitions: ProcessDefinitionsRepository,
    private readonly readModel: ReadModelRepository,
    private readonly calendar: CalendarService,
    private readonly releases: ReleasesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { env } = this.runtime.config;
    installTemporalLogger(this.runtime.logger);
    this.connection = await connectWorker(env, this.runtime.temporalAddress);
    const workflows = this.runtime.workflows;
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      ...('bundlePath' in workflows
        ? { workflowBundle: { codePath: workflows.bundlePath } }
        : { workflowsPath: workflows.workflowsPath }),
      activities: {
        ...createPlanningActivities({
          directory: this.directory,
          proxies: this.proxies,
          definitions: this.definitions,
          calendar: () => this.calendar.calendar(),
          dayEnd: env.BUSINESS_DAY_END,
        }),
        ...createServiceActivities({
          directory: this.directory,
          compliance: this.compliance,
          releases: this.releases,
          report: (event) => this.runtime.logger.info(event, 'service task done'),
        }),
        ...createProjectionActivities({ readModel: this.readModel }),
      },
      shutdownGraceTime: '10 seconds',
    });
    this.running = this.worker.run();
    // A worker that dies takes the process with it: a supervisor restarts it, nothing limps on.
    this.running.catch((err: unknown) => {
      this.runtime.logger.fatal({ err }, 'Temporal worker stopped unexpectedly');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    this.runtime.logger.info({ taskQueue: env.TEMPORAL_TASK_QUEUE }, 'worker polling');
  }

  async onModuleDestroy(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
  }
}
