// 合规统计: release-frequency quotas per org and period — Liuzhou's "4·2·1+N" (L1), Huainan's
// "2·1+N" (U3), Huludao's quarterly department conferences (H8) — with what is held, planned and
// still required; an org drills down to its conferences.
import { api } from '../../api';
import { useOrgs } from '../../directory';
import { fmtDate } from '../../format';
import { t } from '../../i18n';
import { href, navigate } from '../../router';
import { Loading, useAsync } from '../../ui';
import { CityFilter, known, shanghaiToday } from './common';

type Status = 'met' | 'on-track' | 'behind' | 'at-risk' | 'missed';
interface ComplianceRow {
  orgCode: string;
  orgName: string;
  rule: string;
  note: string | null;
  window: [string, string];
  required: number;
  held: number;
  planned: number;
  workingDaysLeft: number;
  status: Status;
  conferences: Array<{ requestId: string; title: string; conferenceDate: string; state: string }>;
}
interface ComplianceReport {
  year: number;
  period: string;
  asOf: string;
  items: ComplianceRow[];
}

const PERIODS = ['year', 'H1', 'H2', 'Q1', 'Q2', 'Q3', 'Q4'] as const;
const STATUSES: Status[] = ['missed', 'at-risk', 'behind', 'on-track', 'met'];
const STATUS_CLASS: Record<Status, string> = {
  met: 'ok',
  'on-track': 'open',
  behind: 'soon',
  'at-risk': 'overdue',
  missed: 'overdue',
};

export function CompliancePage({ query }: { query: URLSearchParams }) {
  const today = shanghaiToday();
  const filters = {
    year: query.get('year') ?? today.slice(0, 4),
    period: query.get('period') ?? undefined,
    city: query.get('city') ?? undefined,
    orgCode: query.get('orgCode') ?? undefined,
    asOf: query.get('asOf') ?? undefined,
  };
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) qs.set(k, v);
  const report = useAsync(
    (signal) => api<ComplianceReport>(`/compliance?${qs.toString()}`, { signal }),
    [qs.toString()],
  );
  const orgs = useOrgs();
  const set = (name: string, value: string | undefined) =>
    navigate(['office', 'compliance'], {
      ...filters,
      [name]: value || undefined,
      ...(name === 'city' ? { orgCode: undefined } : {}),
    });
  const thisYear = Number(today.slice(0, 4));
  const items = report.data?.items ?? [];
  const drill = filters.orgCode;
  return (
    <main class="page office">
      <header class="page-head">
        {drill && (
          <a class="back" href={href(['office', 'compliance'], { ...filters, orgCode: undefined })}>
            ← {t('office.compliance.all')}
          </a>
        )}
        <h1>
          {drill
            ? t('office.compliance.titleOrg', { org: items[0]?.orgName ?? orgs.get(drill)?.name ?? drill })
            : t('office.compliance.title')}
        </h1>
        <p class="muted small">{t('office.compliance.hint')}</p>
      </header>
      <div class="filter-row office-filters card">
        <label>
          {t('office.compliance.year')}
          <select value={filters.year} onChange={(e) => set('year', e.currentTarget.value)}>
            {Array.from({ length: 5 }, (_, i) => thisYear + 1 - i).map((y) => (
              <option key={y} value={String(y)}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('office.compliance.period')}
          <select
            value={filters.period ?? 'year'}
            onChange={(e) => set('period', e.currentTarget.value === 'year' ? undefined : e.currentTarget.value)}
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`office.period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {!drill && <CityFilter orgs={orgs} value={filters.city} onChange={(city) => set('city', city)} />}
        <label>
          {t('office.compliance.asOf')}
          <input
            type="date"
            value={filters.asOf ?? ''}
            max="2100-12-31"
            onChange={(e) => set('asOf', e.currentTarget.value)}
          />
        </label>
      </div>
      <Loading when={report}>
        {report.data && (
          <>
            <p class="muted small" data-testid="compliance-as-of">
              {t('office.compliance.asOfText', {
                date: fmtDate(report.data.asOf),
                period: known(`office.period.${report.data.period}`, report.data.period),
              })}
            </p>
            <div class="badges status-summary" aria-label={t('office.compliance.summary')}>
              {STATUSES.map((s) => {
                const n = items.filter((i) => i.status === s).length;
                return n > 0 ? (
                  <span key={s} class={`badge ${STATUS_CLASS[s]}`}>
                    {t(`office.compliance.status.${s}`)} {n}
                  </span>
                ) : null;
              })}
            </div>
            {items.length === 0 ? (
              <p class="empty">{t('office.compliance.empty')}</p>
            ) : (
              <div class="table-wrap card flush">
                <table class="grid stack" data-testid="compliance-table">
                  <thead>
                    <tr>
                      <th>{t('office.compliance.org')}</th>
                      <th>{t('office.compliance.rule')}</th>
                      <th>{t('office.compliance.window')}</th>
                      <th class="num">{t('office.compliance.required')}</th>
                      <th class="num">{t('office.compliance.held')}</th>
                      <th class="num">{t('office.compliance.planned')}</th>
                      <th class="num">{t('office.compliance.left')}</th>
                      <th>{t('office.compliance.statusHead')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((row) => (
                      <Row
                        key={`${row.orgCode}:${row.rule}:${row.window[0]}`}
                        row={row}
                        filters={filters}
                        drill={Boolean(drill)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </Loading>
    </main>
  );
}

function Row({
  row,
  filters,
  drill,
}: {
  row: ComplianceRow;
  filters: Record<string, string | undefined>;
  drill: boolean;
}) {
  const cols = 8;
  return (
    <>
      <tr data-org={row.orgCode} data-status={row.status} class={`status-${row.status}`}>
        <td data-label={t('office.compliance.org')}>
          {drill ? (
            row.orgName
          ) : (
            <a href={href(['office', 'compliance'], { ...filters, orgCode: row.orgCode })}>{row.orgName}</a>
          )}
          {!drill && row.conferences.length > 0 && (
            <div class="muted small">{t('office.compliance.conferenceCount', { n: row.conferences.length })}</div>
          )}
        </td>
        <td data-label={t('office.compliance.rule')}>
          <span class="badge rule">{row.rule}</span>
          {row.note && <div class="muted small">{row.note}</div>}
        </td>
        <td data-label={t('office.compliance.window')} class="nowrap">
          {row.window[0]} ~ {row.window[1]}
        </td>
        <td data-label={t('office.compliance.required')} class="num">
          {row.required}
        </td>
        <td data-label={t('office.compliance.held')} class="num">
          {row.held}
        </td>
        <td data-label={t('office.compliance.planned')} class="num">
          {row.planned}
        </td>
        <td data-label={t('office.compliance.left')} class="num">
          {row.workingDaysLeft}
        </td>
        <td data-label={t('office.compliance.statusHead')}>
          <span class={`badge ${STATUS_CLASS[row.status]}`} title={t(`office.compliance.statusHint.${row.status}`)}>
            {t(`office.compliance.status.${row.status}`)}
          </span>
        </td>
      </tr>
      {drill && (
        <tr class="conferences-row">
          <td colSpan={cols}>
            {row.conferences.length === 0 ? (
              <span class="muted small">{t('office.compliance.noConferences')}</span>
            ) : (
              <ul class="plain">
                {row.conferences.map((c) => (
                  <li key={c.requestId}>
                    <a href={href(['requests', c.requestId])}>{c.title}</a>
                    <span class="muted small">
                      {' '}
                      · {fmtDate(c.conferenceDate)} · {known(`office.compliance.state.${c.state}`, c.state)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
