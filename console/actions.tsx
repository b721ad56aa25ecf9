// The actions of a task page: exactly the ones the API lists in allowedActions (and, for the
// request, withdraw and cc), each with its own small form. A refused action shows the API's
// problem in words and changes nothing; a done one reloads the page's data.
import { useState } from 'preact/hooks';
import { type RequestView, type TaskDetail, type Variable, api, newKey } from './api';
import { userName, useUsers } from './directory';
import { type MessageKey, t } from './i18n';
import { Field, Problem, useAttempt } from './ui';

type Action =
  | 'approve'
  | 'reject'
  | 'return'
  | 'transfer'
  | 'delegate'
  | 'resolve'
  | 'claim'
  | 'unclaim'
  | 'addSigner'
  | 'removeSigner'
  | 'urge'
  | 'cc'
  | 'withdraw';

/** Actions that need nothing more than a click. */
const ONE_CLICK = new Set<Action>(['claim', 'unclaim', 'urge']);
/** Actions whose comment the API requires (a return says why; a resolve is the delegate's opinion). */
const COMMENT_REQUIRED = new Set<Action>(['return', 'resolve', 'reject']);

export function TaskActions({
  task,
  request,
  variables,
  onDone,
}: {
  /** Absent on a request's own page: only the request's actions (withdraw, cc) are offered there. */
  task: TaskDetail | undefined;
  request: (RequestView & { allowedActions: string[] }) | undefined;
  variables: Variable[];
  onDone: (text: string) => void;
}) {
  const actions = [...((task?.allowedActions ?? []) as Action[]), ...((request?.allowedActions ?? []) as Action[])];
  const [open, setOpen] = useState<Action | null>(null);
  const { busy, error, setError, attempt } = useAttempt();
  // One key per opened form: a double click or a retried submit is applied once.
  const [key, setKey] = useState(newKey);

  const run = async (action: Action, body: Record<string, unknown> = {}) => {
    await attempt(async () => {
      const id = encodeURIComponent(task?.id ?? '');
      const requestId = encodeURIComponent(task?.requestId ?? request?.id ?? '');
      let done = t(`action.${action}` as MessageKey);
      switch (action) {
        case 'approve':
        case 'reject':
        case 'return':
          await api(`/tasks/${id}/decision`, { method: 'POST', body: { action, ...body }, idempotencyKey: key });
          break;
        case 'urge': {
          const r = await api<{ notified: string[] }>(`/tasks/${id}/urge`, { method: 'POST' });
          done = t('action.urged', { names: r.notified.join('、') });
          break;
        }
        case 'removeSigner':
          await api(`/tasks/${id}/signers/${encodeURIComponent(String(body.to))}`, { method: 'DELETE' });
          break;
        case 'addSigner':
          await api(`/tasks/${id}/signers`, { method: 'POST', body });
          break;
        case 'cc':
          await api(`/requests/${requestId}/cc`, { method: 'POST', body });
          break;
        case 'withdraw':
          await api(`/requests/${requestId}/withdraw`, { method: 'POST', body });
          break;
        default:
          await api(`/tasks/${id}/${action}`, { method: 'POST', ...(ONE_CLICK.has(action) ? {} : { body }) });
      }
      setOpen(null);
      setKey(newKey());
      onDone(t('action.done', { what: done }));
    });
  };

  if (actions.length === 0) return <p class="muted">{t('task.readOnly')}</p>;
  return (
    <section class="card actions" aria-label="actions">
      <div class="action-buttons">
        {actions.map((action) => (
          <button
            key={action}
            class={action === 'approve' ? 'primary' : action === 'reject' || action === 'withdraw' ? 'danger' : ''}
            aria-pressed={open === action}
            disabled={busy}
            data-action={action}
            onClick={() => {
              setError(undefined);
              if (ONE_CLICK.has(action)) void run(action);
              else setOpen(open === action ? null : action);
            }}
          >
            {t(`action.${action}` as MessageKey)}
          </button>
        ))}
      </div>
      {open && (
        <ActionForm
          key={open}
          action={open}
          task={task}
          request={request}
          variables={variables}
          busy={busy}
          onSubmit={(body) => void run(open, body)}
          onCancel={() => setOpen(null)}
        />
      )}
      <Problem error={error} />
    </section>
  );
}

