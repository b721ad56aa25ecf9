import { type DateField, DateFieldSchema, type DueRule } from './ir.js';

/** Namespace of the `fabu:` BPMN extension; a file must bind its prefix to exactly this uri. */
export const FABU_NS = 'http://fabu.gov.cn/schema/bpmn/fabu';

const attr = (name: string) => ({ name, isAttr: true, type: 'String' });

/**
 * bpmn-moddle package describing the `fabu:` attributes and elements (docs/architecture.md,
 * "Process definitions are BPMN"). Every value is read as a string; the compiler parses it, so a
 * bad value is reported with the element's id instead of being coerced.
 */
export const fabuModdleDescriptor = {
  name: 'fabu',
  uri: FABU_NS,
  prefix: 'fabu',
  xml: { tagAlias: 'lowerCase' },
  types: [
    // code: business-id prefix ("H3"); rules: "H1,H3"; applyBefore: "conferenceDate - 7WD" (H1);
    // returnPolicy: rerun | resubmit (what follows a return, 退回); restartAt: the user task a change
    // of the request re-runs the approval from (H6).
    {
      name: 'ProcessAttrs',
      extends: ['bpmn:Process'],
      properties: [attr('code'), attr('rules'), attr('applyBefore'), attr('returnPolicy'), attr('restartAt'), attr('applyBeforeUnless'), attr('dedupe'), attr('skipApplicant'), attr('conference'), attr('intake')],
    },
    // due: a due expression; rules: "H3"; actions: "approve,reject,return" (the default);
    // multi: sequential | all | any; passRatio: "0.6" (会签); materials: the document kinds the step
    // needs attached before it is approved, "release-statement,host-script" (H6 art. 34, L3).
    {
      name: 'UserTaskAttrs',
      extends: ['bpmn:UserTask'],
      properties: [attr('due'), attr('rules'), attr('actions'), attr('multi'), attr('passRatio'), attr('onEmpty'), attr('onDue'), attr('output'), attr('commentRequired'), attr('collection'), attr('materials')],
    },
    // activity: an allow-listed activity name; tiers: media tiers for inviteMedia (L6).
    {
      name: 'ServiceTaskAttrs',
      extends: ['bpmn:ServiceTask'],
      properties: [attr('activity'), attr('rules'), attr('tiers'), attr('process'), attr('topics'), attr('city'), attr('lead'), attr('channel'), attr('content'), attr('together')],
    },
    // A timer start event (recurring process): recurrence: a calendar rule, e.g. "second-week-of-month"
    // (N3); org: the org each run is for, e.g. "nb-press-office".
    { name: 'StartEventAttrs', extends: ['bpmn:StartEvent'], properties: [attr('recurrence'), attr('org')] },
    // outcome: approved | rejected | withdrawn.
    { name: 'EndEventAttrs', extends: ['bpmn:EndEvent'], properties: [attr('outcome')] },
    // <fabu:candidate position="main-leader" org="applicant"/> or <fabu:candidate initiator="true"/>.
    // label: what a multi-instance task's instance stands for, e.g. 法律关 (O3).
    { name: 'Candidate', superClass: ['Element'], properties: [attr('position'), attr('org'), attr('initiator'), attr('label')] },
    // Who is told when the task passes its due time (H1); same attributes as a candidate.
    { name: 'Escalation', superClass: ['Candidate'] },
    // Whom a notify service task tells; same attributes as a candidate.
    { name: 'Recipient', superClass: ['Candidate'] },
    // <fabu:clock id="first-release" name="首次发布" rules="O2" from="knownAt" until="release" warnAt="0.8">
    //   <fabu:window when='severity = "general"' within="PT48H"/> <fabu:window within="PT1H"/>
    //   <fabu:recipient …/> <fabu:escalation …/> </fabu:clock>: an hour clock (H7, O2, U2).
    {
      name: 'Clock',
      superClass: ['Element'],
      properties: [
        attr('id'),
        attr('name'),
        attr('rules'),
        attr('from'),
        attr('until'),
        attr('warnAt'),
        { name: 'values', type: 'Element', isMany: true },
      ],
    },
    { name: 'Window', superClass: ['Element'], properties: [attr('when'), attr('within')] },
    // <fabu:variable name="cityWide" type="boolean" default="false" label="全市性"/>: a request variable.
    {
      name: 'Variable',
      superClass: ['Element'],
      properties: [attr('name'), attr('type'), attr('values'), attr('default'), attr('label')],
    },
  ],
};

