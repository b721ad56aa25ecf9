// 发起申请: pick a deployed chain, fill in the form generated from its JSON Schema (built on the
// server from the chain's zod schema: GET /api/processes/:key/form), and see before submitting
// whether the conference date leaves enough working days (H1, H3: "最迟应于 … 提交").
import { useEffect, useMemo, useState } from 'preact/hooks';
import { type Plan, type RequestView, api, newKey } from '../api';
import { useProcesses } from '../directory';
import { fmtDate, fmtFull, fmtInstant } from '../format';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { Field, Loading, Problem, useAsync } from '../ui';

interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  enum?: string[];
  default?: unknown;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

interface Form {
  key: string;
  version: number;
  name: string;
  code: string;
  rules: string[];
  conferenceRequired: boolean;
  recurring: boolean;
  schema: JsonSchema;
}

export function StartPage({ processKey }: { processKey?: string }) {
  const processes = useProcesses();
  if (!processKey) {
    return (
      <main class="page start">
        <h1>{t('start.pick')}</h1>
        <ul class="process-list">
          {processes.map((p) => (
            <li key={p.key}>
              <a href={href(['start', p.key])} class="card process-card">
                <strong>{p.name}</strong>
                <span class="muted small">
                  {p.code} · {p.rules.join(' ')}
                </span>
              </a>
            </li>
          ))}
        </ul>
      </main>
    );
  }
  return <StartForm key={processKey} processKey={processKey} />;
}

function StartForm({ processKey }: { processKey: string }) {
  const form = useAsync(
    (signal) => api<Form>(`/processes/${encodeURIComponent(processKey)}/form`, { signal }),
    [processKey],
  );
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // One key for this form: a second click, or a retry after a lost answer, starts nothing twice.
  const [key] = useState(newKey);
  const schema = form.data?.schema;
  useEffect(() => {
    if (schema) setValues(defaults(schema));
  }, [schema]);
  const conferenceDate = typeof values.conferenceDate === 'string' ? values.conferenceDate : '';
  const plan = useAsync(
    (signal) =>
      conferenceDate && /^\d{4}-\d{2}-\d{2}$/.test(conferenceDate)
        ? api<Plan>(`/processes/${encodeURIComponent(processKey)}/plan?conferenceAt=${conferenceDate}`, { signal })
        : Promise.resolve(undefined),
    [processKey, conferenceDate],
  );
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const request = await api<RequestView>('/requests', {
        method: 'POST',
        body: { processKey, ...values },
        idempotencyKey: key,
      });
      navigate(['requests', request.id], { started: '1' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="page start">
      <a class="back" href={href(['start'])}>
        ← {t('start.pick')}
      </a>
      <Loading when={form}>
        {form.data && schema && (
          <div class="task-grid">
            <form class="card col-main start-form" onSubmit={(e) => void submit(e)}>
              <h1>{form.data.name}</h1>
              <p class="muted small">
                {form.data.code} · {form.data.rules.join(' ')}
              </p>
              {form.data.recurring ? (
                <p class="warn">{t('start.recurring')}</p>
              ) : (
                <>
                  <SchemaFields
                    schema={schema}
                    values={values}
                    onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))}
                  />
                  <Problem error={error} />
                  <button type="submit" class="primary" disabled={busy || plan.data?.tooLate}>
                    {t('action.submit')}
                  </button>
                </>
              )}
            </form>
            <div class="col-side">{plan.data ? <PlanPreview plan={plan.data} /> : <Problem error={plan.error} />}</div>
          </div>
        )}
      </Loading>
    </main>
  );
}

function defaults(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field.type === 'object') out[name] = defaults(field);
    else if (field.default !== undefined) out[name] = field.default;
  }
  return out;
}

