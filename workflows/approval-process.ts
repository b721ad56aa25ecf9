import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  ParentClosePolicy,
  startChild,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { SearchAttributeType, type UpdateDefinition, defineSearchAttributeKey } from '@temporalio/common';
import type { createPlanningActivities } from '../activities/planning.js';
import type { ProjectionBatch, createProjectionActivities } from '../activities/projection.js';
import type { createServiceActivities } from '../activities/services.js';
import {
  ApprovalMachine,
  type Decision,
  type DecisionError,
  type Effect,
  type TaskState,
  type Topic,
  documentVersions,
} from './approval-machine.js';
import type { ServiceTaskNode } from '../src/processes/ir.js';
import {
  type ApprovalProcessInput,
  type ApprovalProcessResult,
  CHAIN_REFUSED,
  type ChangeInput,
  type ChangeResult,
  DECISION_REFUSED,
  DEFAULT_HISTORY_LIMIT,
  type DecisionResult,
  type ProcessView,
  type RequestFields,
  SA,
  cancelUpdate,
  ccUpdate,
  claimUpdate,
  changeUpdate,
  decideSignal,
  decideUpdate,
  messageSignal,
  messageUpdate,
  RESCHEDULE_REFUSED,
  replanDeadlinesUpdate,
  rescheduleUpdate,
  startedUpdate,
  stateQuery,
  delegateUpdate,
  resolveUpdate,
  transferUpdate,
  urgeUpdate,
  signerUpdate,
  startingAttributes,
  withdrawUpdate,
  reassessUpdate,
  handOverUpdate,
  documentsUpdate,
} from './definitions.js';

const planning = proxyLocalActivities<ReturnType<typeof createPlanningActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumInterval: '10 seconds' },
});
const PROJECTION_OPTIONS = { startToCloseTimeout: '30 seconds', retry: { maximumInterval: '30 seconds' } } as const;
const projection = proxyActivities<ReturnType<typeof createProjectionActivities>>(PROJECTION_OPTIONS);
/**
 * The projection as a local activity: one marker event instead of an activity's three plus a
 * second workflow task, which keeps an approval step near the history budget of docs/architecture.md.
 * Chains started before this change keep projecting with the activity (the `patched` marker).
 */
const LOCAL_PROJECTION_PATCH = 'projection-as-local-activity';
const localProjection = proxyLocalActivities<ReturnType<typeof createProjectionActivities>>(PROJECTION_OPTIONS);
/**
 * Fewer history events per step (docs/architecture.md's budget): the tasks one step opens are
 * planned by one local activity instead of one each, and search attributes are upserted only when
 * one of them changed. Chains started before keep their one-plan-per-task history (the marker).
 */
const BATCHED_PLANNING_PATCH = 'batched-planning';
/** Set by Temporal on a run a schedule started: the time it was due (earlier than now for a backfill). */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
const SERVICE_OPTIONS = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '1 minute' } } as const;
const services = proxyActivities<ReturnType<typeof createServiceActivities>>(SERVICE_OPTIONS);

/** What gateway conditions read: the declared variables (with their defaults) and the request's own fields. */
function conditionContext(
  ir: ApprovalProcessInput['definition']['ir'],
  request: RequestFields,
): Record<string, unknown> {
  const defaults = Object.fromEntries(
    (ir.variables ?? []).filter((v) => v.default !== undefined).map((v) => [v.name, v.default]),
  );
  return {
    ...defaults,
    ...(request.variables ?? {}),
    major: request.major,
    orgCode: request.orgCode,
    title: request.title,
    conferenceDate: request.conferenceDate ?? null,
  };
}

/**
 * Runs one request through a chain compiled from BPMN: the interpreter. Decisions arrive as the
 * `decide` Update (or signal); each task's due time is a timer; every change is projected into the
 * Postgres read model by an idempotent activity before the Update returns.
 */
