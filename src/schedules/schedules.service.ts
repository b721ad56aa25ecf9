import { Inject, Injectable } from '@nestjs/common';
import {
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleSpec,
} from '@temporalio/client';
import { FabuException } from '../common/problem.js';
import { fireSpec, parseRecurrence } from '../calendar/recurrence.js';
import { type ProcessIR, type ScheduleIR, scheduleOf } from '../processes/ir.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import { type ApprovalProcessInput, SCHEDULER, startingAttributes } from '../../workflows/definitions.js';

const PREFIX = 'fabu:';
/** How long a pause or unpause is awaited until the schedule shows it (at most 2 s). */
const SETTLE_TRIES = 100;
const SETTLE_INTERVAL_MS = 20;
/** Waits (briefly, bounded) until a describe of the schedule shows it paused or not. */
async function settle(handle: ScheduleHandle, paused: boolean): Promise<void> {
  for (let i = 0; i < SETTLE_TRIES; i++) {
    if ((await handle.describe()).state.paused === paused) return;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_INTERVAL_MS));
  }
}

/** Stated catch-up policy: runs missed while the server was down are taken if at most this late. */
export const CATCHUP_WINDOW = '1 day';
/** Paused because its file left processes/: a redeploy of the file resumes it. */
const REMOVED_NOTE = 'paused: its BPMN file was removed from processes/';

export interface DeployedProcess {
  key: string;
  version: number;
  ir: ProcessIR;
  source: string | null;
}

export interface ScheduleView {
  id: string;
  processKey: string;
  processVersion: number | null;
  recurrence: string | null;
  cron: string | null;
  orgCode: string | null;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  recentRuns: Array<{ workflowId: string; scheduledAt: string; takenAt: string }>;
}

/**
 * Recurring processes as Temporal Schedules (`fabu:<process key>` in Temporal UI, with a memo
 * saying which file and version): created on deploy, updated on a redeploy, paused when the file
 * is removed. A schedule fires on a plain date in Asia/Shanghai; the run it starts counts its
 * working days from the calendar. Overlapping runs are skipped; missed runs are caught up for
 * {@link CATCHUP_WINDOW} after an outage.
 */
