import { z } from 'zod';

const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant, e.g. 2026-12-01T00:00:00+08:00');

/** POST /api/proxies: cover for someone away. */
export const NewProxySchema = z
  .strictObject({
    principal: z
      .string()
      .min(1)
      .optional()
      .describe('Who is away; defaults to the caller (only an administrator registers for someone else)'),
    proxy: z.string().min(1).describe('Who covers: tasks opening in the period go to them'),
    processKey: z.string().min(1).optional().describe('Only for this chain; unset = every chain'),
    startsAt: instant,
    endsAt: instant,
    reason: z.string().trim().max(200).optional().describe('e.g. 出差, 休假'),
  })
  .refine((p) => Date.parse(p.endsAt) > Date.parse(p.startsAt), {
    path: ['endsAt'],
    message: 'endsAt must be after startsAt',
  });
export type NewProxyBody = z.infer<typeof NewProxySchema>;

export const ProxyViewSchema = z.object({
  id: z.string(),
  principal: z.string(),
  proxy: z.string(),
  processKey: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string().nullable(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
  active: z.boolean().describe('In force now'),
});
export type ProxyView = z.infer<typeof ProxyViewSchema>;

export const ProxyListSchema = z.object({ items: z.array(ProxyViewSchema) });

export const ProxyListQuerySchema = z.strictObject({
  user: z.string().min(1).optional().describe("An administrator may list someone else's registrations"),
});
