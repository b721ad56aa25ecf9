// The release outbox on a real PostgreSQL (as the app's own login, fabu_app) and a real HTTP
// receiver: a release is written once however often its activity runs, and reaches each channel in
// order (N7), at least once, with one idempotency key, so that a receiver that dedupes on it
// publishes it exactly once. Time is the dispatcher's `now`, moved by the test: nothing sleeps.
import { DataSource } from 'typeorm';
import { createServiceActivities } from '../../activities/services.js';
import { ChannelsRepository } from '../../src/channels/channels.repository.js';
import { OutboxDispatcher, type OutboxOptions } from '../../src/channels/outbox.dispatcher.js';
import { OutboxRepository } from '../../src/channels/outbox.repository.js';
import { type PublishInput, ReleasesRepository } from '../../src/channels/releases.repository.js';
import { verifyWebhook } from '../../src/channels/webhook-signature.js';
import { createLogger } from '../../src/common/logger.js';
import { dataSourceOptions, migrate } from '../../src/database/data-source.js';
import type { RunningPostgres } from '../../src/embedded/embedded-postgres.js';
import type { ServiceTaskNode } from '../../src/processes/ir.js';
import { freePort } from '../support/ports.js';
import { startTestPostgres } from '../support/postgres.js';
import { Receiver } from '../support/releases.js';

const SECRET = 'receiver-secret-0123';
const HOUR = 3_600_000;

let postgres: RunningPostgres;
let owner: DataSource;
let app: DataSource;
let releases: ReleasesRepository;
let channels: ChannelsRepository;
let dispatcher: OutboxDispatcher;
const receiver = new Receiver();
/**
 * The dispatcher's clock: it moves only when a test says so. It starts an hour ahead of the wall
 * clock, so every row the database stamps with now() during the run is already due by it.
 */
let clock = Date.now() + HOUR;
const OPTIONS: OutboxOptions = {
  pollMs: 60_000,
  retryBaseMs: 10,
  retryMaxMs: 1_000,
  maxAttempts: 4,
  timeoutMs: 5_000,
  batchSize: 5,
  logger: createLogger('silent'),
};

beforeAll(async () => {
  postgres = await startTestPostgres('outbox');
  owner = await new DataSource(dataSourceOptions(postgres.ownerUrl)).initialize();
  await migrate(owner);
  // Everything below runs as the app's login: what the migrations granted is what it can do.
  app = await new DataSource(dataSourceOptions(postgres.url)).initialize();
  releases = new ReleasesRepository(app);
  channels = new ChannelsRepository(app);
  dispatcher = new OutboxDispatcher(new OutboxRepository(app), OPTIONS);
  await receiver.start();
  await channels.save('test-hook', {
    name: '测试接收端',
    city: 'ningbo',
    kind: 'webhook',
    url: receiver.url,
    secret: SECRET,
  });
}, 60_000);

afterAll(async () => {
  await receiver.stop();
  await app?.destroy();
  await owner?.destroy();
  await postgres?.stop();
});

beforeEach(() => receiver.reset());

/** The `now` of the latest pass. */
let passedAt = new Date(clock);
/** One claim-and-deliver pass, `ms` after the previous one. */
async function pass(ms = 0): Promise<number> {
  clock += ms;
  passedAt = new Date(clock);
  return dispatcher.deliverDue(passedAt);
}

let seq = 0;
function release(channelKeys: string[], patch: Partial<PublishInput> = {}): PublishInput {
  seq += 1;
  const requestId = `N7-2026-${String(seq).padStart(4, '0')}`;
  return {
    releaseKey: `${requestId}:publish#1`,
    requestId,
    elementId: 'publish',
    channels: channelKeys,
    title: '关于台风“梅花”影响的情况通报',
    body: '9月14日18时，台风“梅花”在舟山普陀沿海登陆……',
    attachments: {},
    ...patch,
  };
}

async function delivery(idempotencyKey: string) {
  const rows: Array<{ status: string; attempts: number; last_error: string | null; next_attempt_at: Date }> =
    await owner.query('SELECT status, attempts, last_error, next_attempt_at FROM outbox WHERE idempotency_key = $1', [
      idempotencyKey,
    ]);
  return rows[0]!;
}

const count = async (table: string, releaseKey: string) =>
  (
    (await owner.query(`SELECT count(*)::int AS n FROM ${table} WHERE idempotency_key LIKE $1`, [
      `${releaseKey}:%`,
    ])) as [{ n: number }]
  )[0].n;