@Injectable()
export class SchedulesService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(RUNTIME) private readonly runtime: RuntimeSettings,
  ) {}

  /** Creates or updates the schedule of a recurring process; nothing for the others. */
  async sync(def: DeployedProcess): Promise<'created' | 'updated' | undefined> {
    const schedule = scheduleOf(def.ir);
    if (!schedule) return undefined;
    const id = PREFIX + def.key;
    const spec = specOf(schedule);
    const action = this.actionOf(def, schedule);
    const memo = { processKey: def.key, processVersion: def.version, source: def.source ?? '', rules: def.ir.rules };
    const handle = this.temporal.schedule.getHandle(id);
    try {
      const described = await handle.describe();
      const back = described.state.paused && described.state.note === REMOVED_NOTE;
      // A schedule paused because its file was removed resumes with the file, in this same update:
      // an unpause sent beside it may be applied first, and the update's copy of the paused state
      // would then pause it again.
      await handle.update((previous) => ({
        ...previous,
        spec,
        action,
        policies: POLICIES,
        ...(back ? { state: { ...previous.state, paused: false, note: 'its BPMN file is back' } } : {}),
      }));
      if (back) await settle(handle, false);
      return 'updated';
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
    await this.temporal.schedule.create({
      scheduleId: id,
      spec,
      action,
      policies: POLICIES,
      memo,
      state: { note: `${def.ir.name} (${def.ir.rules.join(', ')})` },
    });
    return 'created';
  }

  /** Pauses the schedules of processes whose file is no longer in processes/ (deployed from there before). */
  async pauseRemoved(deployedKeys: Set<string>): Promise<string[]> {
    const paused: string[] = [];
    for await (const s of this.temporal.schedule.list()) {
      if (!s.scheduleId.startsWith(PREFIX)) continue;
      const key = s.scheduleId.slice(PREFIX.length);
      const source = (s.memo as { source?: string } | undefined)?.source ?? '';
      if (deployedKeys.has(key) || !source.startsWith('processes/') || s.state.paused) continue;
      await this.setPaused(key, true, REMOVED_NOTE);
      paused.push(s.scheduleId);
    }
    return paused;
  }

  async list(): Promise<{ items: ScheduleView[] }> {
    const items: ScheduleView[] = [];
    for await (const s of this.temporal.schedule.list()) {
      if (s.scheduleId.startsWith(PREFIX)) items.push(await this.get(s.scheduleId.slice(PREFIX.length)));
    }
    return { items: items.sort((a, b) => a.id.localeCompare(b.id)) };
  }

  async get(key: string): Promise<ScheduleView> {
    return toView(await this.describe(key));
  }

  async pause(key: string, note?: string): Promise<ScheduleView> {
    await this.describe(key);
    await this.setPaused(key, true, note ?? 'paused by an operator');
    return this.get(key);
  }

  async resume(key: string, note?: string): Promise<ScheduleView> {
    await this.describe(key);
    await this.setPaused(key, false, note ?? 'resumed by an operator');
    return this.get(key);
  }

  /**
   * Pauses or unpauses, then waits (briefly, bounded) until a describe shows it: the server applies
   * the change to the schedule asynchronously, and an answer or a redeploy that read the old state
   * would undo or misreport it.
   */
  private async setPaused(key: string, paused: boolean, note: string): Promise<void> {
    const handle = this.temporal.schedule.getHandle(PREFIX + key);
    await (paused ? handle.pause(note) : handle.unpause(note));
    await settle(handle, paused);
  }

  /** Starts a run now (refused by the overlap policy while one runs). */
  async trigger(key: string): Promise<ScheduleView> {
    await this.describe(key);
    await this.temporal.schedule.getHandle(PREFIX + key).trigger(ScheduleOverlapPolicy.SKIP);
    return this.get(key);
  }

  /** Takes the runs the schedule would have taken between two instants (after an outage longer than the catch-up window). */
  async backfill(key: string, start: Date, end: Date): Promise<ScheduleView> {
    await this.describe(key);
    await this.temporal.schedule
      .getHandle(PREFIX + key)
      .backfill([{ start, end, overlap: ScheduleOverlapPolicy.ALLOW_ALL }]);
    return this.get(key);
  }

  private async describe(key: string): Promise<ScheduleDescription> {
    try {
      return await this.temporal.schedule.getHandle(PREFIX + key).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) {
        throw new FabuException('SCHEDULE_NOT_FOUND', `no schedule for process ${key} (is it a recurring process?)`);
      }
      throw err;
    }
  }

  private actionOf(def: DeployedProcess, schedule: ScheduleIR) {
    const input: ApprovalProcessInput = {
      definition: { key: def.key, version: def.version, ir: def.ir },
      request: { title: def.ir.name, orgCode: schedule.orgCode, materials: [], major: false, initiator: SCHEDULER },
      // Each run takes its own start time and period (the schedule's arguments never change).
      submittedAt: '',
      scheduled: { ...(schedule.recurrence ? { recurrence: schedule.recurrence } : {}) },
    };
    return {
      type: 'startWorkflow' as const,
      workflowType: 'approvalProcess',
      // Temporal appends the scheduled time: `N3-routine-2026-12-01T01:00:00Z`.
      workflowId: `${def.ir.code}-${def.key}`,
      taskQueue: this.runtime.config.env.TEMPORAL_TASK_QUEUE,
      args: [input],
      typedSearchAttributes: startingAttributes(def.key, schedule.orgCode, false),
      staticSummary: def.ir.name,
    };
  }
}

const POLICIES = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false };

function specOf(schedule: ScheduleIR): ScheduleSpec {
  if (schedule.cron) return { cronExpressions: [schedule.cron], timezone: 'Asia/Shanghai' };
  const parsed = parseRecurrence(schedule.recurrence!);
  if ('error' in parsed) throw new Error(parsed.error);
  const f = fireSpec(parsed);
  return {
    cronExpressions: [`${f.minute} ${f.hour} ${f.dayOfMonth} ${f.months.join(',')} *`],
    timezone: 'Asia/Shanghai',
  };
}

function toView(d: ScheduleDescription): ScheduleView {
  const memo = (d.memo ?? {}) as { processKey?: string; processVersion?: number };
  const input = (d.action as { args?: ApprovalProcessInput[] }).args?.[0];
  const schedule = input ? scheduleOf(input.definition.ir) : undefined;
  return {
    id: d.scheduleId,
    processKey: memo.processKey ?? d.scheduleId.slice(PREFIX.length),
    processVersion: input?.definition.version ?? memo.processVersion ?? null,
    recurrence: schedule?.recurrence ?? null,
    cron: schedule?.cron ?? null,
    orgCode: schedule?.orgCode ?? null,
    paused: d.state.paused,
    note: d.state.note ?? null,
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.map((a) => ({
      workflowId: a.action.workflow.workflowId,
      scheduledAt: a.scheduledAt.toISOString(),
      takenAt: a.takenAt.toISOString(),
    })),
  };
}
