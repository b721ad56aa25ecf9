// Every message, search attribute and type that crosses the workflow boundary. Imported by the
// workflow (inside the sandbox) and by the API and tests (outside it), so keep it free of I/O.
import { type SearchAttributePair, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionAction, Outcome, ProcessIR } from '../src/processes/ir.js';
import type {
  AttachedDocument,
  CcInput,
  ClockState,
  Decision,
  DocumentInput,
  DocumentsInput,
  HistoryEntry,
  MachineState,
  MessageInput,
  SignerInput,
  SignerMode,
  StepState,
  TransferInput,
  UrgeInput,
  TaskState,
  TimerState,
} from './approval-machine.js';

export const DEFAULT_TASK_QUEUE = 'fabu-approvals';
/** Who a scheduled run names as its initiator: the schedule itself, not a person. */
export const SCHEDULER = 'fabu-scheduler';

/** Custom search attributes; registered at start through the operator service. */
export const SA = {
  process: defineSearchAttributeKey('FabuProcess', SearchAttributeType.KEYWORD),
  org: defineSearchAttributeKey('FabuOrg', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('FabuStage', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('FabuStatus', SearchAttributeType.KEYWORD),
  due: defineSearchAttributeKey('FabuDue', SearchAttributeType.DATETIME),
  /** An open task's due time was counted through a year whose holidays are not loaded yet. */
  dueProvisional: defineSearchAttributeKey('FabuDueProvisional', SearchAttributeType.BOOL),
  major: defineSearchAttributeKey('FabuMajor', SearchAttributeType.BOOL),
} as const;

/** The search attributes a request's workflow starts with, however it is started (API, schedule, meeting). */
export function startingAttributes(processKey: string, orgCode: string, major: boolean): SearchAttributePair[] {
  return [
    { key: SA.process, value: processKey },
    { key: SA.org, value: orgCode },
    { key: SA.status, value: 'running' },
    { key: SA.stage, value: 'starting' },
    { key: SA.major, value: major },
  ];
}

export interface RequestFields {
  title: string;
  orgCode: string;
  /** YYYY-MM-DD, business time zone. */
  conferenceDate?: string;
  materials: string[];
  /** 重大事项 (H3.5). */
  major: boolean;
  /** Username of the person who submitted the request. */
  initiator: string;
  /** Values of the process's declared variables (`<fabu:variable>`), read by gateway conditions. */
  variables?: Record<string, string | number | boolean | string[]>;
}

/** The one input object of {@link approvalProcess}: fields can be added without breaking signatures. */
export interface ApprovalProcessInput {
  definition: { key: string; version: number; ir: ProcessIR };

  request: RequestFields;
  /** ISO instant the request was accepted by the API. */
  submittedAt: string;
  /**
   * Continue-as-new after this many history events (default {@link DEFAULT_HISTORY_LIMIT}), or
   * sooner when the server suggests it: a chain that waits long (reminders every working day)
   * never grows an unbounded history.
   */
  historyLimit?: number;
  /** Set by the run that continued as new: the chain's state and projection position so far. */
  carried?: CarriedState;
  /**
   * Started by the process's Temporal Schedule (a timer start event): the run takes its start time
   * as `submittedAt` and, for a calendar rule, its period's date as the conference date.
   */
  scheduled?: { recurrence?: string };
}

export const DEFAULT_HISTORY_LIMIT = 2000;

export interface CarriedState {
  machine: MachineState;
  /** The request's fields as changed so far (H6). */
  request: RequestFields;
  /** When the request was submitted (a scheduled run: when it started). Absent in older runs. */
  submittedAt?: string;
  projectedHistory: number;
  projectedSeq: number;
  /** Runs so far, this one included. */
  runs: number;
}

export interface ApprovalProcessResult {
  outcome: Outcome;
  completedAt: string;
}

/** What a caller sends to decide a task; `actor` is the authenticated user, never taken from a body. */
export type DecisionInput = Decision;

export interface DecisionResult {
  taskId: string;
  action: DecisionAction;
  /** The request's status after the decision was applied. */
  status: 'running' | 'completed';
  outcome?: Outcome;
  openTasks: string[];
}

export interface ProcessView {
  requestId: string;
  processKey: string;
  processVersion: number;
  status: 'running' | 'completed';
  outcome?: Outcome;
  stage: string;
  /** 1, then one more after each return (退回). */
  round: number;
  variables: Record<string, unknown>;
  tasks: TaskState[];
  steps: StepState[];
  /** Timers still to fire: boundary reminders and escalations, timer events. */
  timers: TimerState[];
  /** For each open task: the earlier steps it may be returned to. */
  returnTargets: Record<string, string[]>;
  /** For each open task: the decisions its BPMN allows (fabu:actions). */
  actions: Record<string, DecisionAction[]>;
  /** Open tasks whose approval gives data (fabu:output), and its name, e.g. `topics` (N2). */
  outputs?: Record<string, string>;
  /** 加签 still pending, by the task they were added to (absent in views of older runs). */
  signers?: Record<string, Array<{ to: string; by: string; mode: SignerMode }>>;
  /** Hour clocks (H7, O2, U2): running, met, breached or stopped. */
  clocks?: ClockState[];
  /** The latest version of each kind of document attached (absent in views of older runs). */
  documents?: Record<string, AttachedDocument>;
  /** Open tasks whose step needs documents attached before approval (fabu:materials): the kinds. */
  materials?: Record<string, string[]>;
  history: HistoryEntry[];
}

/** Decide a task (approve / reject). The validator refuses a closed task, a non-candidate or a disallowed action. */
export const decideUpdate = defineUpdate<DecisionResult, [DecisionInput]>('decide');
/** 转办: a candidate hands the task to someone else (refused as DecisionRefused, like a decision). */
export const transferUpdate = defineUpdate<ProcessView, [TransferInput]>('transfer');
/** A candidate claims the task (`release`: unclaims it); refused as DecisionRefused. */
export const claimUpdate = defineUpdate<ProcessView, [{ taskId: string; actor: string; release?: boolean }]>('claim');
/** 委派: someone else works on the task and resolves it back; the candidates decide after. */
export const delegateUpdate = defineUpdate<ProcessView, [TransferInput]>('delegate');
/** The delegate hands the task back with their opinion (refused as DecisionRefused). */
export const resolveUpdate = defineUpdate<ProcessView, [{ taskId: string; actor: string; comment?: string }]>(
  'resolve',
);
/**
 * 加签 (add a sign-off before, after or beside the caller's own) and, with `remove`, 减签 (take back
 * one the caller added while it is pending); refused as DecisionRefused.
 */
export const signerUpdate = defineUpdate<ProcessView, [SignerInput & { remove?: boolean }]>('signer');
/** 催办: tells the task's current candidates again; the applicant or an operator, once an hour at most. */
export const urgeUpdate = defineUpdate<{ notified: string[] }, [UrgeInput]>('urge');
/** Same shape as {@link decideUpdate}, fire-and-forget for integrations; a refused decision is logged and dropped. */
export const decideSignal = defineSignal<[DecisionInput]>('decide');
/**
 * Sent with the start (update-with-start): returns once the chain's first steps are open and
 * projected, so the caller of POST /requests reads its own write.
 */
export const startedUpdate = defineUpdate<ProcessView>('started');
/**
 * Counts the due times of open tasks again from the calendar as it is now; sent after a calendar
 * year is imported, so deadlines that were provisional move to the right day, and pending timers
 * (reminders, escalations, waits) with them. Returns the tasks and timers that moved.
 */
export const replanDeadlinesUpdate = defineUpdate<{ replanned: string[]; timers?: string[] }>('replanDeadlines');
export interface RescheduleInput {
  /** The new conference date, YYYY-MM-DD. */
  conferenceDate: string;
  /** The authenticated user asking; only the initiator may move their conference. */
  actor: string;
  reason?: string;
}

/**
 * Moves the conference date (H6): every deadline counted from it is counted again and its timer
 * moves. Refused (RescheduleRefused) for a finished chain or anyone but the initiator.
 */
export const rescheduleUpdate = defineUpdate<ChangeResult & { conferenceDate: string }, [RescheduleInput]>(
  'reschedule',
);

export interface ChangeInput {
  /** The authenticated user asking; only the initiator may change their request. */
  actor: string;
  reason?: string;
  title?: string;
  /** YYYY-MM-DD. */
  conferenceDate?: string;
  materials?: string[];
  /** New values of declared variables (checked by the API against the chain's declarations). */
  variables?: Record<string, string | number | boolean | string[]>;
}

export interface ChangeResult {
  /** Open tasks whose due time moved. */
  replanned: string[];
  /** The round after the change: one more when the approval re-runs (H6). */
  round: number;
  /** True when the change re-ran the approval from the chain's fabu:restartAt step. */
  reapproval: boolean;
}

/**
 * Changes the request's data (H6: time, place, content). Once the approval from the chain's
 * `fabu:restartAt` step on has begun, it re-runs from there in a new round; deadlines counted from
 * a moved date move. Refused (RescheduleRefused) for a finished chain or anyone but the initiator.
 */
export const changeUpdate = defineUpdate<ChangeResult, [ChangeInput]>('change');
export const RESCHEDULE_REFUSED = 'RescheduleRefused';

export interface EndInput {
  /** The authenticated user: the applicant (withdraw) or an operator (cancel). */
  actor: string;
  reason?: string;
}

/** 撤回: the applicant ends the chain as withdrawn while no one else has decided yet. */
export const withdrawUpdate = defineUpdate<ProcessView, [EndInput]>('withdraw');
/** An operator ends the chain as cancelled (the API allows it to admins only). */
export const cancelUpdate = defineUpdate<ProcessView, [EndInput]>('cancel');
/** 抄送: copies users in, read only (refused as ChainRefused). Returns everyone copied in so far. */
export const ccUpdate = defineUpdate<{ cc: string[] }, [CcInput]>('cc');
/** Feeds a message intermediate event (e.g. "materials-filed"); refused when no step waits for it. */
export const messageUpdate = defineUpdate<ProcessView, [MessageInput]>('message');
/**
 * A version of a document the API stored for the request (`{ kind, version, sha256, name }`): kept
 * as the kind's latest; approvals from then on record its hash. A version changed after an approval
 * covered an earlier one is recorded and, with fabu:restartAt, re-runs the approval (H6). Refused
 * (ChainRefused) for a finished chain or an actor who neither applied nor is asked by an open task.
 */
export const documentsUpdate = defineUpdate<ProcessView, [DocumentInput | DocumentsInput]>('documents');
/** Same shape as {@link messageUpdate}, fire-and-forget; an unexpected message is logged and dropped. */
export const messageSignal = defineSignal<[MessageInput]>('message');
/** ApplicationFailure.type of a refused withdraw, cancel or message (details: `{ code, message }`). */
export const CHAIN_REFUSED = 'ChainRefused';

/** 一般 / 重大 / 特别重大: how severe an incident is assessed to be (O1, O2, H7). */
export type Severity = 'general' | 'major' | 'especially-major';
export interface ReassessInput {
  /** The authenticated user (the API allows the press office and admins). */
  actor: string;
  severity: Severity;
  reason?: string;
}
/**
 * 研判 again: sets the incident's severity. An upgrade shortens running hour clocks and starts those
 * that now apply; a downgrade keeps the clocks already running. Refused (ChainRefused) for a
 * finished chain, a chain without a severity, or the same severity (SEVERITY_UNCHANGED).
 */
export const reassessUpdate = defineUpdate<ProcessView, [ReassessInput]>('reassess');
export interface HandOverInput {
  actor: string;
  /** The org code of the unit taking it on. */
  to: string;
  /** The unit handing it on (default: the lead unit, the request's org). */
  from?: string;
  reason?: string;
}
/**
 * O1: a responsible unit hands the incident on; its open tasks go to the new unit, and the hand-over
 * is recorded. Refused (ChainRefused, HANDOVER_INVALID) for a unit that holds nothing or already holds it.
 */
export const handOverUpdate = defineUpdate<ProcessView, [HandOverInput]>('handOver');

/** The chain's current state: stage, tasks with candidates and due times, history. */
export const stateQuery = defineQuery<ProcessView>('state');

/** Error types a refused decision carries (ApplicationFailure.type), mirrored by the REST problem codes. */
export const DECISION_REFUSED = 'DecisionRefused';
