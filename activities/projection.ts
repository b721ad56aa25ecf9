import type { ReadModelRepository } from '../src/projection/read-model.repository.js';
import type { Outcome } from '../src/processes/ir.js';
import type { ClockState, HistoryEntry, TaskState } from '../workflows/approval-machine.js';
import type { RequestFields } from '../workflows/definitions.js';

/** Everything one workflow step changed, written to Postgres in one transaction. */
export interface ProjectionBatch {
  requestId: string;
  /** Increases with every batch of a request: an older batch (a late retry) never overwrites a newer one. */
  seq: number;
  request: RequestFields & {
    processKey: string;
    processVersion: number;
    status: 'running' | 'completed';
    stage: string;
    /** 1, then one more after each return (退回). */
    round?: number;
    /** A pending timer was counted across a year without holiday data. */
    timersProvisional?: boolean;
    /** 抄送: who may read the request. */
    cc?: string[];
    outcome?: Outcome;
    createdAt: string;
    completedAt?: string;
  };
  tasks: TaskState[];
  /** New history entries; their `seq` makes each audit row's idempotency key. */
  events: HistoryEntry[];
  /** Every hour clock of the request as it is now (H7, O2, U2), for the incident read model. */
  clocks?: ClockState[];
}

export function createProjectionActivities(deps: { readModel: Pick<ReadModelRepository, 'apply'> }) {
  return {
    /** Upserts the request and tasks and appends audit events; safe to retry. */
    async project(batch: ProjectionBatch): Promise<void> {
      await deps.readModel.apply(batch);
    },
  };
}
