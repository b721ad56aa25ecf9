// Release channels over HTTP: every signed-in user reads them (never a secret), an administrator
// points one at a webhook, refusals change nothing; and an approved chain's publish step reaches
// the government's own channel first (N7), then the next one, as the releases and posts show.
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { Receiver } from '../support/releases.js';
import { OutboxDispatcher } from '../../src/channels/outbox.dispatcher.js';
import { verifyWebhook } from '../../src/channels/webhook-signature.js';

let e2e: E2E;
let admin: string;
let panlei: string;
const receiver = new Receiver();
const SECRET = 'e2e-receiver-secret-16';

beforeAll(async () => {
  [e2e] = await Promise.all([startE2E(), receiver.start()]);
  [admin, panlei] = await Promise.all([e2e.login('admin'), e2e.login('panlei')]);
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
  await receiver.stop();
});

const channelsTable = async () => (await e2e.db.query('SELECT * FROM channels ORDER BY key')).rows;

describe('channels API', () => {
  it("lists the four cities' government channels to any signed-in user, without secrets", async () => {
    const res = await e2e.http('GET', '/api/channels', { token: panlei });
    expect(res.status).toBe(200);
    expect(res.body.items.map((c: { key: string }) => c.key)).toEqual(
      expect.arrayContaining([
        'ningbo-fabu',
        'ningbo-gov-site',
        'huludao-gov-weibo',
        'huludao-gov-site',
        'huainan-gov-site',
        'huainan-gov-weibo',
        'liuzhou-gov-weibo',
        'liuzhou-gov-site',
      ]),
    );
    expect(res.body.items).toContainEqual(
      expect.objectContaining({ key: 'ningbo-fabu', city: 'ningbo', kind: 'local', url: null, hasSecret: false }),
    );
    expect((await e2e.http('GET', '/api/channels')).status).toBe(401);
    const docs = await e2e.http('GET', '/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/channels', '/api/channels/{key}', '/api/channels/{key}/posts', '/api/releases']),
    );
  });

  it.each([
    ['a webhook without a secret', { kind: 'webhook', url: 'https://example.gov.cn/hook' }, ['secret']],
    ['a short secret', { kind: 'webhook', url: 'https://example.gov.cn/hook', secret: 'short' }, ['secret']],
    ['a URL that is not http(s)', { kind: 'webhook', url: 'ftp://example.gov.cn/hook', secret: SECRET }, ['url']],
    ['a local channel with a url', { kind: 'local', url: 'https://example.gov.cn/hook' }, ['url']],
  ])('refuses %s naming the field, and changes nothing', async (_what, patch, paths) => {
    const before = await channelsTable();
    const res = await e2e.http('PUT', '/api/channels/ningbo-gov-site', {
      token: admin,
      body: { name: '宁波市人民政府网站', city: 'ningbo', ...patch },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(paths);
    expect(await channelsTable()).toEqual(before);
  });

  it('lets only an administrator change a channel', async () => {
    const before = await channelsTable();
    const res = await e2e.http('PUT', '/api/channels/ningbo-gov-site', {
      token: panlei,
      body: { name: '宁波市人民政府网站', city: 'ningbo', kind: 'webhook', url: receiver.url, secret: SECRET },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
    expect(await channelsTable()).toEqual(before);
  });

  it('creates a webhook channel, then replaces it, and never shows its secret', async () => {
    const body = { name: '宁波日报客户端', city: 'ningbo', kind: 'webhook', url: receiver.url, secret: SECRET };
    const created = await e2e.http('PUT', '/api/channels/e2e-hook', { token: admin, body });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({ key: 'e2e-hook', kind: 'webhook', url: receiver.url, hasSecret: true }),
    );
    const replaced = await e2e.http('PUT', '/api/channels/e2e-hook', { token: admin, body });
    expect(replaced.status).toBe(200);
    const listed = await e2e.http('GET', '/api/channels', { token: panlei });
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
  });

  it("says so for an unknown channel's posts, and for a cursor it did not issue", async () => {
    const missing = await e2e.http('GET', '/api/channels/no-such-channel/posts', { token: panlei });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('CHANNEL_NOT_FOUND');
    const bad = await e2e.http('GET', '/api/channels/ningbo-fabu/posts?cursor=xyz', { token: panlei });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'cursor', message: 'invalid cursor' }]);
  });
});

describe('an approved chain releases on its channels (N7)', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:fabu="http://fabu.gov.cn/schema/bpmn/fabu" id="defs" targetNamespace="http://fabu.gov.cn/test">
  <bpmn:process id="ningbo-release-test" name="宁波首发测试" isExecutable="true" fabu:code="NR">
    <bpmn:extensionElements><fabu:variable name="draft" type="string" label="发布稿"/></bpmn:extensionElements>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="review" name="审核"><bpmn:extensionElements><fabu:candidate initiator="true"/></bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="publish" name="宁波发布首发" fabu:activity="publish" fabu:rules="N7" fabu:channel="ningbo-fabu,e2e-hook"/>
    <bpmn:endEvent id="end" fabu:outcome="approved"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="publish"/>
    <bpmn:sequenceFlow id="f3" sourceRef="publish" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>`;

  it('publishes first on 宁波发布, then on the webhook, signed, each once', async () => {
    const deployed = await e2e.http('POST', '/api/processes', { token: admin, body: { xml } });
    expect(deployed.status).toBe(201);
    const draft = '今日，宁波市召开新闻发布会，通报台风防御工作情况。';
    const created = await e2e.http('POST', '/api/requests', {
      token: panlei,
      body: { processKey: 'ningbo-release-test', title: '台风防御工作情况通报', variables: { draft } },
    });
    expect(created.status).toBe(201);
    const requestId: string = created.body.id;
    const decided = await e2e.http('POST', `/api/tasks/${created.body.tasks[0].id}/decision`, {
      token: panlei,
      body: { action: 'approve' },
    });
    expect(decided.status).toBe(200);

    const releases = () => e2e.http('GET', `/api/releases?requestId=${requestId}`, { token: panlei });
    // The release was written in the decision's step (the publish service task); its deliveries
    // follow from the worker's dispatcher, which says when each is done.
    const written = (await releases()).body.items as Array<{ idempotencyKey: string }>;
    expect(written).toHaveLength(2);
    const dispatcher = e2e.app.context.get(OutboxDispatcher);
    await Promise.all(written.map((r) => dispatcher.delivered(r.idempotencyKey)));
    const { body } = await releases();
    const [hook, own] = body.items;
    expect(own).toMatchObject({ channel: 'ningbo-fabu', position: 0, attempts: 1, lastError: null });
    expect(hook).toMatchObject({ channel: 'e2e-hook', position: 1, attempts: 1 });
    expect(Date.parse(own.deliveredAt)).toBeLessThanOrEqual(Date.parse(hook.deliveredAt));

    const posts = await e2e.http('GET', '/api/channels/ningbo-fabu/posts?limit=1', { token: panlei });
    expect(posts.body.items).toEqual([
      expect.objectContaining({
        idempotencyKey: own.idempotencyKey,
        payload: expect.objectContaining({ requestId, title: '台风防御工作情况通报', body: draft }),
      }),
    ]);

    const delivered = receiver.requests.filter((r) => r.headers['idempotency-key'] === hook.idempotencyKey);
    expect(delivered).toHaveLength(1);
    expect(verifyWebhook(SECRET, delivered[0]!.headers, delivered[0]!.body)).toBe(true);
    expect(JSON.parse(delivered[0]!.body)).toMatchObject({ releaseKey: hook.releaseKey, body: draft });
  });
});
