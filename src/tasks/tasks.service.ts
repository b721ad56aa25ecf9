import { Inject, Injectable } from '@nestjs/common';
import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError, isGrpcServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CalendarService } from '../calendar/calendar.service.js';
import { type ErrorCode, FabuException, statusOf } from '../common/problem.js';
import { type DirectoryUser, DirectoryRepository } from '../directory/directory.repository.js';
import { DocumentsRepository } from '../documents/documents.repository.js';
import { taskMaterials } from '../documents/materials.js';
import { ProcessesService } from '../processes/processes.service.js';
import { RequestsRepository, toTaskView } from '../requests/requests.repository.js';
import { TEMPORAL_CLIENT } from '../temporal/temporal.tokens.js';
import type { DecisionError, DecisionErrorCode } from '../../workflows/approval-machine.js';
import {
  DECISION_REFUSED,
  type DecisionResult,
  decideUpdate,
  stateQuery,
  claimUpdate,
  delegateUpdate,
  resolveUpdate,
  signerUpdate,
  transferUpdate,
  urgeUpdate,
} from '../../workflows/definitions.js';
import { TasksRepository } from './tasks.repository.js';
import type { BulkDecisionBody, DecisionBody, ListTasksQuery, SignerBody, TransferBody } from './tasks.schemas.js';

const REFUSALS: Record<DecisionErrorCode, ErrorCode> = {
  PROCESS_COMPLETED: 'PROCESS_COMPLETED',
  TASK_NOT_FOUND: 'TASK_NOT_FOUND',
  TASK_NOT_OPEN: 'TASK_NOT_OPEN',
  NOT_A_CANDIDATE: 'NOT_A_CANDIDATE',
  ACTION_NOT_ALLOWED: 'ACTION_NOT_ALLOWED',
  RETURN_TARGET_INVALID: 'RETURN_TARGET_INVALID',
  WITHDRAW_NOT_ALLOWED: 'WITHDRAW_NOT_ALLOWED',
  MESSAGE_NOT_EXPECTED: 'MESSAGE_NOT_EXPECTED',
  TRANSFER_INVALID: 'TRANSFER_INVALID',
  URGE_NOT_ALLOWED: 'URGE_NOT_ALLOWED',
  URGED_RECENTLY: 'URGED_RECENTLY',
  TASK_DELEGATED: 'TASK_DELEGATED',
  COMMENT_REQUIRED: 'COMMENT_REQUIRED',
  CC_NOT_ALLOWED: 'CC_NOT_ALLOWED',
  TASK_CLAIMED: 'TASK_CLAIMED',
  SIGNER_INVALID: 'SIGNER_INVALID',
  TASK_BLOCKED: 'TASK_BLOCKED',
  OUTPUT_INVALID: 'OUTPUT_INVALID',
  SEVERITY_UNCHANGED: 'SEVERITY_UNCHANGED',
  HANDOVER_INVALID: 'HANDOVER_INVALID',
  MATERIALS_MISSING: 'MATERIALS_MISSING',
  UPLOAD_NOT_ALLOWED: 'UPLOAD_NOT_ALLOWED',
  DOCUMENT_KIND_INVALID: 'DOCUMENT_KIND_INVALID',
};

