import { z } from 'zod';

export const CHANNEL_KINDS = ['local', 'webhook'] as const;

const ChannelKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens, at most 64, e.g. ningbo-fabu');
export const ChannelKeyParamSchema = z.strictObject({ key: ChannelKey.describe('Channel key, e.g. ningbo-fabu') });

/**
 * PUT /api/channels/:key: the whole channel. A webhook receives each release as a signed POST
 * (see the README), so it needs where to send it and the secret it is signed with.
 */
export const ChannelUpsertSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).describe('As the public knows it, e.g. 宁波发布（政务微博、微信）'),
    city: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,49}$/, 'lower-case pinyin, e.g. ningbo')
      .describe('The city whose government owns the channel'),
    kind: z.enum(CHANNEL_KINDS).describe('local: fabu keeps what it published (channel_posts); webhook: signed POST'),
    url: z
      .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
      .optional()
      .describe('webhook: where releases are POSTed'),
    secret: z
      .string()
      .min(16, 'at least 16 characters')
      .max(200)
      .optional()
      .describe('webhook: HMAC-SHA256 key of X-Fabu-Signature; never shown again'),
  })
  .superRefine((c, ctx) => {
    const webhook = c.kind === 'webhook';
    for (const field of ['url', 'secret'] as const) {
      if (webhook && !c[field]) ctx.addIssue({ code: 'custom', path: [field], message: 'a webhook channel needs it' });
      if (!webhook && c[field])
        ctx.addIssue({ code: 'custom', path: [field], message: 'only a webhook channel has it' });
    }
  });
export type ChannelUpsert = z.infer<typeof ChannelUpsertSchema>;

/** A channel as the API shows it: never its secret. */
export const ChannelViewSchema = z.object({
  key: z.string(),
  name: z.string(),
  city: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  url: z.string().nullable(),
  hasSecret: z.boolean().describe('Whether a signing secret is set (the secret itself is never returned)'),
  updatedAt: z.string(),
});
export type ChannelView = z.infer<typeof ChannelViewSchema>;
export const ChannelListSchema = z.object({ items: z.array(ChannelViewSchema) });

const Limit = z.coerce.number().int().min(1).max(200).default(50).describe('Page size');
const Cursor = z.string().optional().describe('nextCursor of the previous page (with the same filters)');

export const ListPostsQuerySchema = z.strictObject({ limit: Limit, cursor: Cursor });
export type ListPostsQuery = z.infer<typeof ListPostsQuerySchema>;

export const ListReleasesQuerySchema = z.strictObject({
  limit: Limit,
  cursor: Cursor,
  requestId: z.string().min(1).optional().describe('Only the releases of this request, e.g. N7-2026-0003'),
});
export type ListReleasesQuery = z.infer<typeof ListReleasesQuerySchema>;

/** What a channel receives: the body of a webhook POST, and of a local channel's post. */
export const ReleasePayloadSchema = z.object({
  idempotencyKey: z.string().describe('`<releaseKey>:<channel>`: the same on every attempt; a receiver dedupes on it'),
  channel: z.string(),
  requestId: z.string(),
  releaseKey: z.string().describe('`<requestId>:<stepId>`: one publish step of a chain'),
  title: z.string(),
  body: z.string(),
  attachments: z
    .record(z.string(), z.unknown())
    .describe('Published together with the body, e.g. a policy document and its interpretation (U2)'),
  publishedAt: z.string().describe('When the chain released it (ISO 8601)'),
});
export type ReleasePayload = z.infer<typeof ReleasePayloadSchema>;

export const ChannelPostSchema = z.object({
  id: z.string(),
  channel: z.string(),
  idempotencyKey: z.string(),
  payload: ReleasePayloadSchema,
  publishedAt: z.string(),
});
export type ChannelPost = z.infer<typeof ChannelPostSchema>;
export const ChannelPostPageSchema = z.object({ items: z.array(ChannelPostSchema), nextCursor: z.string().nullable() });

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;

export const ReleaseViewSchema = z.object({
  id: z.string(),
  releaseKey: z.string(),
  requestId: z.string(),
  elementId: z.string(),
  channel: z.string(),
  position: z.number().int().describe('0: the channel it is published on first (N7); later ones wait for it'),
  idempotencyKey: z.string(),
  title: z.string(),
  createdAt: z.string(),
  status: z.enum(DELIVERY_STATUSES).describe('dead: gave up after OUTBOX_MAX_ATTEMPTS'),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable().describe('pending: not before then'),
  deliveredAt: z.string().nullable(),
});
export type ReleaseView = z.infer<typeof ReleaseViewSchema>;
export const ReleasePageSchema = z.object({ items: z.array(ReleaseViewSchema), nextCursor: z.string().nullable() });
