// 外出代办: who covers the signed-in user's tasks while they are away (tasks opening for them in
// the period go to the cover, for every chain or one), and whom they cover. Times are entered and
// shown in Beijing time whatever the device's own zone.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { processName, useProcesses, userName, useUsers } from '../directory';
import { fmtFull } from '../format';
import { t } from '../i18n';
import { session } from '../session';
import { Field, Loading, Problem, useAsync, useAttempt, useToast } from '../ui';
import { instantToLocal, localToInstant } from './office/common';

interface ProxyView {
  id: string;
  principal: string;
  proxy: string;
  processKey: string | null;
  startsAt: string;
  endsAt: string;
  reason: string | null;
  createdBy: string;
  revokedAt: string | null;
  active: boolean;
}

type State = 'active' | 'upcoming' | 'ended' | 'revoked';

function stateOf(p: ProxyView, now: number): State {
  if (p.revokedAt) return 'revoked';
  if (p.active) return 'active';
  return Date.parse(p.startsAt) > now ? 'upcoming' : 'ended';
}

export function ProxiesPage() {
  const me = session.user()?.username ?? '';
  const list = useAsync((signal) => api<{ items: ProxyView[] }>('/proxies', { signal }), []);
  const [toast, showToast] = useToast();
  const now = Date.now();
  // Current ones in the order they start; past ones newest first.
  const items = [...(list.data?.items ?? [])].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const current = (p: ProxyView) => ['active', 'upcoming'].includes(stateOf(p, now));
  const mine = items.filter((p) => p.principal === me && current(p));
  const forOthers = items.filter((p) => p.proxy === me && p.principal !== me && current(p));
  const past = items.filter((p) => !current(p)).reverse();
  const changed = (text: string) => {
    showToast(text);
    list.reload();
  };
  return (
    <main class="page proxies">
      <header class="page-head">
        <h1>{t('nav.proxies')}</h1>
        <p class="muted small">{t('proxies.hint')}</p>
      </header>
      <div class="task-grid office-grid">
        <div class="col-main">
          <Loading when={list}>
            <section class="card" aria-labelledby="proxies-mine">
              <h2 id="proxies-mine">{t('proxies.mine')}</h2>
              {mine.length === 0 ? (
                <p class="muted">{t('proxies.noneMine')}</p>
              ) : (
                <ProxyList items={mine} me={me} now={now} onChanged={changed} />
              )}
            </section>
            <section class="card" aria-labelledby="proxies-others">
              <h2 id="proxies-others">{t('proxies.forOthers')}</h2>
              {forOthers.length === 0 ? (
                <p class="muted">{t('proxies.noneForOthers')}</p>
              ) : (
                <ProxyList items={forOthers} me={me} now={now} onChanged={changed} />
              )}
            </section>
            {past.length > 0 && (
              <details class="card">
                <summary>{t('proxies.past', { n: past.length })}</summary>
                <ProxyList items={past} me={me} now={now} onChanged={changed} />
              </details>
            )}
          </Loading>
        </div>
        <div class="col-side">
          <NewProxy me={me} onCreated={changed} />
        </div>
      </div>
      {toast}
    </main>
  );
}