function ActionForm({
  action,
  task,
  request,
  variables,
  busy,
  onSubmit,
  onCancel,
}: {
  action: Action;
  task: TaskDetail | undefined;
  request: RequestView | undefined;
  variables: Variable[];
  busy: boolean;
  onSubmit: (body: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const users = useUsers();
  const [comment, setComment] = useState('');
  const [to, setTo] = useState('');
  const [ccTo, setCcTo] = useState<string[]>([]);
  const [returnTo, setReturnTo] = useState(task?.returnTargets[0] ?? '');
  const [mode, setMode] = useState<'before' | 'after' | 'parallel'>('parallel');
  const outputs = action === 'approve' && task?.output ? task.output.split(',').map((s) => s.trim()) : [];
  const [data, setData] = useState<Record<string, unknown>>({});
  const stepName = (element: string) => request?.tasks.find((x) => x.elementId === element)?.name ?? element;
  // 减签: the sign-offs added to this task that are still pending.
  const added = (request?.tasks ?? []).filter((x) => x.addedFor === task?.id && x.status === 'open');

  const submit = (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {};
    if (comment.trim()) body.comment = comment.trim();
    if (action === 'return') body.returnTo = returnTo;
    if (action === 'transfer' || action === 'delegate' || action === 'addSigner' || action === 'removeSigner')
      body.to = to;
    if (action === 'addSigner') body.mode = mode;
    if (action === 'cc') body.to = ccTo;
    if (action === 'withdraw') {
      delete body.comment;
      if (comment.trim()) body.reason = comment.trim();
    }
    if (outputs.length > 0) body.data = data;
    onSubmit(body);
  };
  const people = [...users.entries()].sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
  const needsComment = COMMENT_REQUIRED.has(action);
  return (
    <form class="action-form" onSubmit={submit}>
      {action === 'return' && (
        <Field label={t('action.returnTo')}>
          <select value={returnTo} onChange={(e) => setReturnTo(e.currentTarget.value)} required>
            {(task?.returnTargets ?? []).map((target) => (
              <option key={target} value={target}>
                {stepName(target)}
              </option>
            ))}
          </select>
        </Field>
      )}
      {(action === 'transfer' || action === 'delegate' || action === 'addSigner') && (
        <Field label={t('action.to')}>
          <select value={to} onChange={(e) => setTo(e.currentTarget.value)} required>
            <option value="" />
            {people.map(([username, name]) => (
              <option key={username} value={username}>
                {name}（{username}）
              </option>
            ))}
          </select>
        </Field>
      )}
      {action === 'removeSigner' && (
        <Field label={t('action.to')}>
          <select value={to} onChange={(e) => setTo(e.currentTarget.value)} required>
            <option value="" />
            {added
              .flatMap((x) => x.candidates)
              .map((username) => (
                <option key={username} value={username}>
                  {userName(users, username)}
                </option>
              ))}
          </select>
        </Field>
      )}
      {action === 'addSigner' && (
        <Field label={t('action.signerMode')}>
          <select value={mode} onChange={(e) => setMode(e.currentTarget.value as typeof mode)}>
            {(['parallel', 'before', 'after'] as const).map((m) => (
              <option key={m} value={m}>
                {t(`signer.${m}`)}
              </option>
            ))}
          </select>
        </Field>
      )}
      {action === 'cc' && (
        <Field label={t('action.ccTo')}>
          <select
            multiple
            size={6}
            required
            onChange={(e) => setCcTo([...e.currentTarget.selectedOptions].map((o) => o.value))}
          >
            {people.map(([username, name]) => (
              <option key={username} value={username} selected={ccTo.includes(username)}>
                {name}（{username}）
              </option>
            ))}
          </select>
        </Field>
      )}
      {outputs.length > 0 && (
        <fieldset>
          <legend>{t('action.output')}</legend>
          {outputs.map((name) => (
            <OutputField
              key={name}
              variable={variables.find((v) => v.name === name) ?? { name, type: 'string' }}
              value={data[name]}
              onChange={(value) => setData((d) => ({ ...d, [name]: value }))}
            />
          ))}
        </fieldset>
      )}
      {action !== 'removeSigner' && action !== 'cc' && (
        <Field
          label={t(
            action === 'withdraw' ? 'action.reason' : needsComment ? 'action.commentRequired' : 'action.comment',
          )}
        >
          <textarea
            rows={3}
            value={comment}
            required={needsComment}
            onInput={(e) => setComment(e.currentTarget.value)}
            name="comment"
          />
        </Field>
      )}
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t('action.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('action.cancel')}
        </button>
      </div>
    </form>
  );
}

/** What an approval gives (fabu:output), typed by the chain's declared variable. */
function OutputField({
  variable,
  value,
  onChange,
}: {
  variable: Variable;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const label = variable.label ?? variable.name;
  switch (variable.type) {
    case 'boolean':
      return (
        <label class="check">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
          {label}
        </label>
      );
    case 'enum':
      return (
        <Field label={label}>
          <select value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value)} required>
            <option value="" />
            {variable.values?.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </Field>
      );
    case 'number':
      return (
        <Field label={label}>
          <input type="number" required onInput={(e) => onChange(Number(e.currentTarget.value))} />
        </Field>
      );
    case 'list':
      return (
        <Field label={label} hint={t('start.listHint')}>
          <input
            type="text"
            required
            onInput={(e) =>
              onChange(
                e.currentTarget.value
                  .split(/[,，、]/)
                  .map((s) => s.trim())
                  .filter(Boolean),
              )
            }
          />
        </Field>
      );
    default:
      return (
        <Field label={label}>
          <textarea rows={3} required onInput={(e) => onChange(e.currentTarget.value)} />
        </Field>
      );
  }
}
