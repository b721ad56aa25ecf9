import { z } from 'zod';
import { PositionSchema } from './positions.js';

/** Kinds of org: the city party committee and government, their offices and departments, counties. */
export const ORG_KINDS = ['party-committee', 'government', 'office', 'department', 'county'] as const;
export const OrgKindSchema = z.enum(ORG_KINDS);

const Code = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens, at most 64, e.g. hld-edu');
const Username = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$/, 'letters, digits and . _ @ -, at most 100, e.g. sunli');

export const OrgCodeParamSchema = z.strictObject({ code: Code.describe('Org code, e.g. hld-edu') });
export const UsernameParamSchema = z.strictObject({ username: Username.describe('Username, e.g. sunli') });

/** PUT /api/directory/orgs/:code: the whole org; the same body twice changes nothing. */
export const OrgUpsertSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('Official name, e.g. 葫芦岛市教育局'),
  kind: OrgKindSchema,
  city: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,49}$/, 'lower-case pinyin, e.g. huludao')
    .describe('The city the org belongs to, e.g. huludao'),
  parentCode: Code.nullable()
    .default(null)
    .describe('The org this one belongs to (e.g. a department under the city government); null or omitted: none'),
});
export type OrgUpsert = z.infer<typeof OrgUpsertSchema>;

/** PUT /api/directory/users/:username: the whole user (positions are granted separately). */
export const UserUpsertSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(100).describe('Name as shown, e.g. 孙丽'),
  orgCode: z.string().min(1).describe('The org the user works in; they may apply on its behalf'),
  isAdmin: z.boolean().default(false).describe('Administrator (deploys chains, edits the directory); omitted: false'),
});
export type UserUpsert = z.infer<typeof UserUpsertSchema>;

const Limit = z.coerce.number().int().min(1).max(200).default(50).describe('Page size');
const Cursor = z.string().optional().describe('nextCursor of the previous page (with the same filters)');

export const ListOrgsQuerySchema = z.strictObject({
  limit: Limit,
  cursor: Cursor,
  city: z.string().min(1).optional().describe('Only orgs of this city'),
  kind: OrgKindSchema.optional().describe('Only orgs of this kind'),
  parent: z.string().min(1).optional().describe('Only the orgs directly under this one'),
});
export type ListOrgsQuery = z.infer<typeof ListOrgsQuerySchema>;

export const ListUsersQuerySchema = z.strictObject({
  limit: Limit,
  cursor: Cursor,
  org: z
    .string()
    .min(1)
    .optional()
    .describe('Alone: the users working in this org. With position: the users holding that position in this org'),
  position: PositionSchema.optional().describe(
    'Only users holding this position (in org, if given): how a chain resolves a role',
  ),
  q: z.string().trim().min(1).max(100).optional().describe('Part of the name or username'),
});
export type ListUsersQuery = z.infer<typeof ListUsersQuerySchema>;

export const OrgViewSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  city: z.string(),
  parentCode: z.string().nullable(),
});
export type OrgView = z.infer<typeof OrgViewSchema>;

export const PositionHeldSchema = z.object({
  position: z.string(),
  orgCode: z.string().describe('The org the position is held in; leader-in-charge in X: the leader in charge of X'),
});

export const UserViewSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  orgCode: z.string(),
  isAdmin: z.boolean(),
  positions: z.array(PositionHeldSchema),
});
export type UserView = z.infer<typeof UserViewSchema>;

export const OrgPageSchema = z.object({ items: z.array(OrgViewSchema), nextCursor: z.string().nullable() });
export const UserPageSchema = z.object({ items: z.array(UserViewSchema), nextCursor: z.string().nullable() });

export const PositionListSchema = z.object({
  items: z.array(z.object({ position: PositionSchema, description: z.string() })),
});

export const OrgLeadersSchema = z.object({
  org: OrgViewSchema,
  positions: z
    .array(
      z.object({
        position: PositionSchema,
        description: z.string(),
        holders: z.array(z.object({ username: z.string(), displayName: z.string() })),
      }),
    )
    .describe('Each position held in the org, with who holds it (leader-in-charge: the leaders in charge of it)'),
});
export type OrgLeaders = z.infer<typeof OrgLeadersSchema>;