export async function approvalProcess(input: ApprovalProcessInput): Promise<ApprovalProcessResult> {
  const { definition } = input;
  // The request's fields; a reschedule (H6) replaces the conference date.
  const carried = input.carried;
  let request = carried?.request ?? input.request;
  let submittedAt = carried?.submittedAt ?? input.submittedAt;
  const requestId = workflowInfo().workflowId;
  // Decided once, before the first command, so the patch marker sits at the same place in every
  // history however Updates and timers interleave later.
  // Chains started since BATCHED_PLANNING_PATCH plan the tasks a step opens together and upsert
  // search attributes only when they change; they project locally too (one marker for both patches).
  const batchedPlanning = patched(BATCHED_PLANNING_PATCH);
  const projectLocally = batchedPlanning || patched(LOCAL_PROJECTION_PATCH);
  if (input.scheduled && !carried) {
    // A run of a recurring process (N2, N3, L1, L2) starts when it was scheduled (earlier than now
    // for a backfill); which period it is for is asked of the calendar before the chain starts.
    const scheduledAt = workflowInfo().typedSearchAttributes.get(SCHEDULED_START);
    submittedAt = (scheduledAt ?? new Date()).toISOString();
  }
  const machine = new ApprovalMachine(
    definition.ir,
    requestId,
    carried?.machine,
    conditionContext(definition.ir, request),
  );
  let projectedHistory = carried?.projectedHistory ?? 0;
  let projectedSeq = carried?.projectedSeq ?? 0;

  // Effects touch the outside world (activities); running them one at a time keeps projections in
  // the order the machine produced them, however Updates and timers interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const view = (): ProcessView => ({
    requestId,
    processKey: definition.key,
    processVersion: definition.version,
    status: machine.state.status,
    outcome: machine.state.outcome,
    stage: machine.stage(),
    round: machine.state.round,
    variables: machine.state.variables,
    tasks: Object.values(machine.state.tasks),
    steps: Object.values(machine.state.steps),
    timers: machine.pendingTimers(),
    returnTargets: Object.fromEntries(machine.openTasks().map((t) => [t.taskId, machine.returnTargets(t.taskId)])),
    // A task waiting for a sign-off added before it (前加签) offers no decision until then.
    actions: Object.fromEntries(machine.openTasks().map((t) => [t.taskId, t.blockedBy ? [] : machine.actionsOf(t)])),
    outputs: Object.fromEntries(
      machine.openTasks().flatMap((t) => {
        const node = definition.ir.nodes[t.elementId];
        return node?.kind === 'userTask' && node.output && !t.addedFor ? [[t.taskId, node.output]] : [];
      }),
    ),
    signers: Object.fromEntries(
      Object.values(machine.state.tasks)
        .map((t) => [t.taskId, machine.pendingSigners(t)] as const)
        .filter(([, pending]) => pending.length > 0),
    ),
    clocks: Object.values(machine.state.clocks ?? {}),
    documents: machine.state.documents ?? {},
    materials: Object.fromEntries(
      machine.openTasks().flatMap((t) => {
        const node = definition.ir.nodes[t.elementId];
        return node?.kind === 'userTask' && node.materials ? [[t.taskId, node.materials]] : [];
      }),
    ),
    history: machine.state.history,
  });

  /** Projects what changed since the last projection: the new history entries and the tasks they touch. */
  async function project(): Promise<void> {
    const events = machine.state.history.slice(projectedHistory);
    projectedHistory = machine.state.history.length;
    const changed = [...new Set(events.map((e) => e.taskId).filter((id): id is string => Boolean(id)))].map(
      (id) => machine.state.tasks[id]!,
    );
    projectedSeq += 1;
    const completed = machine.state.history.find((h) => h.type === 'request.completed');
    const batch: ProjectionBatch = {
      requestId,
      seq: projectedSeq,
      request: {
        processKey: definition.key,
        processVersion: definition.version,
        ...request,
        variables: machine.state.variables as RequestFields['variables'],
        round: machine.state.round,
        timersProvisional: machine.pendingTimers().some((t) => t.provisional),
        cc: machine.state.cc ?? [],
        status: machine.state.status,
        stage: machine.stage(),
        outcome: machine.state.outcome,
        createdAt: submittedAt,
        completedAt: completed?.at,
      },
      tasks: changed.map((t) => ({ ...t })),
      events,
      ...(machine.state.clocks ? { clocks: Object.values(machine.state.clocks).map((c) => ({ ...c })) } : {}),
    };
    const what = [...new Set(events.map((e) => (e.elementId ? `${e.type} ${e.elementId}` : e.type)))].join(', ');
    const summary = `project #${projectedSeq}: ${what}`;
    if (projectLocally) {
      await localProjection.project.executeWithOptions({ ...PROJECTION_OPTIONS, summary }, [batch]);
    } else {
      await projection.project.executeWithOptions({ ...PROJECTION_OPTIONS, summary }, [batch]);
    }
    publishProgress();
  }

  /** The search attributes as last upserted (JSON), so an unchanged set is not upserted again. */
  let publishedAttributes: string | undefined;

  /** Search attributes and the UI's current-details line, so operators read the chain without payloads. */
  function publishProgress(): void {
    const open = machine.openTasks();
    const dues = open
      .map((t) => t.dueAt)
      .filter((d): d is string => Boolean(d))
      .sort();
    const attributes = {
      stage: machine.stage(),
      status: machine.state.status,
      due: dues[0] ?? null,
      dueProvisional: open.some((t) => t.dueProvisional),
    };
    const key = JSON.stringify(attributes);
    if (!batchedPlanning || key !== publishedAttributes) {
      upsertSearchAttributes([
        { key: SA.stage, value: attributes.stage },
        { key: SA.status, value: attributes.status },
        { key: SA.due, value: attributes.due ? new Date(attributes.due) : null },
        { key: SA.dueProvisional, value: attributes.dueProvisional },
      ]);
      publishedAttributes = key;
    }
    const lines =
      machine.state.status === 'completed'
        ? [`**${machine.state.outcome}** — ${request.title}`]
        : open.map(
            (t) =>
              `**${t.name}** (${t.rules.join(', ')}) — ${t.candidates.join(', ') || '⚠ no one holds this position'}` +
              (t.dueAt
                ? `, due ${t.dueAt}${t.dueProvisional ? ' (provisional)' : ''}${t.overdue ? ' **OVERDUE**' : ''}`
                : ''),
          );
    setCurrentDetails(lines.join('\n\n'));
  }

  /** Carries out the machine's effects, and those that follow from them (a service task's result), then projects. */
  async function run(effects: Effect[]): Promise<void> {
    const pending = [...effects];
    for (let effect = pending.shift(); effect; effect = pending.shift()) {
      switch (effect.type) {
        case 'openTask': {
          const openedAt = new Date().toISOString();
          // The tasks opened together (a countersign's instances, a fork's branches) are planned
          // together: one local activity, one marker in the history.
          const opening = [effect];
          if (batchedPlanning) {
            while (pending[0]?.type === 'openTask') opening.push(pending.shift() as typeof effect);
          }
          const inputs = opening.map((e) => ({
            requestId,
            taskId: e.taskId,
            node: e.node,
            candidates: e.candidates,
            ...(e.users ? { users: e.users } : {}),
            ...(e.item ? { item: e.item } : {}),
            processKey: definition.key,
            request,
            openedAt,
          }));
          const elements = [...new Set(opening.map((e) => e.node.id))].join(', ');
          const summary = `resolve candidates and due time of ${elements}`;
          const plans = batchedPlanning
            ? await planning.planTasks.executeWithOptions({ startToCloseTimeout: '10 seconds', summary }, [inputs])
            : [
                await planning.planTask.executeWithOptions({ startToCloseTimeout: '10 seconds', summary }, [
                  inputs[0]!,
                ]),
              ];
          for (const [i, opened] of opening.entries()) {
            const plan = plans[i]!;
            // The task may have been cancelled while its plan was computed (the chain ended meanwhile).
            if (machine.state.tasks[opened.taskId]?.status !== 'opening') continue;
            const { candidates, dueAt, dueProvisional, dueBasis, escalated, onBehalfOf } = plan;
            const task = machine.taskOpened(
              opened.taskId,
              {
                candidates,
                dueAt,
                dueProvisional,
                dueBasis,
                ...(escalated ? { escalated } : {}),
                ...(onBehalfOf ? { onBehalfOf } : {}),
              },
              openedAt,
            );
            if (plan.unresolved.length) {
              log.warn('no candidate resolved for a task', { taskId: task.taskId, unresolved: plan.unresolved });
            }
            const skip = machine.skipReason(task.taskId, request.initiator);
            if (skip) pending.push(...machine.skip(task.taskId, skip, openedAt));
            else watchDeadline(task);
          }
          break;
        }
        case 'startTimer': {
          const plan = await planning.planTimer.executeWithOptions(
            { startToCloseTimeout: '10 seconds', summary: `plan timer ${effect.elementId} (${effect.rule.source})` },
            [{ requestId, rule: effect.rule, request, from: effect.baseAt }],
          );
          if (plan.dueAt) {
            machine.timerPlanned(effect.timerId, plan.dueAt, plan.dueProvisional);
            watchTimer(effect.timerId, effect.elementId, plan.dueAt);
          }
          break;
        }
        case 'runService': {
          if (effect.node.activity === 'startConferences') {
            const started = await startConferences(effect.node);
            pending.push(
              ...machine.serviceDone(
                effect.stepId,
                { detail: { process: effect.node.process, started } },
                new Date().toISOString(),
              ),
            );
            break;
          }
          const output = await services.runService.executeWithOptions(
            { ...SERVICE_OPTIONS, summary: `${effect.node.activity}: ${effect.node.name || effect.node.id}` },
            [
              {
                requestId,
                stepId: effect.stepId,
                node: effect.node,
                request: { ...request, variables: currentVariables() },
              },
            ],
          );
          pending.push(...machine.serviceDone(effect.stepId, output, new Date().toISOString()));
          break;
        }
        case 'startClock':
          watchClock(effect.clockId);
          break;
        case 'reassign': {
          const task = machine.state.tasks[effect.taskId];
          if (task?.status !== 'open') break;
          const plan = await planning.planTask.executeWithOptions(
            { startToCloseTimeout: '10 seconds', summary: `resolve the new unit's candidates of ${effect.node.id}` },
            [
              {
                requestId,
                taskId: effect.taskId,
                node: effect.node,
                candidates: effect.candidates,
                ...(effect.item ? { item: effect.item } : {}),
                processKey: definition.key,
                request,
                openedAt: task.openedAt!,
              },
            ],
          );
          machine.reassign(effect.taskId, plan.candidates, new Date().toISOString());
          break;
        }
        case 'completed':
          break;
      }
    }
    await project();
  }

  /**
   * N2: each topic the meeting accepted becomes a conference request of its department, run by the
   * chain the service task names, as a child workflow of this one (abandoned, not cancelled, when
   * this chain ends: a conference outlives its meeting). Its id says which meeting it came from.
   */
  async function startConferences(node: ServiceTaskNode): Promise<string[]> {
    const topics = (machine.state.variables[node.topics!] ?? []) as Topic[];
    if (!topics.length) return [];
    const chain = await planning.loadDefinition({ key: node.process! });
    const started: string[] = [];
    for (const [i, topic] of topics.entries()) {
      const workflowId = `${requestId}.${node.id}.${i + 1}`;
      const child: ApprovalProcessInput = {
        definition: chain,
        request: {
          title: topic.title,
          orgCode: topic.orgCode,
          conferenceDate: topic.conferenceDate,
          materials: [],
          major: false,
          initiator: request.initiator,
          variables: { meeting: requestId },
        },
        submittedAt: new Date().toISOString(),
      };
      await startChild('approvalProcess', {
        workflowId,
        args: [child],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: startingAttributes(chain.key, topic.orgCode, false),
        staticSummary: topic.title,
        staticDetails: `from topic meeting ${requestId} (N2)`,
      });
      started.push(workflowId);
    }
    return started;
  }

  /** The request's variables as the chain holds them now (decisions' outputs included), for service tasks. */
  function currentVariables(): RequestFields['variables'] {
    return Object.fromEntries(
      Object.entries(machine.state.variables).filter(
        ([, v]) =>
          ['string', 'number', 'boolean'].includes(typeof v) ||
          Array.isArray(v) ||
          (typeof v === 'object' && v !== null),
      ),
    ) as RequestFields['variables'];
  }

  /**
   * An hour clock (H7, O2, U2): wall-clock time, day and night, holidays included. At its warning
   * share the holders and the clock's recipients are told; at its end, unmet, it is breached and its
   * escalation told. A shortened window (a severity upgrade) restarts the wait at the new instants.
   */
  function watchClock(clockId: string): void {
    void (async () => {
      const clock = machine.state.clocks?.[clockId];
      const def = machine.clockDef(clockId);
      if (!clock || !def) return;
      while (clock.status === 'running') {
        const warning = !clock.warnedAt;
        const target = warning ? clock.warnAt : clock.dueAt;
        const dueAt = clock.dueAt;
        const waitMs = Math.max(0, Date.parse(target) - Date.now());
        const changed = await condition(() => clock.status !== 'running' || clock.dueAt !== dueAt, waitMs, {
          summary: `${def.name} (${def.rules.join(', ')}) ${warning ? 'warning' : 'due'} ${target}`,
        });
        if (changed) continue;
        await serially(async () => {
          if (clock.status !== 'running' || clock.dueAt !== dueAt) return;
          const exprs = warning ? def.recipients : def.escalation;
          const notified = exprs.length ? await planning.resolveRecipients({ requestId, exprs, request }) : [];
          const at = new Date().toISOString();
          const recorded = warning
            ? machine.clockWarned(clockId, at, notified)
            : machine.clockBreached(clockId, at, notified);
          if (recorded) await project();
        });
      }
    })();
  }

  /** A timer event or boundary timer: when its instant passes with its step still open, the machine moves on. */
  function watchTimer(timerId: string, elementId: string, firstDueAt: string): void {
    void (async () => {
      const timer = machine.state.timers[timerId];
      if (!timer) return;
      // A re-planned instant (a calendar year loaded) restarts the wait at the new one.
      for (let dueAt = firstDueAt; ; dueAt = timer.dueAt!) {
        const waitMs = Math.max(0, Date.parse(dueAt) - Date.now());
        const changed = await condition(() => timer.status !== 'pending' || timer.dueAt !== dueAt, waitMs, {
          summary: `${elementId} at ${dueAt}`,
        });
        if (timer.status !== 'pending') return;
        if (!changed) break;
      }
      await serially(async () => {
        const before = machine.state.history.length;
        const effects = machine.timerFired(timerId, new Date().toISOString());
        if (machine.state.history.length > before || effects.length) await run(effects);
      });
    })();
  }

  /**
   * When the due time passes with the task still open, it is marked overdue and its escalation told
   * (H1). A re-planned due time (a calendar year loaded) restarts the timer at the new instant.
   */
  function watchDeadline(task: TaskState): void {
    void (async () => {
      for (;;) {
        const dueAt = task.dueAt;
        if (task.status !== 'open' || !dueAt) return;
        const waitMs = Math.max(0, Date.parse(dueAt) - Date.now());
        const changed = await condition(() => task.status !== 'open' || task.dueAt !== dueAt, waitMs, {
          summary: `${task.name} due ${dueAt} (${task.rules.join(', ')})`,
        });
        if (!changed) break;
      }
      await serially(async () => {
        const node = definition.ir.nodes[task.elementId];
        const notified =
          node?.kind === 'userTask' && node.escalation.length
            ? await planning.resolveRecipients({ requestId, exprs: node.escalation, request })
            : [];
        const at = new Date().toISOString();
        if (machine.markOverdue(task.taskId, at, notified)) {
          // fabu:onDue="miss" (L2): the step goes on without it, naming who missed it.
          if (machine.missesOnDue(task.taskId)) await run(machine.skip(task.taskId, 'missed', at));
          else await project();
        }
      });
    })();
  }

  /** A refused task action (decision, transfer, claim, …): DecisionRefused, before it reaches history. */
  const refuseTask = (error: DecisionError | null): void => {
    if (error) {
      throw ApplicationFailure.create({
        type: DECISION_REFUSED,
        message: error.message,
        details: [error],
        nonRetryable: true,
      });
    }
  };
  const refuse = (d: Decision): void => refuseTask(machine.validate(d));

  const applyDecision = async (d: Decision): Promise<DecisionResult> => {
    // Validate and change state synchronously, before any await: concurrent decisions see each other.
    refuse(d);
    const effects = machine.decide(d, new Date().toISOString());
    await serially(() => run(effects));
    return {
      taskId: d.taskId,
      action: d.action,
      status: machine.state.status,
      outcome: machine.state.outcome,
      openTasks: machine.openTasks().map((t) => t.taskId),
    };
  };

  const refuseChain = (error: DecisionError | null): void => {
    if (error) {
      throw ApplicationFailure.create({
        type: CHAIN_REFUSED,
        message: error.message,
        details: [error],
        nonRetryable: true,
      });
    }
  };
  setHandler(
    withdrawUpdate,
    (input) =>
      serially(async () => {
        refuseChain(machine.validateWithdraw(input.actor, request.initiator));
        await run(machine.end('withdrawn', input.actor, input.reason, new Date().toISOString()));
        return view();
      }),
    { validator: (input) => refuseChain(machine.validateWithdraw(input.actor, request.initiator)) },
  );
  setHandler(
    ccUpdate,
    (input) =>
      serially(async () => {
        refuseChain(machine.validateCc(input, request.initiator));
        const cc = machine.cc(input, request.initiator, new Date().toISOString());
        await project();
        return { cc };
      }),
    { validator: (input) => refuseChain(machine.validateCc(input, request.initiator)) },
  );
  const validateCancel = (): DecisionError | null =>
    machine.state.status === 'completed'
      ? { code: 'PROCESS_COMPLETED', message: `the request is already ${machine.state.outcome}` }
      : null;
  setHandler(
    cancelUpdate,
    (input) =>
      serially(async () => {
        refuseChain(validateCancel());
        await run(machine.end('cancelled', input.actor, input.reason, new Date().toISOString()));
        return view();
      }),
    { validator: (_input) => refuseChain(validateCancel()) },
  );
  setHandler(
    messageUpdate,
    (message) =>
      serially(async () => {
        refuseChain(machine.validateMessage(message));
        await run(machine.receiveMessage(message, new Date().toISOString()));
        return view();
      }),
    { validator: (message) => refuseChain(machine.validateMessage(message)) },
  );
  // One version, or several stored by one upload (one Update, one projection for all of them).
  setHandler(
    documentsUpdate,
    (input) =>
      serially(async () => {
        const versions = documentVersions(input);
        refuseChain(machine.validateDocuments(versions, request.initiator));
        // H6: a changed document an approval covered re-runs the approval (fabu:restartAt).
        await run(machine.attachDocuments(versions, request.initiator, new Date().toISOString()));
        return view();
      }),
    { validator: (input) => refuseChain(machine.validateDocuments(documentVersions(input), request.initiator)) },
  );
  setHandler(messageSignal, (message) =>
    serially(async () => {
      const error = machine.validateMessage(message);
      if (error) {
        log.warn('message signal refused', { message: message.name, error });
        return;
      }
      await run(machine.receiveMessage(message, new Date().toISOString()));
    }),
  );

  /**
   * A scheduled run's period: the schedule fired on a plain date; the period it is for, and its
   * date (the conference day, a deadline), come from the statutory calendar (N2, N3, L1, L2).
   */
  async function planScheduledRun(scheduled: NonNullable<ApprovalProcessInput['scheduled']>): Promise<void> {
    if (!scheduled.recurrence) {
      request = { ...request, title: `${request.title}（${submittedAt.slice(0, 10)}）` };
    } else {
      const period = await planning.planPeriod({ recurrence: scheduled.recurrence, firedAt: submittedAt });
      request = { ...request, title: `${request.title}（${period.period}）`, conferenceDate: period.date };
    }
    machine.setVariables({ title: request.title, conferenceDate: request.conferenceDate ?? null });
  }

  let started = false;
  setHandler(stateQuery, view);
  /** Counts open tasks' due times again (calendar or request changed); returns the tasks that moved. */
  async function replanOpenTasks(): Promise<string[]> {
    const replanned: string[] = [];
    for (const task of machine.openTasks().filter((t) => t.dueAt)) {
      const node = definition.ir.nodes[task.elementId];
      if (node?.kind !== 'userTask') continue;
      const due = await planning.planDue.executeWithOptions(
        { startToCloseTimeout: '10 seconds', summary: `re-plan the due time of ${task.elementId}` },
        [{ requestId, node, request, openedAt: task.openedAt! }],
      );
      if (machine.replanDue(task.taskId, due, new Date().toISOString())) replanned.push(task.taskId);
    }
    return replanned;
  }

  /** Counts pending timers again from the calendar as it is now; returns the timers that moved. */
  async function replanTimers(): Promise<string[]> {
    const replanned: string[] = [];
    for (const timer of machine.pendingTimers().filter((t) => t.dueAt && t.baseAt)) {
      const node = definition.ir.nodes[timer.elementId];
      if (node?.kind !== 'boundaryTimer' && node?.kind !== 'timerEvent') continue;
      const plan = await planning.planTimer.executeWithOptions(
        { startToCloseTimeout: '10 seconds', summary: `re-plan timer ${timer.elementId}` },
        [{ requestId, rule: node.timer, request, from: timer.baseAt! }],
      );
      if (plan.dueAt && machine.replanTimer(timer.timerId, plan.dueAt, plan.dueProvisional, new Date().toISOString())) {
        replanned.push(timer.timerId);
      }
    }
    return replanned;
  }

  setHandler(replanDeadlinesUpdate, () =>
    serially(async () => {
      const replanned = await replanOpenTasks();
      const timers = await replanTimers();
      if (replanned.length || timers.length) await project();
      return { replanned, timers };
    }),
  );
  /**
   * Applies a change of the request (H6) once it is this change's turn: the new data, its audit
   * entry, the re-run of the approval where the chain asks for one, then deadlines counted again.
   */
  async function applyChange(change: ChangeInput): Promise<ChangeResult> {
    // The chain may have finished while this waited its turn behind other effects.
    if (machine.state.status !== 'running') {
      refuseReschedule('PROCESS_COMPLETED', `the request is already ${machine.state.outcome}`);
    }
    const at = new Date().toISOString();
    const fields = ['title', 'conferenceDate', 'materials', 'variables'] as const;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of fields) {
      if (change[field] !== undefined && JSON.stringify(change[field]) !== JSON.stringify(request[field])) {
        changes[field] = { from: request[field], to: change[field] };
      }
    }
    const onlyDate = Object.keys(changes).length === 1 && 'conferenceDate' in changes;
    request = {
      ...request,
      ...(change.title !== undefined ? { title: change.title } : {}),
      ...(change.conferenceDate !== undefined ? { conferenceDate: change.conferenceDate } : {}),
      ...(change.materials !== undefined ? { materials: change.materials } : {}),
      ...(change.variables !== undefined ? { variables: { ...request.variables, ...change.variables } } : {}),
    };
    if (change.variables) machine.setVariables(change.variables);
    if (change.title !== undefined) machine.setVariables({ title: change.title });
    if (change.conferenceDate !== undefined) machine.setVariables({ conferenceDate: change.conferenceDate });
    if (onlyDate) {
      const { from, to } = changes.conferenceDate!;
      machine.recordReschedule(
        { from: from as string | undefined, to: to as string, reason: change.reason },
        change.actor,
        at,
      );
    } else {
      machine.recordChange(changes, change.actor, change.reason, at);
    }
    const roundBefore = machine.state.round;
    const effects = Object.keys(changes).length ? machine.reapprove(at) : [];
    if (effects.length) await run(effects);
    const replanned = await replanOpenTasks();
    // Timers counted from a moved date (a timeDate such as "conferenceDate - 3WD") move with it.
    if (change.conferenceDate !== undefined) await replanTimers();
    await project();
    return { replanned, round: machine.state.round, reapproval: machine.state.round > roundBefore };
  }

  const validateChange = (change: ChangeInput): void => {
    if (machine.state.status !== 'running') {
      refuseReschedule('PROCESS_COMPLETED', `the request is already ${machine.state.outcome}`);
    }
    if (change.actor !== request.initiator) {
      refuseReschedule('FORBIDDEN', `only ${request.initiator}, who applied, may change the request`);
    }
    if (change.conferenceDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(change.conferenceDate)) {
      refuseReschedule('VALIDATION_FAILED', 'conferenceDate must be YYYY-MM-DD');
    }
  };
  setHandler(
    rescheduleUpdate,
    (change) =>
      serially(async () => ({
        conferenceDate: change.conferenceDate,
        ...(await applyChange({ actor: change.actor, reason: change.reason, conferenceDate: change.conferenceDate })),
      })),
    { validator: (change) => validateChange({ actor: change.actor, conferenceDate: change.conferenceDate }) },
  );
  setHandler(changeUpdate, (change) => serially(() => applyChange(change)), { validator: validateChange });
  setHandler(
    reassessUpdate,
    (input) =>
      serially(async () => {
        refuseChain(machine.validateReassess(input));
        await run(machine.reassess(input, new Date().toISOString()));
        return view();
      }),
    { validator: (input) => refuseChain(machine.validateReassess(input)) },
  );
  setHandler(
    handOverUpdate,
    (input) =>
      serially(async () => {
        refuseChain(machine.validateHandOver(input));
        const effects = machine.handOver(input, new Date().toISOString());
        const lead = machine.state.variables.orgCode;
        if (typeof lead === 'string' && lead !== request.orgCode) request = { ...request, orgCode: lead };
        await run(effects);
        return view();
      }),
    { validator: (input) => refuseChain(machine.validateHandOver(input)) },
  );
  setHandler(startedUpdate, async () => {
    await condition(() => started);
    return view();
  });
  setHandler(decideUpdate, applyDecision, { validator: refuse });
  /**
   * An Update on one task: refused by the machine's validator before it reaches history, applied
   * in its turn, then carried out (its effects, if any) and projected; answers with the chain's view.
   */
  const onTaskUpdate = <I>(
    update: UpdateDefinition<ProcessView, [I]>,
    validate: (input: I) => DecisionError | null,
    apply: (input: I, at: string) => Effect[] | TaskState,
  ): void =>
    setHandler(
      update,
      (input) =>
        serially(async () => {
          refuseTask(validate(input));
          const effects = apply(input, new Date().toISOString());
          await run(Array.isArray(effects) ? effects : []);
          return view();
        }),
      { validator: (input) => refuseTask(validate(input)) },
    );
  onTaskUpdate(
    transferUpdate,
    (i) => machine.validateTransfer(i),
    (i, at) => machine.transfer(i, at),
  );
  onTaskUpdate(
    claimUpdate,
    (i) => machine.validateClaim(i, Boolean(i.release)),
    (i, at) => machine.claim(i, Boolean(i.release), at),
  );
  onTaskUpdate(
    delegateUpdate,
    (i) => machine.validateDelegate(i),
    (i, at) => machine.delegate(i, at),
  );
  onTaskUpdate(
    resolveUpdate,
    (i) => machine.validateResolve(i),
    (i, at) => machine.resolve(i, at),
  );
  onTaskUpdate(
    signerUpdate,
    (i) => machine.validateSigner(i, Boolean(i.remove)),
    (i, at) => (i.remove ? machine.removeSigner(i, at) : machine.addSigner(i, at)),
  );
  setHandler(
    urgeUpdate,
    (input) =>
      serially(async () => {
        const now = new Date().toISOString();
        refuseTask(machine.validateUrge(input, request.initiator, now));
        const notified = machine.urge(input, request.initiator, now);
        await project();
        return { notified };
      }),
    { validator: (input) => refuseTask(machine.validateUrge(input, request.initiator, new Date().toISOString())) },
  );
  setHandler(decideSignal, async (d) => {
    if (machine.validate(d)) {
      log.warn('decision signal refused', { decision: d, error: machine.validate(d) });
      return;
    }
    await applyDecision(d);
  });

  if (carried) {
    // A continued run: the chain is where the last run left it; its waits start again.
    for (const task of machine.openTasks()) if (!task.overdue) watchDeadline(task);
    for (const timer of machine.pendingTimers())
      if (timer.dueAt) watchTimer(timer.timerId, timer.elementId, timer.dueAt);
    for (const clock of machine.runningClocks()) watchClock(clock.clockId);
  } else {
    if (input.scheduled) await planScheduledRun(input.scheduled);
    await serially(() => run(machine.start(submittedAt, request.initiator)));
  }
  started = true;

  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const tooLong = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  for (;;) {
    await condition(() => machine.state.status === 'completed' || tooLong());
    // Nothing in flight: every Update answered, every effect carried out and projected.
    await condition(allHandlersFinished);
    await queue;
    if (machine.state.status === 'completed') break;
    if (!tooLong() || !allHandlersFinished()) continue;
    log.info('continuing as new', { historyLength: workflowInfo().historyLength, runs: (carried?.runs ?? 1) + 1 });
    await continueAsNew<typeof approvalProcess>({
      ...input,
      carried: {
        machine: machine.state,
        request,
        submittedAt,
        projectedHistory,
        projectedSeq,
        runs: (carried?.runs ?? 1) + 1,
      },
    });
  }
  const completed = machine.state.history.find((h) => h.type === 'request.completed');
  return { outcome: machine.state.outcome ?? 'rejected', completedAt: completed?.at ?? new Date().toISOString() };
}

function refuseReschedule(code: string, message: string): never {
  throw ApplicationFailure.create({
    type: RESCHEDULE_REFUSED,
    message,
    details: [{ code, message }],
    nonRetryable: true,
  });
}