const WORKING_DAYS_AFTER_OPEN = /^P(\d+)WD$/;
const WORKING_DAYS_BEFORE_FIELD = /^([A-Za-z]\w*)\s*-\s*P?(\d+)\s*WD$/;
const CALENDAR_AFTER_OPEN = /^P(\d+)([WM])$/;
const CALENDAR_BEFORE_FIELD = /^([A-Za-z]\w*)\s*-\s*P(\d+)([WM])$/;
const UNITS = { W: 'week', M: 'month' } as const;
// ISO 8601 days, hours and minutes only: "P2D", "PT5H", "PT1H30M", "P1DT12H".
const DURATION = /^P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?)?$/;
const MINUTE_MS = 60_000;
const START_OF_FIELD = /^before\s+([A-Za-z]\w*)$/;

/**
 * Parses a due expression (`fabu:due`, `fabu:applyBefore`):
 * - `P2WD` → end of the 2nd working day after the task opens (H1 reply);
 * - `conferenceDate - 3WD` → 3 working days before a request date field (H3.4);
 * - `PT5H`, `PT1H30M`, `P2D` → wall-clock time after the task opens (H7).
 * Throws an Error saying what is wrong otherwise.
 */
export function parseDueExpression(source: string): DueRule {
  const text = source.trim();

  let match = WORKING_DAYS_AFTER_OPEN.exec(text);
  if (match) {
    const days = Number(match[1]);
    if (days < 1) throw new Error(`due expression "${source}" must count at least 1 working day`);
    return { kind: 'workingDaysAfterOpen', days, source };
  }

  match = WORKING_DAYS_BEFORE_FIELD.exec(text);
  if (match) {
    return { kind: 'workingDaysBeforeField', field: dateField(match[1]!, source), days: Number(match[2]), source };
  }

  match = CALENDAR_AFTER_OPEN.exec(text);
  if (match) {
    const count = Number(match[1]);
    if (count < 1) throw new Error(`due expression "${source}" must be at least 1 ${UNITS[match[2] as 'W' | 'M']}`);
    return { kind: 'calendarAfterOpen', unit: UNITS[match[2] as 'W' | 'M'], count, source };
  }

  match = CALENDAR_BEFORE_FIELD.exec(text);
  if (match) {
    const count = Number(match[2]);
    if (count < 1) throw new Error(`due expression "${source}" must be at least 1 ${UNITS[match[3] as 'W' | 'M']}`);
    return { kind: 'calendarBeforeField', field: dateField(match[1]!, source), unit: UNITS[match[3] as 'W' | 'M'], count, source };
  }

  match = START_OF_FIELD.exec(text);
  if (match) return { kind: 'startOfField', field: dateField(match[1]!, source), source };

  match = DURATION.exec(text);
  if (match) {
    const [days = 0, hours = 0, minutes = 0] = match.slice(1).map((n) => Number(n ?? 0));
    const ms = ((days * 24 + hours) * 60 + minutes) * MINUTE_MS;
    if (ms <= 0) throw new Error(`due expression "${source}" must be longer than zero`);
    return { kind: 'durationAfterOpen', ms, source };
  }

  throw new Error(
    `bad due expression "${source}": expected P<n>WD, P<n>W, P<n>M, <dateField> - <n>WD, <dateField> - P<n>W, ` +
      `before <dateField> or an ISO 8601 duration such as PT5H`,
  );
}

function dateField(name: string, source: string): DateField {
  const field = DateFieldSchema.safeParse(name);
  if (!field.success) {
    throw new Error(
      `due expression "${source}" counts from unknown date field "${name}" (known: ${DateFieldSchema.options.join(', ')})`,
    );
  }
  return field.data;
}
