// e2e: every seed chain in processes/ through the REST API alone, with the demo directory's
// officials: the approve path, each conditional branch and a rejection, every task decided by a
// user the chain resolved for it.
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import type { ProcessIR } from '../../src/processes/ir.js';
import { attachMissing } from '../support/documents.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { type ChainCase, SEED_CHAINS } from '../support/seed-chains.js';

let e2e: E2E;
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

interface TaskView {
  id: string;
  elementId: string;
  status: string;
  candidates: string[];
}

beforeAll(async () => {
  e2e = await startE2E();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

async function irOf(key: string): Promise<ProcessIR> {
  const res = await e2e.http('GET', `/api/processes/${key}`, { token: await token('admin') });
  expect(res.status).toBe(200);
  return res.body.ir as ProcessIR;
}

async function apply(c: ChainCase, extra: { major?: boolean; variables?: Record<string, unknown> } = {}) {
  const res = await e2e.http('POST', '/api/requests', {
    token: await token(c.applicant.username),
    body: {
      processKey: c.key,
      title: `${c.key} e2e`,
      orgCode: c.applicant.orgCode,
      // Comfortably more than every lead time (H1: 7 WD, N6: one week).
      conferenceDate: bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date,
      ...(extra.major ? { major: true } : {}),
      variables: { ...c.variables, ...extra.variables },
    },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Decides open tasks, first by id, each by its first resolved candidate, until the chain ends. */
async function decideAll(id: string, actionFor: (elementId: string) => 'approve' | 'reject' = () => 'approve') {
  const decided: string[] = [];
  for (let i = 0; i < 30; i++) {
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('admin') });
    if (view.body.status === 'completed') return { view: view.body, decided };
    const open = (view.body.tasks as TaskView[])
      .filter((t) => t.status === 'open')
      .sort((a, b) => a.id.localeCompare(b.id));
    const task = open[0]!;
    // Every step resolved to an official of the demo directory.
    expect(task.candidates.length).toBeGreaterThan(0);
    const action = actionFor(task.elementId);
    // A filing step (fabu:materials: H2–H4, L3) is approved once its documents are uploaded.
    if (action === 'approve') await attachMissing(e2e, await token(task.candidates[0]!), task.id);
    const res = await e2e.http('POST', `/api/tasks/${task.id}/decision`, {
      token: await token(task.candidates[0]!),
      body: { action },
    });
    expect(res.status).toBe(200);
    decided.push(action === 'approve' ? task.elementId : `${task.elementId}:${action}`);
  }
  throw new Error(`${id} did not finish`);
}

describe.each(SEED_CHAINS)('$key over HTTP', (c) => {
  it('is approved along its approve path', async () => {
    const { view, decided } = await decideAll(await apply(c));
    expect(decided).toEqual(c.approvePath);
    expect(view).toMatchObject({ processKey: c.key, status: 'completed', outcome: 'approved' });
  });

  const branches = [...(c.branch ? [c.branch] : []), ...(c.moreBranches ?? [])];
  if (branches.length) {
    it.each(branches)('is approved along its branch for $name', async (branch) => {
      const { view, decided } = await decideAll(await apply(c, branch.request));
      expect(decided).toEqual(branch.path);
      expect(view.outcome).toBe('approved');
    });
  }

  it('is rejected when its last step that may reject does', async () => {
    const ir = await irOf(c.key);
    const rejecting = [...c.approvePath].reverse().find((id) => {
      const node = ir.nodes[id];
      return node?.kind === 'userTask' && node.actions.includes('reject');
    })!;
    const { view, decided } = await decideAll(await apply(c), (elementId) =>
      elementId === rejecting ? 'reject' : 'approve',
    );
    expect(decided.at(-1)).toBe(`${rejecting}:reject`);
    expect(view).toMatchObject({ status: 'completed', outcome: 'rejected' });
    expect((view.tasks as TaskView[]).filter((t) => t.status === 'open')).toEqual([]);
  });
});
