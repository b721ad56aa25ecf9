import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption, bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalTools } from '../../scripts/temporal-tools.mjs';
import { CalendarService } from '../calendar/calendar.service.js';
import { PinoTemporalLogger, installTemporalLogger } from '../common/logger.js';
import { FabuException } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { PRESS_OFFICE_POSITIONS } from '../directory/positions.js';
import type { ProcessIR } from '../processes/ir.js';
import { ProcessDefinitionsRepository } from '../processes/process-definitions.repository.js';
import { ProcessesService } from '../processes/processes.service.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { ensureSearchAttributes } from '../temporal/search-attributes.js';
import { DRY_RUN_LIMITS, type DryRunBody, type DryRunResult, type ScenarioResult } from './dry-run.schemas.js';
import { type DryRunContext, createDryRunActivities, empty, runScenario, scenarioProblems } from './runner.js';

const TASK_QUEUE = 'fabu-dry-run';
/** How long past the deadline a scenario stuck in one server call may take before the server is torn down. */
const GRACE_MS = 5_000;

/**
 * Dry runs of a BPMN definition before it is deployed: its scenarios run through the real
 * interpreter on a time-skipping test server of their own, started for the request and always torn
 * down after it. One at a time per API process: each holds a server and a worker.
 */
@Injectable()
export class DryRunService {
  private busy = false;
  private bundle?: ReturnType<typeof bundleWorkflowCode>;

  constructor(
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
    private readonly processes: ProcessesService,
    private readonly calendar: CalendarService,
    private readonly definitions: ProcessDefinitionsRepository,
  ) {}

  async run(user: DirectoryUser, body: DryRunBody): Promise<DryRunResult> {
    if (!user.isAdmin && !user.positions.some((p) => PRESS_OFFICE_POSITIONS.has(p.position))) {
      throw new FabuException('FORBIDDEN', 'only an administrator or the press office dry-runs a chain');
    }
    const ir = await this.processes.compile(body.bpmn, 'the BPMN document');
    const problems = body.scenarios.flatMap((s, i) =>
      scenarioProblems(ir, s).map((p) => ({ ...p, path: `scenarios.${i}.${p.path}` })),
    );
    if (problems.length) {
      throw new FabuException('VALIDATION_FAILED', `the scenarios do not fit ${ir.key}`, problems);
    }
    const serverPath = this.testServerPath();
    if (this.busy) {
      throw new FabuException('DRY_RUN_BUSY', 'another dry run is under way in this API process: try again shortly');
    }
    this.busy = true;
    try {
      return await this.runAll(ir, body.scenarios, serverPath);
    } finally {
      this.busy = false;
    }
  }

  /** Looks for the test server the way `npm run tools` installs it, but never installs at run time. */
  private testServerPath(): string {
    try {
      return ensureTemporalTools({ kinds: ['testServer'], install: false, log: () => undefined }).testServer!;
    } catch (err) {
      throw new FabuException('DRY_RUN_UNAVAILABLE', (err as Error).message);
    }
  }

  private async runAll(ir: ProcessIR, scenarios: DryRunBody['scenarios'], serverPath: string): Promise<DryRunResult> {
    const started = Date.now();
    const deadline = started + DRY_RUN_LIMITS.timeoutMs;
    installTemporalLogger(this.runtime.logger);
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: serverPath } },
    }).catch((err: unknown) => {
      throw new FabuException(
        'DRY_RUN_UNAVAILABLE',
        `the test server ${serverPath} did not start: ${(err as Error).message}`,
      );
    });
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    try {
      await ensureSearchAttributes(env.connection, 'default');
      const calendar = await this.calendar.calendar();
      const dayEnd = this.runtime.config.env.BUSINESS_DAY_END;
      const projections = new Map<string, number>();
      worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue: TASK_QUEUE,
        workflowBundle: await this.workflowBundle(),
        activities: createDryRunActivities({
          calendar: () => calendar,
          dayEnd,
          definitions: this.definitions,
          projected: (id) => projections.set(id, (projections.get(id) ?? 0) + 1),
        }),
      });
      running = worker.run();
      const startMs = Date.now() - started;
      const ctx: DryRunContext = {
        env,
        client: new Client({ connection: env.connection }),
        taskQueue: TASK_QUEUE,
        calendar,
        dayEnd,
        maxSteps: DRY_RUN_LIMITS.steps,
        deadline,
        projections,
        seq: { next: 1 },
      };
      const results: ScenarioResult[] = [];
      for (const scenario of scenarios) {
        const now = await env.currentTimeMs();
        if (Date.now() > deadline) {
          results.push(empty(scenario, '', now, 'skipped', null));
          continue;
        }
        results.push(
          await bounded(runScenario(ctx, ir, scenario), deadline + GRACE_MS - Date.now(), () =>
            empty(scenario, '', now, 'timeout', {
              code: 'DRY_RUN_TIMEOUT',
              message: 'the scenario did not finish in time',
            }),
          ),
        );
      }
      return {
        processKey: ir.key,
        name: ir.name,
        scenarios: results,
        server: { startMs, totalMs: Date.now() - started },
      };
    } finally {
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await running?.catch((err: unknown) => this.runtime.logger.warn({ err }, 'dry-run worker failed'));
      await env.teardown();
    }
  }

  /** The prebuilt bundle in production; from source (bundled once per process) in tests. */
  private async workflowBundle(): Promise<WorkflowBundleOption> {
    const workflows = this.runtime.workflows;
    if ('bundlePath' in workflows) return { codePath: workflows.bundlePath };
    this.bundle ??= bundleWorkflowCode({
      workflowsPath: workflows.workflowsPath,
      logger: new PinoTemporalLogger(this.runtime.logger.child({ component: 'dry-run-bundler' })),
    });
    return this.bundle;
  }
}

/** The promise's value, or `late()` once `ms` have passed (the teardown then ends what is left). */
async function bounded<T>(promise: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, ms));
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
