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