/** One input per property: text, date, checkbox, select, number, or a comma-separated list. */
function SchemaFields({
  schema,
  values,
  onChange,
}: {
  schema: JsonSchema;
  values: Record<string, unknown>;
  onChange: (name: string, value: unknown) => void;
}) {
  const required = new Set(schema.required ?? []);
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([name, field]) => {
        const label = field.title ?? name;
        const value = values[name];
        const must = required.has(name) && field.default === undefined;
        if (field.type === 'object') {
          if (Object.keys(field.properties ?? {}).length === 0) return null;
          return (
            <fieldset key={name}>
              <SchemaFields
                schema={field}
                values={(value as Record<string, unknown>) ?? {}}
                onChange={(inner, v) => onChange(name, { ...((value as Record<string, unknown>) ?? {}), [inner]: v })}
              />
            </fieldset>
          );
        }
        if (field.type === 'boolean') {
          return (
            <label class="check" key={name}>
              <input
                type="checkbox"
                name={name}
                checked={value === true}
                onChange={(e) => onChange(name, e.currentTarget.checked)}
              />
              {label}
            </label>
          );
        }
        const hint = [
          must ? t('start.required') : '',
          field.type === 'array' ? t('start.listHint') : '',
          field.description ?? '',
        ]
          .filter(Boolean)
          .join(' · ');
        return (
          <Field key={name} label={label} hint={hint || undefined}>
            {field.enum ? (
              <select
                name={name}
                value={String(value ?? '')}
                required={must}
                onChange={(e) => onChange(name, e.currentTarget.value)}
              >
                <option value="" />
                {field.enum.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            ) : field.type === 'array' ? (
              <input
                name={name}
                type="text"
                value={Array.isArray(value) ? value.join('，') : ''}
                onChange={(e) =>
                  onChange(
                    name,
                    e.currentTarget.value
                      .split(/[,，、]/)
                      .map((s) => s.trim())
                      .filter(Boolean),
                  )
                }
              />
            ) : field.type === 'number' ? (
              <input
                name={name}
                type="number"
                required={must}
                value={typeof value === 'number' ? value : ''}
                onInput={(e) =>
                  onChange(name, e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))
                }
              />
            ) : (
              <input
                name={name}
                type={field.format === 'date' ? 'date' : 'text'}
                required={must}
                value={typeof value === 'string' ? value : ''}
                onInput={(e) => onChange(name, e.currentTarget.value)}
              />
            )}
          </Field>
        );
      })}
    </>
  );
}

/** The plan of every dated step, with the latest submission answered up front. */
export function PlanPreview({ plan }: { plan: Plan }) {
  const rows = useMemo(() => plan.items.filter((i) => i.kind !== 'submission'), [plan]);
  return (
    <section class="card plan" aria-label={t('start.plan')}>
      {plan.latestSubmission && (
        <p class={plan.tooLate ? 'problem' : 'ok-note'} role="status" data-testid="latest-submission">
          {plan.tooLate
            ? t('start.tooLate', { at: fmtFull(plan.latestSubmission), date: fmtDate(plan.earliestConference) })
            : t('start.latest', { at: fmtFull(plan.latestSubmission) })}
        </p>
      )}
      {!plan.tooLate && plan.earliestConference && !plan.latestSubmission && (
        <p class="muted">{t('start.earliest', { date: fmtDate(plan.earliestConference) })}</p>
      )}
      <h2>{t('start.plan')}</h2>
      <p class="muted small">{t('start.planHint')}</p>
      <ol class="plan-items">
        {rows.map((item, i) => (
          <li key={i} class={item.kind}>
            <span class="plan-date">{fmtInstant(item.at)}</span>
            <span class="plan-name">
              {item.name}
              {item.rules.length > 0 && <span class="muted small"> {item.rules.join(' ')}</span>}
              {item.provisional && <span class="badge provisional">{t('due.provisional')}</span>}
            </span>
            <span class="muted small">
              {item.workingDaysFromPrevious !== null && t('plan.workingDays', { n: item.workingDaysFromPrevious })}
              {item.crossed.length > 0 &&
                ` · ${t('plan.crossed', { days: item.crossed.map((d) => `${d.date.slice(5)} ${d.name}${d.kind === 'workday' ? '（调休上班）' : ''}`).join('、') })}`}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
