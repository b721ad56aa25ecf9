// 突发事件: incidents with their hour clocks — first release within 1 h (O2) or 5 h (H7), a press
// conference within 24 h (O2, H7, U2), a response within 48 h (O2) — counting down live, and one
// incident with its units, releases, re-assessment of severity (O1) and hand-over (O4).
// Clocks render every second from their deadline instant; the data itself is re-read every 15 s.
import { useState } from 'preact/hooks';
import { type Page, type ProcessDetail, api } from '../../api';
import { orgName, useOrgs, userName, useUsers } from '../../directory';
import { durationText, fmtFull, fmtInstant } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import { Field, Loading, Problem, useAsync, useAttempt, useToast } from '../../ui';
import {
  RuleBadges,
  SEVERITIES,
  CityFilter,
  cityName,
  hoursText,
  known,
  listText,
  severityName,
  useEvery,
  useNow,
} from './common';

const REFRESH_MS = 15_000;

interface ClockView {
  clockId: string;
  name: string;
  rules: string[];
  status: 'running' | 'met' | 'breached' | 'stopped';
  startedAt: string;
  windowMs: number;
  dueAt: string;
  warnAt: string;
  severity: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  metAt: string | null;
  metBy: string | null;
  late: boolean;
  holders: string[];
  unit: string | null;
  stoppedAt: string | null;
  remainingMs: number | null;
  overdue: boolean;
}

interface IncidentView {
  id: string;
  city: string;
  source: string;
  sourceId: string | null;
  summary: string;
  locality: string | null;
  topic: string | null;
  links: string[];
  knownAt: string;
  reportedBy: string;
  units: string[];
  matchedRoutes: string[];
  createdAt: string;
  processKey: string | null;
  status: 'running' | 'completed' | null;
  stage: string | null;
  outcome: string | null;
  orgCode: string | null;
  severity: string | null;
  clocks: ClockView[];
  releases: Array<{ channel: string; title: string; createdAt: string }>;
}

/** Where a clock stands at `now`: counted from its deadline, so it moves without asking the server. */
function clockState(c: ClockView, now: number): { kind: string; text: string } {
  const due = Date.parse(c.dueAt);
  if (c.status === 'met') {
    return c.late
      ? { kind: 'late', text: t('office.clock.metLate', { at: fmtInstant(c.metAt) }) }
      : { kind: 'met', text: t('office.clock.met', { at: fmtInstant(c.metAt) }) };
  }
  if (c.status === 'stopped')
    return { kind: 'stopped', text: t('office.clock.stopped', { at: fmtInstant(c.stoppedAt) }) };
  if (c.status === 'breached' || now >= due) {
    return { kind: 'overdue', text: t('office.clock.over', { time: durationText(now - due) }) };
  }
  return {
    kind: now >= Date.parse(c.warnAt) ? 'warn' : 'running',
    text: t('office.clock.left', { time: durationText(due - now) }),
  };
}

function Clock({ clock, now, detailed = false }: { clock: ClockView; now: number; detailed?: boolean }) {
  const state = clockState(clock, now);
  return (
    <div class={`clock ${state.kind}`} data-clock={clock.clockId} data-state={state.kind}>
      <span class="clock-name">
        {clock.name} <RuleBadges rules={clock.rules} />
      </span>
      <span class="clock-time" role="timer" aria-label={`${clock.name} ${state.text}`}>
        {state.text}
      </span>
      <span class="muted small">
        {t('office.clock.due', { at: fmtInstant(clock.dueAt), window: hoursText(clock.windowMs) })}
      </span>
      {detailed && <ClockDetail clock={clock} />}
    </div>
  );
}

function ClockDetail({ clock }: { clock: ClockView }) {
  const users = useUsers();
  const orgs = useOrgs();
  return (
    <span class="muted small clock-detail">
      {t('office.clock.from', { at: fmtFull(clock.startedAt) })}
      {clock.severity && ` · ${t('office.clock.plannedFor', { severity: severityName(clock.severity) })}`}
      {clock.warnedAt && ` · ${t('office.clock.warned', { at: fmtInstant(clock.warnedAt) })}`}
      {clock.breachedAt && ` · ${t('office.clock.breachedAt', { at: fmtInstant(clock.breachedAt) })}`}
      {clock.unit && ` · ${t('office.clock.unit', { unit: orgName(orgs, clock.unit) })}`}
      {clock.holders.length > 0 &&
        ` · ${t('office.clock.holders', { names: listText(clock.holders.map((h) => userName(users, h))) })}`}
    </span>
  );
}