describe(OutboxDispatcher.name, () => {
  it('retries a failing webhook with backoff until it answers 2xx, under one Idempotency-Key and a valid signature', async () => {
    const [r] = await releases.publish(release(['test-hook']));
    const key = r!.idempotencyKey;
    receiver.reset([500, 500]);

    expect(await pass()).toBe(1);
    let d = await delivery(key);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 500: try again' });
    expect(d.next_attempt_at.getTime()).toBe(passedAt.getTime() + 10);
    // Not due again before its backoff has passed.
    expect(await pass()).toBe(0);

    expect(await pass(HOUR)).toBe(1);
    d = await delivery(key);
    expect(d).toMatchObject({ status: 'pending', attempts: 2 });
    expect(d.next_attempt_at.getTime()).toBe(passedAt.getTime() + 20);

    expect(await pass(HOUR)).toBe(1);
    expect(await delivery(key)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(await pass(HOUR)).toBe(0);

    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((q) => q.headers['idempotency-key']))).toEqual(new Set([key]));
    expect([...receiver.accepted.keys()]).toEqual([key]);
    const accepted = receiver.requests.at(-1)!;
    expect(verifyWebhook(SECRET, accepted.headers, accepted.body)).toBe(true);
    expect(verifyWebhook('not-the-channel-secret', accepted.headers, accepted.body)).toBe(false);
    expect(JSON.parse(receiver.accepted.get(key)!)).toEqual({
      idempotencyKey: key,
      channel: 'test-hook',
      requestId: r!.requestId,
      releaseKey: r!.releaseKey,
      title: r!.title,
      body: r!.body,
      attachments: {},
      publishedAt: r!.createdAt,
    });
  });

  it('writes a release once however often its publish runs, and delivers it once', async () => {
    const input = release(['test-hook']);
    const first = await releases.publish(input);
    const again = await releases.publish({ ...input, body: 'a retry never rewrites the release' });
    expect(again).toEqual(first);
    expect(await count('releases', input.releaseKey)).toBe(1);
    expect(await count('outbox', input.releaseKey)).toBe(1);

    expect(await pass()).toBe(1);
    await releases.publish(input);
    expect(await pass(HOUR)).toBe(0);
    expect(receiver.requests).toHaveLength(1);
    expect(await count('releases', input.releaseKey)).toBe(1);
  });

  it("publishes on a release's first channel before the next (N7), a local post exactly once", async () => {
    const input = release(['test-hook', 'ningbo-fabu']);
    receiver.reset([503]);
    const [hook, local] = await releases.publish(input);

    // The government's own channel (first) fails: the second waits for it.
    expect(await pass()).toBe(1);
    expect(await delivery(local!.idempotencyKey)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await count('channel_posts', input.releaseKey)).toBe(0);

    expect(await pass(HOUR)).toBe(1);
    expect(await delivery(hook!.idempotencyKey)).toMatchObject({ status: 'delivered' });
    expect(await pass()).toBe(1);
    expect(await delivery(local!.idempotencyKey)).toMatchObject({ status: 'delivered', attempts: 1 });

    // A delivery whose outcome was lost is tried again: the local channel still posts it once.
    await owner.query(`UPDATE outbox SET status = 'pending', next_attempt_at = now() WHERE idempotency_key = $1`, [
      local!.idempotencyKey,
    ]);
    expect(await pass()).toBe(1);
    const posts = await channels.pagePosts('ningbo-fabu', 10);
    expect(posts.items.filter((p) => p.idempotencyKey === local!.idempotencyKey)).toEqual([
      expect.objectContaining({ channel: 'ningbo-fabu', payload: expect.objectContaining({ title: input.title }) }),
    ]);
  });

  it('marks a delivery dead after OUTBOX_MAX_ATTEMPTS failures, and tries it no more', async () => {
    const [r] = await releases.publish(release(['test-hook']));
    receiver.reset([500, 502, 503, 504, 500]);
    for (let attempt = 1; attempt <= OPTIONS.maxAttempts; attempt++) expect(await pass(HOUR)).toBe(1);
    expect(await delivery(r!.idempotencyKey)).toMatchObject({
      status: 'dead',
      attempts: 4,
      last_error: 'HTTP 504: try again',
    });
    expect(await pass(HOUR)).toBe(0);
    expect(receiver.requests).toHaveLength(4);
    expect(receiver.accepted.size).toBe(0);
  });

  it('counts an unreachable webhook as a failed attempt', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/releases`;
    await channels.save('test-closed', {
      name: '无人接收',
      city: 'ningbo',
      kind: 'webhook',
      url: closed,
      secret: SECRET,
    });
    const [r] = await releases.publish(release(['test-closed']));
    expect(await pass(HOUR)).toBe(1);
    const d = await delivery(r!.idempotencyKey);
    expect(d).toMatchObject({ status: 'pending', attempts: 1 });
    expect(d.last_error).toMatch(/ECONNREFUSED/);
  });

  it('wakes on NOTIFY when a release is written, and stops cleanly while it waits', async () => {
    // A poll interval far beyond the test's timeout: after its first passes the loop waits for a
    // notification, and stopping it must not wait for the poll either.
    const woken = new OutboxDispatcher(new OutboxRepository(app), { ...OPTIONS, listenUrl: postgres.url });
    woken.onApplicationBootstrap();
    try {
      for (const channel of ['ningbo-gov-site', 'ningbo-fabu']) {
        const [r] = await releases.publish(release([channel]));
        // Only a NOTIFY can wake it this soon: the poll interval is beyond the test's timeout.
        await woken.delivered(r!.idempotencyKey);
        expect((await delivery(r!.idempotencyKey)).status).toBe('delivered');
      }
    } finally {
      await woken.onModuleDestroy();
    }
  });
});

describe(ReleasesRepository.name, () => {
  it('refuses a release naming an unknown channel, writing nothing', async () => {
    const input = release(['ningbo-fabu', 'no-such-channel']);
    await expect(releases.publish(input)).rejects.toMatchObject({
      code: 'CHANNEL_NOT_FOUND',
      errors: [{ path: 'channels', message: 'unknown channel no-such-channel' }],
    });
    expect(await count('releases', input.releaseKey)).toBe(0);
    expect(await count('outbox', input.releaseKey)).toBe(0);
  });

  it('lets the app add releases and posts but never rewrite or remove them', async () => {
    await expect(app.query(`UPDATE releases SET body = 'rewritten'`)).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM channel_posts')).rejects.toThrow(/permission denied/);
    await expect(app.query('DELETE FROM outbox')).rejects.toThrow(/permission denied/);
  });

  it('keeps a webhook channel without an http(s) url or a 16-character secret out of the table', async () => {
    const insert = (url: string | null, secret: string | null) =>
      owner.query(
        `INSERT INTO channels (key, name, city, kind, url, secret) VALUES ('bad', '坏', 'ningbo', 'webhook', $1, $2)`,
        [url, secret],
      );
    await expect(insert(null, SECRET)).rejects.toThrow(/check constraint/);
    await expect(insert(receiver.url, null)).rejects.toThrow(/check constraint/);
    await expect(insert('ftp://example.gov.cn/', SECRET)).rejects.toThrow(/check constraint/);
    await expect(insert(receiver.url, 'too-short')).rejects.toThrow(/check constraint/);
  });

  it('lists releases newest first with their delivery, page by page', async () => {
    const input = release(['test-hook', 'ningbo-fabu']);
    await releases.publish(input);
    const first = await releases.page({ requestId: input.requestId }, 1);
    expect(first.items).toEqual([
      expect.objectContaining({
        channel: 'ningbo-fabu',
        position: 1,
        status: 'pending',
        attempts: 0,
        deliveredAt: null,
      }),
    ]);
    const second = await releases.page({ requestId: input.requestId }, 1, first.nextCursor!);
    expect(second).toEqual({
      items: [expect.objectContaining({ channel: 'test-hook', position: 0 })],
      nextCursor: null,
    });
  });
});

describe('publish service task', () => {
  const node = (patch: Partial<ServiceTaskNode>): ServiceTaskNode => ({
    id: 'publish',
    name: '发布',
    kind: 'serviceTask',
    outgoing: [],
    rules: ['U2'],
    activity: 'publish',
    recipients: [],
    tiers: [],
    ...patch,
  });
  const { runService } = createServiceActivities({
    directory: { resolve: async () => [] },
    releases: { publish: (input) => releases.publish(input) },
  });
  const request = {
    title: '《淮南市促进民营经济发展若干政策》发布',
    orgCode: 'hn-dev',
    materials: [],
    major: false,
    initiator: 'cuili',
    variables: { policy: '政策原文', interpretation: '政策解读', draft: '发布稿' },
  };

  it('releases the draft with the documents published together (U2), once per step however often it runs', async () => {
    const input = {
      requestId: 'U2-2026-0001',
      stepId: 'publish#2',
      node: node({ channels: ['huainan-gov-site', 'huainan-gov-weibo'], together: ['policy', 'interpretation'] }),
      request,
    };
    const out = await runService(input);
    expect(out.detail).toEqual({
      title: request.title,
      releaseKey: 'U2-2026-0001:publish#2',
      channels: ['huainan-gov-site', 'huainan-gov-weibo'],
      releases: [
        { channel: 'huainan-gov-site', idempotencyKey: 'U2-2026-0001:publish#2:huainan-gov-site' },
        { channel: 'huainan-gov-weibo', idempotencyKey: 'U2-2026-0001:publish#2:huainan-gov-weibo' },
      ],
    });
    expect(await runService(input)).toEqual(out);
    const rows: Array<{ body: string; attachments: unknown }> = await owner.query(
      'SELECT body, attachments FROM releases WHERE release_key = $1',
      ['U2-2026-0001:publish#2'],
    );
    expect(rows).toEqual([
      { body: '发布稿', attachments: { policy: '政策原文', interpretation: '政策解读' } },
      { body: '发布稿', attachments: { policy: '政策原文', interpretation: '政策解读' } },
    ]);
  });

  it('releases nothing when the task names no channel, and says so', async () => {
    const out = await runService({ requestId: 'U2-2026-0002', node: node({ content: 'draft' }), request });
    expect(out.detail).toEqual({
      title: request.title,
      releaseKey: 'U2-2026-0002:publish',
      channels: [],
      releases: [],
    });
  });
});
