// 我的待办: four tabs with their counts (待办 / 已办 / 抄送我 / 我发起的). The open tab is sorted by
// due, with overdue and provisional deadlines marked, filters of the API, bulk approval with one
// result per task, and a cheap summary polled so tasks arrive and leave without a reload.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type InboxItem, type Page, type RequestSummary, type Summary, api, newKey } from '../api';
import { orgName, processName, useOrgs, useProcesses } from '../directory';
import { fmtDate, fmtInstant } from '../format';
import { t } from '../i18n';
import { href, navigate } from '../router';
import { DueBadge, Loading, Problem, useAsync, useToast } from '../ui';

export type Tab = 'open' | 'done' | 'cc' | 'started';
const TABS: Tab[] = ['open', 'done', 'cc', 'started'];
const POLL_MS = 5000;

interface BulkResult {
  results: Array<{ taskId: string; status: number; code?: string; detail?: string }>;
}

export function InboxPage({ tab, query }: { tab: Tab; query: URLSearchParams }) {
  const filters = {
    processKey: query.get('processKey') ?? undefined,
    orgCode: query.get('orgCode') ?? undefined,
    overdue: query.get('overdue') ?? undefined,
    provisional: query.get('provisional') ?? undefined,
  };
  const [toast, showToast] = useToast();
  const [version, setVersion] = useState(0);
  const summary = useSummary(() => {
    setVersion((v) => v + 1);
    showToast(t('inbox.updated'));
  });
  const setFilter = (name: string, value: string | undefined) =>
    navigate(['inbox', tab], { ...filters, [name]: value || undefined });
  return (
    <main class="page inbox">
      <nav class="tabs" role="tablist">
        {TABS.map((name) => (
          <a
            key={name}
            role="tab"
            aria-selected={name === tab}
            class={name === tab ? 'tab active' : 'tab'}
            href={href(['inbox', name])}
          >
            {t(`tab.${name}`)}
            {summary && (
              <span class={`count ${name === 'open' && summary.overdue > 0 ? 'overdue' : ''}`}>{summary[name]}</span>
            )}
          </a>
        ))}
      </nav>
      {(tab === 'open' || tab === 'done') && <Filters filters={filters} tab={tab} onChange={setFilter} />}
      {tab === 'open' || tab === 'done' ? (
        <TaskList
          key={`${tab}:${JSON.stringify(filters)}`}
          tab={tab}
          filters={filters}
          version={version}
          onDone={showToast}
        />
      ) : (
        <RequestList key={tab} scope={tab} version={version} />
      )}
      {toast}
    </main>
  );
}

/** Polls GET /api/tasks/summary; calls `onChange` when the digest of my open tasks moves. */
function useSummary(onChange: () => void): Summary | undefined {
  const [summary, setSummary] = useState<Summary>();
  const last = useRef<string>();
  const changed = useRef(onChange);
  changed.current = onChange;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const s = await api<Summary>('/tasks/summary');
        if (!live) return;
        setSummary(s);
        if (last.current !== undefined && last.current !== s.digest) changed.current();
        last.current = s.digest;
      } catch {
        // A missed poll is retried on the next tick.
      }
      // Hidden tabs poll less, so a forgotten window costs the server little.
      if (live) timer = setTimeout(() => void poll(), document.hidden ? POLL_MS * 6 : POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return summary;
}

