import type { PublishInput, Release } from '../src/channels/releases.repository.js';
import type { DirectoryRepository } from '../src/directory/directory.repository.js';
import type { ServiceTaskNode } from '../src/processes/ir.js';
import type { RequestFields } from '../workflows/definitions.js';

export interface ServiceInput {
  requestId: string;
  node: ServiceTaskNode;
  request: RequestFields;
  /** The step of the chain this run belongs to (`<node id>#<visit>`); older workflows omit it: the node id. */
  stepId?: string;
}

/** What a service task reports: audited as `service.completed`; `variables` are kept in the request. */
export interface ServiceOutput {
  detail: Record<string, unknown>;
  variables?: Record<string, unknown>;
}

/** A unit short of a release quota (L1, U3, H8), as the compliance report gives it. */
export interface ShortOfQuota {
  orgCode: string;
  rule: string;
  required: number;
  held: number;
  planned: number;
  status: string;
  workingDaysLeft: number;
  window: [string, string];
}

export interface ServiceDeps {
  directory: Pick<DirectoryRepository, 'resolve'>;
  /** Units short of their quota in a city as of now (complianceNotice); absent, no one is. */
  compliance?: { shortOfQuota(city: string): Promise<ShortOfQuota[]> };
  /** Release store (publish): writes releases and their outbox rows; absent, nothing is released. */
  releases?: { publish(input: PublishInput): Promise<Array<Pick<Release, 'channel' | 'idempotencyKey'>>> };
  /** Where a service task's effect is reported (a log line; webhooks and channels plug in here). */
  report?: (event: { requestId: string; activity: string; detail: Record<string, unknown> }) => void;
}

/**
 * The allow-listed activities a BPMN service task may name (`fabu:activity`); the compiler refuses
 * any other name. Each returns what it did, which the chain's audit trail records.
 */
export function createServiceActivities(deps: ServiceDeps) {
  const report = deps.report ?? (() => undefined);
  // startConferences starts child workflows: the interpreter does that itself, not an activity.
  const handlers: Record<
    Exclude<ServiceTaskNode['activity'], 'startConferences'>,
    (input: ServiceInput) => Promise<ServiceOutput>
  > = {
    /**
     * L1, U3, H8: a unit short of its quota with no more than fabu:lead working days left in the
     * period is told, with its main leader and the leader in charge of it.
     */
    async complianceNotice({ node }) {
      const short = (await deps.compliance?.shortOfQuota(node.city!)) ?? [];
      const due = short.filter((s) => s.workingDaysLeft <= node.lead!);
      const notices = [];
      for (const s of due) {
        const notified = new Set<string>();
        for (const position of ['main-leader', 'leader-in-charge'] as const) {
          const users = await deps.directory.resolve(
            { kind: 'position', position, org: { kind: 'fixed', code: s.orgCode } },
            { orgCode: s.orgCode, initiator: '' },
          );
          users.forEach((u) => notified.add(u));
        }
        notices.push({ ...s, notified: [...notified].sort() });
      }
      return { detail: { city: node.city, lead: node.lead, notices } };
    },
    /** Tells the resolved recipients (a reminder, an escalation notice). */
    async notify({ node, request }) {
      const recipients = new Set<string>();
      for (const expr of node.recipients) {
        for (const user of await deps.directory.resolve(expr, {
          orgCode: request.orgCode,
          initiator: request.initiator,
        })) {
          recipients.add(user);
        }
      }
      return { detail: { recipients: [...recipients].sort(), subject: node.name } };
    },
    /** Files the request's materials with the press office (备案). */
    async file({ request }) {
      return { detail: { materials: request.materials, conferenceDate: request.conferenceDate ?? null } };
    },
    /**
     * Releases the request's text on the task's channels (fabu:channel), in their order: the
     * government's own channel first (N7, H7's first release), the rest after it is delivered.
     * Variables named by fabu:together go with it as attachments (U2: a policy document and its
     * interpretation at the same time). Written to the outbox in one transaction, keyed by the step:
     * a retry of this activity writes nothing twice.
     */
    async publish({ requestId, node, request, stepId }) {
      const channels = node.channels ?? [];
      const releaseKey = `${requestId}:${stepId ?? node.id}`;
      if (channels.length === 0) return { detail: { title: request.title, releaseKey, channels, releases: [] } };
      // Every worker process wires the store; a test worker without one says what it did not do.
      if (!deps.releases) {
        return {
          detail: { title: request.title, releaseKey, channels, releases: [], unpublished: 'no release store' },
        };
      }
      const variables: Record<string, unknown> = request.variables ?? {};
      const released = await deps.releases.publish({
        releaseKey,
        requestId,
        elementId: node.id,
        channels,
        title: request.title,
        body: releaseText(variables[node.content ?? 'draft']),
        attachments: Object.fromEntries((node.together ?? []).map((name) => [name, variables[name] ?? null])),
      });
      return {
        detail: {
          title: request.title,
          releaseKey,
          channels,
          releases: released.map((r) => ({ channel: r.channel, idempotencyKey: r.idempotencyKey })),
        },
      };
    },
    /** L6: invites the media tiers the conference needs; the list is kept in the request. */
    async inviteMedia({ node }) {
      return { detail: { tiers: node.tiers }, variables: { invitedMedia: node.tiers } };
    },
  };

  return {
    async runService(input: ServiceInput): Promise<ServiceOutput> {
      const activity = input.node.activity;
      if (activity === 'startConferences') throw new Error('startConferences is carried out by the workflow');
      const output = await handlers[activity](input);
      report({ requestId: input.requestId, activity: input.node.activity, detail: output.detail });
      return output;
    },
  };
}

/** The release text a variable holds: a string, or an object's `body` or `text`; else nothing. */
function releaseText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const { body, text } = value as { body?: unknown; text?: unknown };
    if (typeof body === 'string') return body;
    if (typeof text === 'string') return text;
  }
  return '';
}
