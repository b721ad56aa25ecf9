import { z } from 'zod';
import { isIsoDate } from '../calendar/working-days.js';
import { type ProcessIR, type Variable, scheduleOf } from './ir.js';

/** True when some rule of the chain counts from the conference date (H1, H3, L3): the form then requires it. */
export function datedByConference(ir: ProcessIR): boolean {
  const seen = (value: unknown): boolean => {
    if (Array.isArray(value)) return value.some(seen);
    if (!value || typeof value !== 'object') return false;
    if ((value as { field?: unknown }).field === 'conferenceDate') return true;
    return Object.values(value).some(seen);
  };
  return seen(ir.nodes) || seen(ir.applyBefore);
}

function variableField(v: Variable): z.ZodType {
  const meta = { title: v.label ?? v.name };
  let field: z.ZodType;
  switch (v.type) {
    case 'boolean':
      field = z.boolean();
      break;
    case 'number':
      field = z.number();
      break;
    case 'enum':
      field = z.enum(v.values as [string, ...string[]]);
      break;
    case 'list':
      field = z.array(z.string().trim().min(1).max(200)).max(50);
      break;
    default:
      field = z.string().trim().max(2000);
  }
  return (v.default !== undefined ? field.default(v.default as never) : field).meta(meta);
}

/**
 * The start form of a chain as a zod schema: the fields of POST /api/requests this chain uses, with
 * its declared variables typed. The console renders its JSON Schema (z.toJSONSchema) as the form,
 * so a new variable drawn in the BPMN appears in the form without new code.
 */
export function requestFormSchema(ir: ProcessIR) {
  const conference = z
    .string()
    .refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD')
    .meta({ title: '发布会日期', format: 'date' });
  return z.strictObject({
    title: z.string().trim().min(1).max(200).meta({ title: '标题' }),
    ...(datedByConference(ir) ? { conferenceDate: conference } : {}),
    major: z.boolean().default(false).meta({ title: '重大事项' }),
    materials: z
      .array(z.string().trim().min(1).max(200))
      .max(50)
      .default([])
      .meta({ title: '材料', description: '发布稿, 主持词, 答问口径, 背景材料, 场地方案' }),
    variables: z.strictObject(Object.fromEntries((ir.variables ?? []).map((v) => [v.name, variableField(v)]))),
  });
}

/** GET /api/processes/:key/form: the JSON Schema (input side: defaults are optional) and what it implies. */
export function requestForm(ir: ProcessIR) {
  return {
    conferenceRequired: datedByConference(ir),
    recurring: scheduleOf(ir) !== undefined,
    schema: z.toJSONSchema(requestFormSchema(ir), { io: 'input', unrepresentable: 'any' }),
  };
}