function Filters({
  filters,
  tab,
  onChange,
}: {
  filters: Record<string, string | undefined>;
  tab: Tab;
  onChange: (name: string, value: string | undefined) => void;
}) {
  const processes = useProcesses();
  const orgs = useOrgs();
  return (
    <details class="filters" open={Object.values(filters).some(Boolean)}>
      <summary>{t('inbox.filters')}</summary>
      <div class="filter-row">
        <label>
          {t('inbox.process')}
          <select value={filters.processKey ?? ''} onChange={(e) => onChange('processKey', e.currentTarget.value)}>
            <option value="">{t('inbox.all')}</option>
            {processes.map((p) => (
              <option key={p.key} value={p.key}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inbox.org')}
          <select value={filters.orgCode ?? ''} onChange={(e) => onChange('orgCode', e.currentTarget.value)}>
            <option value="">{t('inbox.all')}</option>
            {[...orgs.values()].map((o) => (
              <option key={o.code} value={o.code}>
                {o.name}
              </option>
            ))}
          </select>
        </label>
        {tab === 'open' && (
          <>
            <label class="check">
              <input
                type="checkbox"
                checked={filters.overdue === 'true'}
                onChange={(e) => onChange('overdue', e.currentTarget.checked ? 'true' : undefined)}
              />
              {t('inbox.overdueOnly')}
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={filters.provisional === 'true'}
                onChange={(e) => onChange('provisional', e.currentTarget.checked ? 'true' : undefined)}
              />
              {t('inbox.provisionalOnly')}
            </label>
          </>
        )}
      </div>
    </details>
  );
}

function TaskList({
  tab,
  filters,
  version,
  onDone,
}: {
  tab: 'open' | 'done';
  filters: Record<string, string | undefined>;
  version: number;
  onDone: (text: string) => void;
}) {
  const [pages, setPages] = useState<Array<Page<InboxItem>>>([]);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<BulkResult>();
  const [busy, setBusy] = useState(false);
  const orgs = useOrgs();
  const processes = useProcesses();

  const load = async (cursor?: string) => {
    const q = new URLSearchParams({ status: tab, limit: '50' });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    return api<Page<InboxItem>>(`/tasks?${q.toString()}`);
  };
  useEffect(() => {
    let live = true;
    load().then(
      (page) => {
        if (!live) return;
        setPages([page]);
        setError(undefined);
        setLoading(false);
        // Forget selections of tasks that left.
        setSelected((s) => new Set([...s].filter((id) => page.items.some((i) => i.id === id))));
      },
      (err: unknown) => live && (setError(err), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [version]);

  const items = pages.flatMap((p) => p.items);
  const next = pages.at(-1)?.nextCursor;
  const toggle = (id: string) =>
    setSelected((s) => {
      const copy = new Set(s);
      if (copy.has(id)) copy.delete(id);
      else copy.add(id);
      return copy;
    });
  const approveSelected = async () => {
    setBusy(true);
    try {
      const result = await api<BulkResult>('/tasks/bulk-decision', {
        method: 'POST',
        body: { taskIds: [...selected], action: 'approve' },
        idempotencyKey: newKey(),
      });
      setBulk(result);
      const ok = result.results.filter((r) => r.status === 200).length;
      onDone(t('inbox.bulkDone', { ok, failed: result.results.length - ok }));
      setSelected(new Set());
      setPages([await load()]);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (loading) return <p class="muted">{t('common.loading')}</p>;
  return (
    <section>
      <Problem error={error} />
      {tab === 'open' && items.length > 0 && (
        <div class="bulk-bar">
          <label class="check">
            <input
              type="checkbox"
              aria-label={t('inbox.selectAll')}
              checked={selected.size > 0 && selected.size === items.length}
              onChange={(e) => setSelected(e.currentTarget.checked ? new Set(items.map((i) => i.id)) : new Set())}
            />
            {t('inbox.selectAll')}
          </label>
          <button class="primary" disabled={selected.size === 0 || busy} onClick={() => void approveSelected()}>
            {t('inbox.bulkApprove', { n: selected.size })}
          </button>
        </div>
      )}
      {bulk && (
        <ul class="bulk-results" aria-label="bulk results">
          {bulk.results.map((r) => (
            <li key={r.taskId} class={r.status === 200 ? 'ok' : 'refused'} data-task={r.taskId}>
              <span class="mono small">{r.taskId}</span>{' '}
              {r.status === 200 ? t('decision.approve') : <Problem error={bulkProblem(r)} />}
            </li>
          ))}
        </ul>
      )}
      {items.length === 0 ? (
        <p class="empty">{t('inbox.empty')}</p>
      ) : (
        <ul class="items">
          {items.map((item) => (
            <li key={item.id} class={`item ${item.overdue && tab === 'open' ? 'is-overdue' : ''}`} data-task={item.id}>
              {tab === 'open' && (
                <input
                  type="checkbox"
                  aria-label={item.request.title}
                  checked={selected.has(item.id)}
                  onChange={() => toggle(item.id)}
                />
              )}
              <a class="item-main" href={href(['tasks', item.id])}>
                <span class="item-title">{item.request.title}</span>
                <span class="item-step">
                  {item.name}
                  <span class="muted"> · {orgName(orgs, item.request.orgCode)}</span>
                  <span class="muted small"> · {processName(processes, item.request.processKey)}</span>
                </span>
                <span class="item-meta">
                  {tab === 'open' ? (
                    <DueBadge task={item} />
                  ) : (
                    <span class="muted small">
                      {t('inbox.decided', {
                        decision: item.decision ? t(`decision.${item.decision}` as 'decision.approve') : '',
                        at: fmtInstant(item.closedAt ?? null),
                      })}
                    </span>
                  )}
                  {item.request.conferenceDate && (
                    <span class="muted small">
                      {t('inbox.conference', { date: fmtDate(item.request.conferenceDate) })}
                    </span>
                  )}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button onClick={() => void load(next).then((p) => setPages((ps) => [...ps, p]), setError)}>
          {t('inbox.more')}
        </button>
      )}
    </section>
  );
}

const bulkProblem = (r: { status: number; code?: string; detail?: string }) =>
  new ApiError(r.status, r.code ?? 'INTERNAL', r.detail ?? '');

function RequestList({ scope, version }: { scope: 'cc' | 'started'; version: number }) {
  const orgs = useOrgs();
  const processes = useProcesses();
  const list = useAsync(
    (signal) => api<Page<RequestSummary>>(`/requests?scope=${scope}&limit=50`, { signal }),
    [scope, version],
  );
  return (
    <Loading when={list}>
      {list.data && list.data.items.length === 0 && <p class="empty">{t('inbox.empty')}</p>}
      <ul class="items">
        {list.data?.items.map((r) => (
          <li key={r.id} class="item" data-request={r.id}>
            <a class="item-main" href={href(['requests', r.id])}>
              <span class="item-title">{r.title}</span>
              <span class="item-step">
                <span class="mono small">{r.id}</span>
                <span class="muted"> · {orgName(orgs, r.orgCode)}</span>
                <span class="muted small"> · {processName(processes, r.processKey)}</span>
              </span>
              <span class="item-meta">
                <span class={`badge ${r.status}`}>
                  {r.outcome ? t(`outcome.${r.outcome}`) : t(`status.${r.status}`)}
                </span>
                {r.conferenceDate && (
                  <span class="muted small">{t('inbox.conference', { date: fmtDate(r.conferenceDate) })}</span>
                )}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </Loading>
  );
}
