import { z } from 'zod';

/** A zod schema as an OpenAPI 3.0 schema object, for response documentation. */
export function apiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}