@Injectable()
export class TasksService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    private readonly tasks: TasksRepository,
    private readonly calendar: CalendarService,
    private readonly directory: DirectoryRepository,
    private readonly requests: RequestsRepository,
    private readonly processes: ProcessesService,
    private readonly documents: DocumentsRepository,
  ) {}

  async inbox(user: DirectoryUser, query: ListTasksQuery) {
    const { limit, cursor, status, ...filters } = query;
    const page =
      status === 'done'
        ? await this.tasks.done(user.username, limit, cursor, filters)
        : await this.tasks.inbox(user.username, limit, cursor, filters);
    return { ...page, items: await this.calendar.withSlack(page.items) };
  }

  /** The console's tab counts (待办 / 已办 / 抄送我 / 我发起的) and a digest to poll for changes. */
  async summary(user: DirectoryUser) {
    const [tasks, requests] = await Promise.all([
      this.tasks.summary(user.username),
      this.requests.counts(user.username),
    ]);
    return { ...tasks, ...requests };
  }

  /**
   * One task with its request, its own history, and what the caller may do with it now: the
   * decisions its BPMN allows (return only where there is an earlier step), transfer and delegate
   * for a candidate, resolve for the delegate, urge for the applicant or an operator.
   */
  async get(user: DirectoryUser, id: string) {
    const { task, candidates } = await this.visible(user, id);
    const [view] = await this.calendar.withSlack([toTaskView(task, candidates)]);
    const request = await this.requests.view(task.requestId);
    // A done task may still wait for sign-offs added after it (后加签): ask the chain while it runs.
    const chain = request?.status === 'running' ? await this.chainState(task.requestId) : undefined;
    const returnTargets = chain?.returnTargets[id] ?? [];
    const allowedActions: string[] = [];
    if (task.status === 'open' && chain) {
      if (task.delegatedTo) {
        if (task.delegatedTo === user.username) allowedActions.push('resolve');
      } else if (candidates.includes(user.username)) {
        // Claimed by another candidate, it waits for them.
        if (!task.assignee || task.assignee === user.username) {
          const decisions = (chain.actions[id] ?? []).filter((a) => a !== 'return' || returnTargets.length > 0);
          allowedActions.push(...decisions, 'transfer', 'delegate', task.assignee ? 'unclaim' : 'claim');
          if (!task.addedFor) allowedActions.push('addSigner');
        }
      }
      if (request && (request.initiator === user.username || user.isAdmin)) allowedActions.push('urge');
    }
    // 减签: a sign-off this user added to this task that is still pending (the task itself may be done).
    if (chain && (chain.signers?.[id] ?? []).some((s) => s.by === user.username)) allowedActions.push('removeSigner');
    // What the step needs attached (fabu:materials) and which versions were approved (H6).
    const node =
      request && (await this.processes.get(request.processKey, request.processVersion)).ir.nodes[task.elementId];
    const required = node?.kind === 'userTask' ? (node.materials ?? []) : [];
    return {
      ...view!,
      returnTargets,
      allowedActions,
      output: chain?.outputs?.[id] ?? null,
      materials: taskMaterials(id, required, await this.documents.list(task.requestId), request?.history ?? []),
      request: request && {
        id: request.id,
        processKey: request.processKey,
        title: request.title,
        orgCode: request.orgCode,
        conferenceDate: request.conferenceDate,
        initiator: request.initiator,
        status: request.status,
        stage: request.stage,
      },
      history: (request?.history ?? []).filter((h) => h.taskId === id),
    };
  }

  /**
   * The task if the caller may see it: a candidate, its claimant or delegate, the one a proxy covers,
   * who added it (加签), the request's applicant or someone copied in (read only), an operator.
   * Anyone else is told it does not exist (404), so task ids cannot be probed; what a visible task
   * does not allow the caller to do is the chain's to refuse (403, 409).
   */
  private async visible(user: DirectoryUser, id: string) {
    // Both at once: one round trip's wait instead of two on every task call (decide included).
    const [task, candidatesOf] = await Promise.all([this.tasks.find(id), this.tasks.candidatesOf([id])]);
    if (!task) throw new FabuException('TASK_NOT_FOUND', `no task ${id}`);
    const candidates = candidatesOf.get(id) ?? [];
    const me = user.username;
    if (
      user.isAdmin ||
      candidates.includes(me) ||
      [task.assignee, task.delegatedTo, task.addedBy].includes(me) ||
      Object.values(task.onBehalfOf ?? {}).includes(me)
    ) {
      return { task, candidates };
    }
    const request = await this.requests.find(task.requestId);
    if (request && (request.initiator === me || request.cc.includes(me))) return { task, candidates };
    throw new FabuException('TASK_NOT_FOUND', `no task ${id}`);
  }

  /** The chain's own view of its open tasks (return targets, allowed decisions); none once it finished. */
  private async chainState(requestId: string) {
    try {
      return await this.temporal.workflow.getHandle(requestId).query(stateQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  /**
   * Decides several tasks one after another, each exactly as a single decision would be: a refusal
   * answers for that task alone and changes nothing; the others go on.
   */
  async bulkDecide(user: DirectoryUser, body: BulkDecisionBody) {
    const results = [];
    for (const taskId of [...new Set(body.taskIds)]) {
      try {
        const result = await this.decide(user, taskId, { action: body.action, comment: body.comment });
        results.push({ taskId, status: 200, ...(result.outcome ? { outcome: result.outcome } : {}) });
      } catch (err) {
        if (!(err instanceof FabuException)) throw err;
        results.push({ taskId, status: statusOf(err.code), code: err.code, detail: err.detail });
      }
    }
    return { results };
  }

  /**
   * Sends the decision to the workflow as an Update. The workflow's validator is the authority
   * (open task, resolved candidate, allowed action): a refused decision changes nothing. The
   * Idempotency-Key becomes the Update id, so a retried POST is applied once.
   */
  async decide(user: DirectoryUser, id: string, body: DecisionBody, idempotencyKey?: string): Promise<DecisionResult> {
    const { task } = await this.visible(user, id);
    const handle = this.temporal.workflow.getHandle(task.requestId);
    try {
      return await handle.executeUpdate(decideUpdate, {
        args: [
          {
            taskId: id,
            action: body.action,
            comment: body.comment,
            actor: user.username,
            ...(body.returnTo ? { returnTo: body.returnTo } : {}),
            ...(body.data ? { data: body.data } : {}),
          },
        ],
        ...(idempotencyKey ? { updateId: `${user.username}:${idempotencyKey}` } : {}),
      });
    } catch (err) {
      throw this.refusal(err, id);
    }
  }

  /**
   * 转办 (transfer: the task becomes the other user's) or 委派 (delegate: the other user works on it
   * and resolves it back): to a user of the directory; the workflow decides whether the caller may.
   */
  async handOver(kind: 'transfer' | 'delegate', user: DirectoryUser, id: string, body: TransferBody) {
    const { task } = await this.visible(user, id);
    if (!(await this.directory.findUser(body.to))) {
      throw new FabuException('VALIDATION_FAILED', `no user ${body.to}`, [{ path: 'to', message: 'unknown user' }]);
    }
    const input = { taskId: id, actor: user.username, to: body.to, ...(body.comment ? { comment: body.comment } : {}) };
    try {
      const handle = this.temporal.workflow.getHandle(task.requestId);
      await (kind === 'transfer'
        ? handle.executeUpdate(transferUpdate, { args: [input] })
        : handle.executeUpdate(delegateUpdate, { args: [input] }));
    } catch (err) {
      throw this.refusal(err, id);
    }
    return this.get({ ...user, isAdmin: true }, id);
  }

  /**
   * 加签: the caller (a candidate) adds someone to sign before, after or beside them; 减签 (`remove`):
   * takes back a pending sign-off they added. The workflow decides whether they may.
   */
  async signer(user: DirectoryUser, id: string, body: SignerBody, remove = false) {
    const { task } = await this.visible(user, id);
    if (!remove && !(await this.directory.findUser(body.to))) {
      throw new FabuException('VALIDATION_FAILED', `no user ${body.to}`, [{ path: 'to', message: 'unknown user' }]);
    }
    try {
      await this.temporal.workflow.getHandle(task.requestId).executeUpdate(signerUpdate, {
        args: [
          {
            taskId: id,
            actor: user.username,
            to: body.to,
            mode: body.mode ?? 'parallel',
            ...(body.comment ? { comment: body.comment } : {}),
            ...(remove ? { remove } : {}),
          },
        ],
      });
    } catch (err) {
      throw this.refusal(err, id);
    }
    return this.get(user, id);
  }

  /** A candidate claims the task (or, with `release`, unclaims it). */
  async claim(user: DirectoryUser, id: string, release: boolean) {
    const { task } = await this.visible(user, id);
    try {
      await this.temporal.workflow
        .getHandle(task.requestId)
        .executeUpdate(claimUpdate, { args: [{ taskId: id, actor: user.username, release }] });
    } catch (err) {
      throw this.refusal(err, id);
    }
    return this.get({ ...user, isAdmin: true }, id);
  }

  /** The delegate hands the task back with their opinion. */
  async resolve(user: DirectoryUser, id: string, comment: string) {
    const { task } = await this.visible(user, id);
    try {
      await this.temporal.workflow
        .getHandle(task.requestId)
        .executeUpdate(resolveUpdate, { args: [{ taskId: id, actor: user.username, comment }] });
    } catch (err) {
      throw this.refusal(err, id);
    }
    return this.get({ ...user, isAdmin: true }, id);
  }

  /** 催办: tells the task's candidates again (the applicant or an operator, once an hour). */
  async urge(user: DirectoryUser, id: string): Promise<{ notified: string[] }> {
    const { task } = await this.visible(user, id);
    try {
      return await this.temporal.workflow
        .getHandle(task.requestId)
        .executeUpdate(urgeUpdate, { args: [{ taskId: id, actor: user.username, operator: user.isAdmin }] });
    } catch (err) {
      throw this.refusal(err, id);
    }
  }

  private refusal(err: unknown, taskId: string): unknown {
    if (
      err instanceof WorkflowUpdateFailedError &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === DECISION_REFUSED
    ) {
      const detail = err.cause.details?.[0] as DecisionError | undefined;
      if (detail)
        return new FabuException(
          REFUSALS[detail.code],
          detail.message,
          [
            {
              path:
                detail.code === 'RETURN_TARGET_INVALID'
                  ? 'returnTo'
                  : detail.code === 'SIGNER_INVALID'
                    ? 'to'
                    : detail.code === 'OUTPUT_INVALID'
                      ? 'data'
                      : 'taskId',
              message: detail.message,
            },
          ],
          // MATERIALS_MISSING: which kinds to attach (POST /api/requests/:id/documents).
          detail.missing ? { missing: detail.missing } : {},
        );
    }
    if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && /completed/i.test(err.message))) {
      return new FabuException('PROCESS_COMPLETED', `the chain of task ${taskId} has already finished`);
    }
    return err;
  }
}