/** Running clocks first, the nearest deadline first: what the office must act on. */
const byUrgency = (a: ClockView, b: ClockView) =>
  Number(b.status === 'running' || b.status === 'breached') -
    Number(a.status === 'running' || a.status === 'breached') || Date.parse(a.dueAt) - Date.parse(b.dueAt);

export function IncidentsPage({ query }: { query: URLSearchParams }) {
  const filters = { city: query.get('city') ?? undefined, status: query.get('status') ?? undefined };
  const qs = new URLSearchParams({ limit: '50' });
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  const list = useAsync(
    (signal) => api<Page<IncidentView>>(`/incidents?${qs.toString()}`, { signal }),
    [qs.toString()],
  );
  const [more, setMore] = useState<IncidentView[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>();
  useEvery(REFRESH_MS, list.reload);
  const now = useNow();
  const orgs = useOrgs();
  const set = (name: string, value: string) => {
    setMore([]);
    setCursor(undefined);
    navigate(['office', 'incidents'], { ...filters, [name]: value || undefined });
  };
  const next = cursor === undefined ? list.data?.nextCursor : cursor;
  const loadMore = async () => {
    if (!next) return;
    try {
      const q = new URLSearchParams(qs);
      q.set('cursor', next);
      const page = await api<Page<IncidentView>>(`/incidents?${q.toString()}`);
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    }
  };
  const seen = new Set<string>();
  const items = [...(list.data?.items ?? []), ...more].filter((i) => !seen.has(i.id) && Boolean(seen.add(i.id)));
  return (
    <main class="page office">
      <header class="page-head">
        <h1>{t('office.incidents.title')}</h1>
        <p class="muted small">{t('office.incidents.hint')}</p>
      </header>
      <div class="filter-row office-filters card">
        <CityFilter orgs={orgs} value={filters.city} onChange={(city) => set('city', city)} />
        <label>
          {t('office.incidents.status')}
          <select value={filters.status ?? ''} onChange={(e) => set('status', e.currentTarget.value)}>
            <option value="">{t('inbox.all')}</option>
            <option value="running">{t('office.incidents.running')}</option>
            <option value="completed">{t('office.incidents.completed')}</option>
          </select>
        </label>
      </div>
      <Loading when={list}>
        {items.length === 0 && <p class="empty">{t('office.incidents.empty')}</p>}
        <ul class="items incident-list">
          {items.map((i) => (
            <li
              key={i.id}
              class={`item incident ${i.clocks.some((c) => clockState(c, now).kind === 'overdue' && c.status !== 'met') ? 'is-overdue' : ''}`}
              data-incident={i.id}
            >
              <a class="incident-main" href={href(['office', 'incidents', i.id])}>
                <span class="item-title">{i.summary}</span>
                <span class="badges">
                  <span class={`badge sev-${i.severity ?? 'none'}`}>{severityName(i.severity) || '—'}</span>
                  <span class={`badge ${i.status ?? ''}`}>{statusText(i)}</span>
                  <span class="muted small">
                    {cityName(i.city)} · {listText(i.units.map((u) => orgName(orgs, u)))} ·{' '}
                    {t('office.incidents.knownAt', { at: fmtInstant(i.knownAt) })}
                  </span>
                  <span class="muted small mono">{i.id}</span>
                </span>
              </a>
              <div class="clocks">
                {[...i.clocks].sort(byUrgency).map((c) => (
                  <Clock key={c.clockId} clock={c} now={now} />
                ))}
              </div>
            </li>
          ))}
        </ul>
        <Problem error={moreError} />
        {next && <button onClick={() => void loadMore()}>{t('inbox.more')}</button>}
      </Loading>
    </main>
  );
}

const statusText = (i: IncidentView): string =>
  i.status === 'completed'
    ? t('office.incidents.completed')
    : i.status === 'running'
      ? t('office.incidents.running')
      : t('office.incidents.starting');

export function IncidentPage({ id }: { id: string }) {
  const detail = useAsync((signal) => api<IncidentView>(`/incidents/${encodeURIComponent(id)}`, { signal }), [id]);
  useEvery(REFRESH_MS, detail.reload);
  const processKey = detail.data?.processKey;
  const process = useAsync(
    (signal) =>
      processKey
        ? api<ProcessDetail>(`/processes/${encodeURIComponent(processKey)}`, { signal })
        : Promise.resolve(undefined),
    [processKey],
  );
  // Channel names for the releases; without them (a refusal, say) the channel's key is shown.
  const channels = useAsync(
    (signal) =>
      api<{ items: Array<{ key: string; name: string }> }>('/channels', { signal }).catch(() => ({ items: [] })),
    [],
  );
  const now = useNow();
  const orgs = useOrgs();
  const users = useUsers();
  const [toast, showToast] = useToast();
  const i = detail.data;
  const stage = i?.stage ? (process.data?.ir.nodes[i.stage]?.name ?? i.stage) : null;
  const done = (text: string) => {
    showToast(text);
    detail.reload();
  };
  return (
    <main class="page office">
      <header class="page-head">
        <a class="back" href={href(['office', 'incidents'])}>
          ← {t('office.incidents.title')}
        </a>
        <Loading when={detail}>
          {i && (
            <>
              <h1 class="incident-title">{i.summary}</h1>
              <div class="badges">
                <span class={`badge sev-${i.severity ?? 'none'}`}>{severityName(i.severity) || '—'}</span>
                <span class={`badge ${i.status ?? ''}`}>{statusText(i)}</span>
                {stage && i.status === 'running' && <span class="badge">{t('office.incidents.stage', { stage })}</span>}
                {i.outcome && <span class="badge">{known(`outcome.${i.outcome}`, i.outcome)}</span>}
                <span class="muted small mono">{i.id}</span>
              </div>
            </>
          )}
        </Loading>
      </header>
      {i && (
        <div class="task-grid office-grid">
          <div class="col-main">
            <section class="card" aria-labelledby="clocks-title">
              <h2 id="clocks-title">{t('office.incidents.clocks')}</h2>
              {i.clocks.length === 0 ? (
                <p class="muted">{t('office.incidents.noClocks')}</p>
              ) : (
                <div class="clocks detailed">
                  {[...i.clocks].sort(byUrgency).map((c) => (
                    <Clock key={c.clockId} clock={c} now={now} detailed />
                  ))}
                </div>
              )}
            </section>
            <section class="card">
              <h2>{t('office.incidents.facts')}</h2>
              <dl class="facts">
                <dt>{t('office.compliance.city')}</dt>
                <dd>{cityName(i.city)}</dd>
                <dt>{t('office.incidents.knownAtLabel')}</dt>
                <dd>{fmtFull(i.knownAt)}</dd>
                <dt>{t('office.incidents.source')}</dt>
                <dd>
                  {known(`office.source.${i.source}`, i.source)}
                  {i.sourceId && <span class="muted small mono"> {i.sourceId}</span>}
                </dd>
                <dt>{t('office.incidents.reportedBy')}</dt>
                <dd>
                  {userName(users, i.reportedBy)} <span class="muted small">{fmtFull(i.createdAt)}</span>
                </dd>
                {i.locality && (
                  <>
                    <dt>{t('office.incidents.locality')}</dt>
                    <dd>{i.locality}</dd>
                  </>
                )}
                {i.topic && (
                  <>
                    <dt>{t('office.incidents.topic')}</dt>
                    <dd>{known(`office.topic.${i.topic}`, i.topic)}</dd>
                  </>
                )}
                <dt>{t('office.incidents.lead')}</dt>
                <dd>{i.orgCode ? orgName(orgs, i.orgCode) : '—'}</dd>
                <dt>{t('office.incidents.units')}</dt>
                <dd>
                  <ul class="chips" data-testid="incident-units">
                    {i.units.map((u) => (
                      <li key={u}>{orgName(orgs, u)}</li>
                    ))}
                  </ul>
                </dd>
                {i.links.length > 0 && (
                  <>
                    <dt>{t('office.incidents.links')}</dt>
                    <dd>
                      <ul class="plain">
                        {i.links.map((l) => (
                          <li key={l} class="link-line">
                            <a href={l} target="_blank" rel="noopener noreferrer">
                              {l}
                            </a>
                          </li>
                        ))}
                      </ul>
                    </dd>
                  </>
                )}
              </dl>
              {i.status !== null && <a href={href(['requests', i.id])}>{t('office.incidents.openChain')}</a>}
            </section>
            <section class="card">
              <h2>{t('office.incidents.releases')}</h2>
              {i.releases.length === 0 ? (
                <p class="muted">{t('office.incidents.noReleases')}</p>
              ) : (
                <ul class="plain releases">
                  {i.releases.map((r, n) => (
                    <li key={n}>
                      <span class="badge">
                        {channels.data?.items.find((c) => c.key === r.channel)?.name ?? r.channel}
                      </span>{' '}
                      {r.title}
                      <span class="muted small"> · {fmtFull(r.createdAt)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
          <div class="col-side">
            {i.status === 'completed' ? (
              <p class="muted card">{t('office.incidents.closedNote')}</p>
            ) : (
              <>
                <SeverityForm incident={i} onDone={done} />
                <HandOverForm incident={i} onDone={done} />
              </>
            )}
          </div>
        </div>
      )}
      {toast}
    </main>
  );
}

function SeverityForm({ incident, onDone }: { incident: IncidentView; onDone: (text: string) => void }) {
  // No default: an accidental downgrade is worse than one more click.
  const [severity, setSeverity] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, attempt } = useAttempt();
  const submit = async (e: Event) => {
    e.preventDefault();
    await attempt(async () => {
      await api<IncidentView>(`/incidents/${encodeURIComponent(incident.id)}/severity`, {
        method: 'POST',
        body: { severity, ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
      setReason('');
      setSeverity('');
      onDone(t('office.severity.done', { severity: severityName(severity) }));
    });
  };
  return (
    <section class="card" aria-labelledby="severity-title">
      <h2 id="severity-title">{t('office.severity.title')}</h2>
      <p class="muted small">{t('office.severity.hint')}</p>
      <form class="action-form" onSubmit={(e) => void submit(e)}>
        <Field label={t('office.severity.new')}>
          <select value={severity} required onChange={(e) => setSeverity(e.currentTarget.value)}>
            <option value="">{t('office.pick')}</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s} disabled={s === incident.severity}>
                {severityName(s)}
                {s === incident.severity ? ` (${t('office.severity.current')})` : ''}
              </option>
            ))}
          </select>
        </Field>
        <ReasonAndSubmit
          reason={reason}
          onReason={setReason}
          label={t('office.severity.submit')}
          disabled={busy || !severity}
          error={error}
        />
      </form>
    </section>
  );
}

/** The end of an incident's form: an optional reason, the submit button, and the refusal if any. */
function ReasonAndSubmit(props: {
  reason: string;
  onReason: (reason: string) => void;
  label: string;
  disabled: boolean;
  error: unknown;
}) {
  return (
    <>
      <Field label={t('action.reason')}>
        <textarea
          rows={2}
          maxLength={500}
          value={props.reason}
          onInput={(e) => props.onReason(e.currentTarget.value)}
        />
      </Field>
      <div class="form-buttons">
        <button type="submit" class="primary" disabled={props.disabled}>
          {props.label}
        </button>
      </div>
      <Problem error={props.error} />
    </>
  );
}

function HandOverForm({ incident, onDone }: { incident: IncidentView; onDone: (text: string) => void }) {
  const orgs = useOrgs();
  const [to, setTo] = useState('');
  const [from, setFrom] = useState('');
  const [reason, setReason] = useState('');
  const { busy, error, attempt } = useAttempt();
  // O4: a unit hands its part on within its city.
  const candidates = [...orgs.values()]
    .filter((o) => o.city === incident.city && !incident.units.includes(o.code))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  const submit = async (e: Event) => {
    e.preventDefault();
    await attempt(async () => {
      await api<IncidentView>(`/incidents/${encodeURIComponent(incident.id)}/handover`, {
        method: 'POST',
        body: { to, ...(from ? { from } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) },
      });
      setTo('');
      setFrom('');
      setReason('');
      onDone(t('office.handover.done', { org: orgName(orgs, to) }));
    });
  };
  return (
    <section class="card" aria-labelledby="handover-title">
      <h2 id="handover-title">{t('office.handover.title')}</h2>
      <p class="muted small">{t('office.handover.hint')}</p>
      <form class="action-form" onSubmit={(e) => void submit(e)}>
        {incident.units.length > 1 && (
          <Field label={t('office.handover.from')}>
            <select value={from} onChange={(e) => setFrom(e.currentTarget.value)}>
              <option value="">{t('office.handover.fromDefault', { org: orgName(orgs, incident.orgCode) })}</option>
              {incident.units.map((u) => (
                <option key={u} value={u}>
                  {orgName(orgs, u)}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field label={t('office.handover.to')}>
          <select value={to} required onChange={(e) => setTo(e.currentTarget.value)}>
            <option value="">{t('office.pick')}</option>
            {candidates.map((o) => (
              <option key={o.code} value={o.code}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
        <ReasonAndSubmit
          reason={reason}
          onReason={setReason}
          label={t('office.handover.submit')}
          disabled={busy || !to}
          error={error}
        />
      </form>
    </section>
  );
}
