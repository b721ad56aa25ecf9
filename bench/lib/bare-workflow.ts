// The bare-Temporal baseline of the benchmark: the least a chain of approvals needs from Temporal
// alone, with no fabu code — a workflow started, one Update per approval (validated, counted),
// completed after the last. Bundled for its own worker (bench/lib/bare-worker.ts); imports only
// @temporalio/workflow, as workflow code must.
import { allHandlersFinished, condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const BARE_TASK_QUEUE = 'bench-bare';

/** One input object, so fields can be added later. */
export interface BareApprovalInput {
  /** Approvals before the workflow completes. */
  steps: number;
}

export interface BareApprovalAnswer {
  step: number;
  /** Approvals still to come after this one. */
  remaining: number;
}

/** Approves step `step` (1-based); refused by the validator unless it is the next one. */
export const approveUpdate = defineUpdate<BareApprovalAnswer, [{ step: number; actor: string }]>('approve');

/** Waits for `steps` approvals, in order, then completes. */
export async function bareApproval(input: BareApprovalInput): Promise<{ approvals: number }> {
  let approvals = 0;
  setHandler(
    approveUpdate,
    ({ step }) => {
      approvals = step;
      return { step, remaining: input.steps - approvals };
    },
    {
      validator: ({ step }) => {
        if (step !== approvals + 1) throw new Error(`step ${step} is not the next (${approvals + 1})`);
      },
    },
  );
  await condition(() => approvals >= input.steps);
  await condition(allHandlersFinished);
  return { approvals };
}
