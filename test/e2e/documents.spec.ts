// e2e: documents on a request through the REST API, on each store the app can use: PostgreSQL (the
// embedded default) and S3-compatible object storage (a real MinIO this file starts). Upload,
// versions, download by hash, and the refusals that must store nothing.
import { createHash } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type UploadFile, upload, uploadMany } from '../support/documents.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { type RunningMinio, startMinio } from '../support/minio.js';

const MAX_BYTES = 64 * 1024;
const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const file = (name: string, text: string, type = 'application/pdf'): UploadFile => ({
  name,
  type,
  bytes: Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`),
});

describe.each(['postgres', 's3'] as const)('documents on the %s store over HTTP', (store) => {
  let e2e: E2E;
  let minio: RunningMinio | undefined;
  const tokens: Record<string, string> = {};
  const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

  beforeAll(async () => {
    if (store === 's3') minio = await startMinio();
    e2e = await startE2E({ DOCUMENTS_MAX_BYTES: String(MAX_BYTES), ...minio?.env });
  }, 120_000);

  afterAll(async () => {
    await e2e?.stop();
    await minio?.stop();
  });

  /** What the store holds, asked of the server itself: blobs in PostgreSQL, objects in the bucket. */
  async function kept(): Promise<number> {
    if (!minio) return Number((await e2e.db.query('SELECT count(*) AS n FROM document_blobs')).rows[0].n);
    return (await minio.client.send(new ListObjectsV2Command({ Bucket: minio.bucket }))).KeyCount ?? 0;
  }
  const rows = async (id: string) =>
    Number((await e2e.db.query('SELECT count(*) AS n FROM documents WHERE request_id = $1', [id])).rows[0].n);

  async function submit(): Promise<string> {
    const res = await e2e.http('POST', '/api/requests', {
      token: await token('sunli'),
      body: {
        processKey: 'huludao-government-conference',
        title: `全市秋季开学新闻发布会（${store}）`,
        conferenceDate: bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date,
      },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function download(path: string, headers: Record<string, string> = {}) {
    const res = await fetch(`${e2e.url}${path}`, {
      headers: { authorization: `Bearer ${await token('sunli')}`, ...headers },
    });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  it('keeps each upload of a kind as a new version, and serves every version by its hash', async () => {
    const id = await submit();
    const v1 = file('发布稿.pdf', `${store} 发布稿 第一稿`);
    const v2 = file('发布稿（修改）.pdf', `${store} 发布稿 第二稿`);

    const first = await upload(e2e, await token('sunli'), id, 'release-statement', v1);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      kind: 'release-statement',
      label: '发布稿',
      version: 1,
      name: '发布稿.pdf',
      contentType: 'application/pdf',
      size: v1.bytes.length,
      sha256: sha256(v1.bytes),
      uploadedBy: 'sunli',
      href: `/api/requests/${id}/documents/release-statement/versions/1`,
    });
    expect(first.headers.get('location')).toBe(first.body.href);
    const second = await upload(e2e, await token('sunli'), id, 'release-statement', v2);
    expect(second.body).toMatchObject({ version: 2, sha256: sha256(v2.bytes) });
    // The same content again (a retried upload) is that version, not a third.
    const again = await upload(e2e, await token('sunli'), id, 'release-statement', v2);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 2 });
    expect(await rows(id)).toBe(2);

    const list = await e2e.http('GET', `/api/requests/${id}/documents`, { token: await token('sunli') });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        kind: 'release-statement',
        latest: expect.objectContaining({ version: 2 }),
        versions: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })],
      }),
    ]);

    const old = await download(first.body.href);
    expect(old.status).toBe(200);
    expect(old.bytes.equals(v1.bytes)).toBe(true);
    expect(sha256(old.bytes)).toBe(first.body.sha256);
    expect(old.headers.get('etag')).toBe(`"${first.body.sha256}"`);
    expect(old.headers.get('digest')).toBe(`sha-256=${createHash('sha256').update(v1.bytes).digest('base64')}`);
    expect(old.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(old.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('发布稿.pdf')}`);
    // A version never changes: a client holding it is told so without the bytes again.
    // (fetch adds `Cache-Control: no-cache` to a conditional request unless one is given, as a browser's reload would.)
    const revalidated = await download(first.body.href, {
      'if-none-match': `"${first.body.sha256}"`,
      'cache-control': 'max-age=0',
    });
    expect(revalidated.status).toBe(304);
    expect((await download(second.body.href)).bytes.equals(v2.bytes)).toBe(true);
    const missing = await e2e.http('GET', `/api/requests/${id}/documents/release-statement/versions/3`, {
      token: await token('sunli'),
    });
    expect(missing).toMatchObject({ status: 404, body: { code: 'DOCUMENT_NOT_FOUND' } });
  });

  it('refuses an oversize and a wrong-type upload, saying why, and stores nothing', async () => {
    const id = await submit();
    const [keptBefore, rowsBefore] = [await kept(), await rows(id)];

    const oversize = await upload(e2e, await token('sunli'), id, 'venue-plan', {
      name: '场地方案.pdf',
      type: 'application/pdf',
      bytes: Buffer.alloc(MAX_BYTES + 1, 0x25),
    });
    expect(oversize.status).toBe(413);
    expect(oversize.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(oversize.body).toMatchObject({
      code: 'DOCUMENT_TOO_LARGE',
      errors: [{ path: 'file', message: `larger than ${MAX_BYTES} bytes (DOCUMENTS_MAX_BYTES)` }],
    });

    const wrongType = await upload(
      e2e,
      await token('sunli'),
      id,
      'venue-plan',
      file('setup.exe', 'MZ', 'application/x-msdownload'),
    );
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toMatchObject({
      code: 'DOCUMENT_TYPE_NOT_ALLOWED',
      errors: [{ path: 'file', message: expect.stringContaining('application/pdf') }],
    });

    const unknownKind = await upload(e2e, await token('sunli'), id, 'menu', file('menu.pdf', 'menu'));
    expect(unknownKind).toMatchObject({
      status: 422,
      body: { code: 'DOCUMENT_KIND_INVALID', errors: [{ path: 'kind' }] },
    });
    const noFile = await upload(e2e, await token('sunli'), id, 'venue-plan');
    expect(noFile).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'file' }] } });
    // 陈明 sees the request (his department's) but is asked by no open task: he may not attach.
    const notAsked = await upload(e2e, await token('chenming'), id, 'venue-plan', file('场地方案.pdf', 'chenming'));
    expect(notAsked).toMatchObject({ status: 403, body: { code: 'UPLOAD_NOT_ALLOWED' } });
    // 吴霞 (卫健委) cannot see it at all.
    const stranger = await upload(e2e, await token('wuxia'), id, 'venue-plan', file('场地方案.pdf', 'wuxia'));
    expect(stranger).toMatchObject({ status: 404, body: { code: 'REQUEST_NOT_FOUND' } });

    expect(await kept()).toBe(keptBefore);
    expect(await rows(id)).toBe(rowsBefore);
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.body.history.map((h: { type: string }) => h.type)).not.toContain('document.attached');
  });

  it('attaches several kinds in one upload, told to the chain as one step', async () => {
    const id = await submit();
    const parts: Array<[string, UploadFile]> = [
      ['release-statement', file('发布稿.pdf', `${store} 批量 发布稿`)],
      ['host-script', file('主持词.pdf', `${store} 批量 主持词`)],
      ['qa-lines', file('答问口径.pdf', `${store} 批量 答问口径`)],
    ];
    const res = await uploadMany(e2e, await token('sunli'), id, parts);
    expect(res.status).toBe(201);
    expect(res.body.items).toEqual(
      parts.map(([kind, f]) =>
        expect.objectContaining({ kind, version: 1, name: f.name, sha256: sha256(f.bytes), created: true }),
      ),
    );
    expect(await rows(id)).toBe(3);
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    const attached = view.body.history.filter((h: { type: string }) => h.type === 'document.attached');
    expect(attached.map((h: { payload: { detail: { kind: string } } }) => h.payload.detail.kind)).toEqual(
      parts.map(([kind]) => kind),
    );
    // One Update for the three of them.
    const history = await e2e.temporal.workflow.getHandle(id).fetchHistory();
    const updates = (history.events ?? []).filter(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'documents',
    );
    expect(updates).toHaveLength(1);
    // Attaching moves neither the stage nor a due time: no search attribute is upserted for it.
    const events = history.events ?? [];
    const from = events.indexOf(updates[0]!);
    const to = events.findIndex((e, i) => i > from && e.workflowExecutionUpdateCompletedEventAttributes);
    expect(from).toBeGreaterThan(0);
    expect(events.slice(from, to).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes)).toEqual([]);
    expect(events.slice(from, to).filter((e) => e.markerRecordedEventAttributes)).toHaveLength(1);

    // The same contents again, one of them changed: only that one is a new version.
    const changed: Array<[string, UploadFile]> = [
      parts[0]!,
      ['host-script', file('主持词2.pdf', `${store} 主持词 改`)],
    ];
    const again = await uploadMany(e2e, await token('sunli'), id, changed);
    expect(again.status).toBe(201);
    expect(again.body.items).toEqual([
      expect.objectContaining({ kind: 'release-statement', version: 1, created: false }),
      expect.objectContaining({ kind: 'host-script', version: 2, created: true }),
    ]);
    const same = await uploadMany(e2e, await token('sunli'), id, changed);
    expect(same.status).toBe(200);
    expect(await rows(id)).toBe(4);
  });

  it('refuses a batch with one bad part, naming the part, and stores none of it', async () => {
    const id = await submit();
    const [keptBefore, rowsBefore] = [await kept(), await rows(id)];
    const good: [string, UploadFile] = ['background', file('背景材料.pdf', `${store} 背景 ${id}`)];
    const wrongType = await uploadMany(e2e, await token('sunli'), id, [
      good,
      ['venue-plan', file('setup.exe', 'MZ', 'application/x-msdownload')],
    ]);
    expect(wrongType).toMatchObject({
      status: 415,
      body: { code: 'DOCUMENT_TYPE_NOT_ALLOWED', errors: [{ path: 'venue-plan' }] },
    });
    const unknownKind = await uploadMany(e2e, await token('sunli'), id, [good, ['menu', file('menu.pdf', 'menu')]]);
    expect(unknownKind).toMatchObject({
      status: 422,
      body: { code: 'DOCUMENT_KIND_INVALID', errors: [{ path: 'menu' }] },
    });
    const twice = await uploadMany(e2e, await token('sunli'), id, [good, good]);
    expect(twice).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'background' }] } });
    const oversize = await uploadMany(e2e, await token('sunli'), id, [
      good,
      ['venue-plan', { name: '场地方案.pdf', type: 'application/pdf', bytes: Buffer.alloc(MAX_BYTES + 1, 0x25) }],
    ]);
    expect(oversize).toMatchObject({
      status: 413,
      body: { code: 'DOCUMENT_TOO_LARGE', errors: [{ path: 'venue-plan' }] },
    });
    const none = await uploadMany(e2e, await token('sunli'), id, []);
    expect(none).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    const notAsked = await uploadMany(e2e, await token('chenming'), id, [good]);
    expect(notAsked).toMatchObject({ status: 403, body: { code: 'UPLOAD_NOT_ALLOWED' } });

    expect(await kept()).toBe(keptBefore);
    expect(await rows(id)).toBe(rowsBefore);
    const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
    expect(view.body.history.map((h: { type: string }) => h.type)).not.toContain('document.attached');
  });

  it('refuses to serve content that no longer matches the hash it was uploaded with', async () => {
    const id = await submit();
    const original = file('背景材料.pdf', `${store} 背景材料 ${id}`);
    const uploaded = await upload(e2e, await token('sunli'), id, 'background', original);
    expect(uploaded.status).toBe(201);

    const forged = Buffer.from('%PDF-1.7\n% 被改动的背景材料\n');
    if (minio) {
      await minio.client.send(
        new PutObjectCommand({ Bucket: minio.bucket, Key: `sha256/${uploaded.body.sha256}`, Body: forged }),
      );
    } else {
      await e2e.db.query('UPDATE document_blobs SET content = $2 WHERE sha256 = $1', [uploaded.body.sha256, forged]);
    }

    const res = await e2e.http('GET', uploaded.body.href, { token: await token('sunli') });
    expect(res).toMatchObject({ status: 500, body: { code: 'DOCUMENT_CORRUPT' } });
    expect(res.body.detail).toContain(uploaded.body.sha256);
  });
});
