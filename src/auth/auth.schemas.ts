import { z } from 'zod';

export const DevLoginSchema = z.object({
  username: z.string().min(1).describe('A demo user of the directory, e.g. "wangfang"'),
});

export const PositionHeldSchema = z.object({ position: z.string(), orgCode: z.string() });
export const UserSchema = z.object({
  username: z.string(),
  displayName: z.string(),
  orgCode: z.string(),
  isAdmin: z.boolean(),
  positions: z.array(PositionHeldSchema),
});

export const DevLoginResponseSchema = z.object({
  token: z.string().describe('Bearer token, valid 12 hours'),
  user: UserSchema,
});

export const DevUsersSchema = z.object({
  items: z.array(
    UserSchema.extend({ orgName: z.string(), city: z.string().nullable().describe("The org's city, e.g. huludao") }),
  ),
});

export const LoginConfigSchema = z.object({
  mode: z.enum(['dev', 'oidc']),
  oidc: z
    .object({
      authorizeUrl: z.string(),
      tokenUrl: z.string(),
      clientId: z.string(),
      scope: z.string(),
      token: z.enum(['access_token', 'id_token']).describe('Which token of the exchange is the bearer token'),
    })
    .nullable()
    .optional()
    .describe('oidc mode: the authorization code + PKCE flow of the web console (null: AUTH_OIDC_* not set)'),
});