function ProxyList({
  items,
  me,
  now,
  onChanged,
}: {
  items: ProxyView[];
  me: string;
  now: number;
  onChanged: (text: string) => void;
}) {
  const users = useUsers();
  const processes = useProcesses();
  const [asking, setAsking] = useState<string | null>(null);
  const { busy, error, attempt } = useAttempt();
  const revoke = async (id: string) => {
    await attempt(async () => {
      await api(`/proxies/${encodeURIComponent(id)}`, { method: 'DELETE' });
      setAsking(null);
      onChanged(t('proxies.revoked'));
    });
  };
  return (
    <>
      <Problem error={error} />
      <ul class="proxy-list">
        {items.map((p) => {
          const state = stateOf(p, now);
          const other = p.principal === me ? p.proxy : p.principal;
          // The principal or whoever registered it ends it; the cover cannot (src/proxies).
          const mayRevoke = (p.principal === me || p.createdBy === me) && (state === 'active' || state === 'upcoming');
          return (
            <li key={p.id} class={`proxy ${state}`} data-proxy={p.id}>
              <div class="proxy-main">
                <strong>
                  {p.principal === me
                    ? t('proxies.coveredBy', { name: userName(users, other) })
                    : t('proxies.covering', { name: userName(users, other) })}
                </strong>
                <span class={`badge ${state === 'active' ? 'ok' : state === 'upcoming' ? 'open' : ''}`}>
                  {t(`proxies.state.${state}`)}
                </span>
                <div class="small">
                  {fmtFull(p.startsAt)} — {fmtFull(p.endsAt)}
                </div>
                <div class="muted small">
                  {p.processKey ? processName(processes, p.processKey) : t('proxies.allProcesses')}
                  {p.reason && ` · ${p.reason}`}
                  {p.revokedAt && ` · ${t('proxies.revokedAt', { at: fmtFull(p.revokedAt) })}`}
                </div>
              </div>
              {mayRevoke &&
                (asking === p.id ? (
                  <div class="form-buttons">
                    <button class="danger" disabled={busy} onClick={() => void revoke(p.id)}>
                      {t('proxies.confirmRevoke')}
                    </button>
                    <button disabled={busy} onClick={() => setAsking(null)}>
                      {t('action.cancel')}
                    </button>
                  </div>
                ) : (
                  <button class="danger" onClick={() => setAsking(p.id)}>
                    {t('proxies.revoke')}
                  </button>
                ))}
            </li>
          );
        })}
      </ul>
    </>
  );
}

function NewProxy({ me, onCreated }: { me: string; onCreated: (text: string) => void }) {
  const users = useUsers();
  const processes = useProcesses();
  const [proxy, setProxy] = useState('');
  const [processKey, setProcessKey] = useState('');
  const [startsAt, setStartsAt] = useState(() => instantToLocal(Math.ceil(Date.now() / 3600_000) * 3600_000));
  const [endsAt, setEndsAt] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, attempt } = useAttempt();
  const people = [...users.entries()].filter(([u]) => u !== me).sort((a, b) => a[1].localeCompare(b[1], 'zh-CN'));
  const submit = async (e: Event) => {
    e.preventDefault();
    await attempt(async () => {
      await api('/proxies', {
        method: 'POST',
        body: {
          proxy,
          startsAt: localToInstant(startsAt),
          endsAt: localToInstant(endsAt),
          ...(processKey ? { processKey } : {}),
          ...(reason.trim() ? { reason: reason.trim() } : {}),
        },
      });
      setProxy('');
      setEndsAt('');
      setReason('');
      onCreated(t('proxies.created', { name: userName(users, proxy) }));
    });
  };
  const backwards = Boolean(startsAt && endsAt && endsAt <= startsAt);
  return (
    <section class="card" aria-labelledby="proxies-new">
      <h2 id="proxies-new">{t('proxies.add')}</h2>
      <form class="action-form" onSubmit={(e) => void submit(e)}>
        <Field label={t('proxies.who')}>
          <select value={proxy} required onChange={(e) => setProxy(e.currentTarget.value)}>
            <option value="">{t('proxies.pick')}</option>
            {people.map(([username, name]) => (
              <option key={username} value={username}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('proxies.from')}>
          <input type="datetime-local" required value={startsAt} onInput={(e) => setStartsAt(e.currentTarget.value)} />
        </Field>
        <Field label={t('proxies.to')}>
          <input
            type="datetime-local"
            required
            value={endsAt}
            min={startsAt}
            onInput={(e) => setEndsAt(e.currentTarget.value)}
          />
        </Field>
        {backwards && <p class="warn small">{t('proxies.backwards')}</p>}
        <Field label={t('proxies.process')}>
          <select value={processKey} onChange={(e) => setProcessKey(e.currentTarget.value)}>
            <option value="">{t('proxies.allProcesses')}</option>
            {processes.map((p) => (
              <option key={p.key} value={p.key}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('proxies.reason')}>
          <input
            type="text"
            maxLength={200}
            value={reason}
            placeholder={t('proxies.reasonPlaceholder')}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </Field>
        <div class="form-buttons">
          <button type="submit" class="primary" disabled={busy || !proxy || !endsAt || backwards}>
            {t('proxies.submit')}
          </button>
        </div>
        <Problem error={error} />
      </form>
    </section>
  );
}
