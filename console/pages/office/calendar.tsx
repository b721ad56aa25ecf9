// 工作日历: a year's holidays and make-up workdays (调休) on twelve month grids, and the import of a
// year from the State Council's notice: paste it, read the parsed days, then confirm. Every
// working-day deadline (H1, H3, L3, N6…) is counted on this calendar; a year not loaded yet counts
// Monday to Friday and marks its deadlines provisional.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../../api';
import { userName, useUsers } from '../../directory';
import { fmtFull } from '../../format';
import { currentLang, problemText, t } from '../../i18n';
import { href, navigate } from '../../router';
import { session } from '../../session';
import { Field, Problem, useAsync, useAttempt } from '../../ui';
import { known, listText, shanghaiToday } from './common';

interface Day {
  date: string;
  name: string;
}
type Source = 'bundled' | 'notice' | 'manual';

interface YearView {
  year: number;
  source: Source;
  title: string | null;
  loadedBy: string | null;
  loadedAt: string;
  holidays: Day[];
  workdays: Day[];
  workingDays: number;
}

/** POST /api/calendar/notice (ImportResultSchema in src/calendar/calendar.schemas.ts). */
interface ImportResult {
  year: number;
  stored: boolean;
  holidays: Day[];
  workdays: Day[];
  replaces: Source | null;
  added: string[];
  removed: string[];
  skipped: string[];
  replanned: string[];
}

const shortFormats = new Map<string, Intl.DateTimeFormat>();
/** "2月14日周六" (or "2月14日" without the weekday): a day of a year already named on the page. */
function shortDate(date: string, weekday = true): string {
  const locale = currentLang() === 'zh' ? 'zh-CN' : 'en-GB';
  const key = `${locale}:${weekday}`;
  let f = shortFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      month: 'short',
      day: 'numeric',
      ...(weekday ? { weekday: 'short' } : {}),
      timeZone: 'Asia/Shanghai',
    });
    shortFormats.set(key, f);
  }
  return f.format(new Date(`${date}T12:00:00+08:00`));
}

export function CalendarPage({ query }: { query: URLSearchParams }) {
  const thisYear = Number(shanghaiToday().slice(0, 4));
  const year = Number(query.get('year')) || thisYear;
  const [tick, setTick] = useState(0);
  const [stored, setStored] = useState<ImportResult>();
  const view = useAsync((signal) => api<YearView>(`/calendar/${year}`, { signal }), [year, tick]);
  const notLoaded = view.error instanceof ApiError && view.error.code === 'CALENDAR_YEAR_NOT_LOADED';
  const go = (y: number) => navigate(['office', 'calendar'], { year: y === thisYear ? undefined : String(y) });
  return (
    // Only an administrator can load the year, so only for them does the import come first.
    <main class={`page office calendar ${notLoaded && session.user()?.isAdmin ? 'not-loaded' : ''}`}>
      <header class="page-head calendar-head">
        <h1>{t('office.calendar.title', { year })}</h1>
        <nav class="year-switch" aria-label={t('office.calendar.switch')}>
          <button onClick={() => go(year - 1)} aria-label={t('office.calendar.prev', { year: year - 1 })}>
            ‹ {year - 1}
          </button>
          {year !== thisYear && <button onClick={() => go(thisYear)}>{t('office.calendar.thisYear')}</button>}
          <button onClick={() => go(year + 1)} aria-label={t('office.calendar.next', { year: year + 1 })}>
            {year + 1} ›
          </button>
        </nav>
      </header>
      {stored && <StoredNote result={stored} />}
      {view.loading && !view.data && !view.error && <p class="muted">{t('common.loading')}</p>}
      {notLoaded && (
        <p class="warn" data-testid="calendar-not-loaded">
          <strong>{problemText('CALENDAR_YEAR_NOT_LOADED')}</strong> {t('office.calendar.notLoadedHint')}
        </p>
      )}
      {view.error !== undefined && !notLoaded && <Problem error={view.error} />}
      {view.data && view.data.year === year && <YearFacts view={view.data} />}
      {(view.data?.year === year || notLoaded) && (
        <YearGrid
          year={year}
          holidays={view.data?.year === year ? view.data.holidays : []}
          workdays={view.data?.year === year ? view.data.workdays : []}
        />
      )}
      <NoticeImport
        onStored={(result) => {
          setStored(result);
          scrollTo({ top: 0 });
          if (result.year === year) setTick((n) => n + 1);
          else go(result.year);
        }}
      />
    </main>
  );
}

function YearFacts({ view }: { view: YearView }) {
  const users = useUsers();
  return (
    <section class="card">
      <dl class="facts">
        <dt>{t('office.calendar.source')}</dt>
        <dd>
          {known(`office.calendar.source.${view.source}`, view.source)}
          {view.title && <span class="muted small"> · {view.title}</span>}
        </dd>
        <dt>{t('office.calendar.loaded')}</dt>
        <dd>
          {fmtFull(view.loadedAt)}
          {view.loadedBy && <span class="muted"> · {userName(users, view.loadedBy)}</span>}
        </dd>
        <dt>{t('office.calendar.workingDays')}</dt>
        <dd>{t('office.calendar.days', { n: view.workingDays })}</dd>
      </dl>
      <Festivals holidays={view.holidays} workdays={view.workdays} />
    </section>
  );
}

/** Holidays and make-up workdays grouped by festival, in the order they fall. */
function Festivals({ holidays, workdays }: { holidays: Day[]; workdays: Day[] }) {
  // In the order the days off fall: a make-up workday may come weeks before its festival.
  const earliest = (days: Day[], name: string) =>
    days
      .filter((d) => d.name === name)
      .map((d) => d.date)
      .sort()[0];
  const firstDay = (name: string) => earliest(holidays, name) ?? earliest(workdays, name) ?? '';
  const names = [...new Set([...holidays, ...workdays].map((d) => d.name))].sort((a, b) =>
    firstDay(a).localeCompare(firstDay(b)),
  );
  if (names.length === 0) return <p class="muted">{t('office.calendar.noDays')}</p>;
  const span = (days: Day[]) => {
    if (days.length === 0) return '—';
    const first = days[0]!.date;
    const last = days.at(-1)!.date;
    const range = first === last ? shortDate(first) : `${shortDate(first, false)} – ${shortDate(last, false)}`;
    return t('office.calendar.span', { range, n: days.length });
  };
  return (
    <div class="table-wrap">
      <table class="grid festivals">
        <thead>
          <tr>
            <th>{t('office.calendar.festival')}</th>
            <th>{t('office.calendar.off')}</th>
            <th>{t('office.calendar.makeUp')}</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const off = holidays.filter((d) => d.name === name).sort((a, b) => a.date.localeCompare(b.date));
            const on = workdays.filter((d) => d.name === name).sort((a, b) => a.date.localeCompare(b.date));
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{span(off)}</td>
                <td>{on.length > 0 ? listText(on.map((d) => shortDate(d.date))) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

function YearGrid({ year, holidays, workdays }: { year: number; holidays: Day[]; workdays: Day[] }) {
  const off = new Map(holidays.map((d) => [d.date, d.name]));
  const on = new Map(workdays.map((d) => [d.date, d.name]));
  const today = shanghaiToday();
  return (
    <section class="card year-grid">
      <div class="calendar-legend muted small" aria-hidden="true">
        <span class="day-swatch holiday">{t('office.calendar.offMark')}</span> {t('office.calendar.holiday')}
        <span class="day-swatch workday">{t('office.calendar.workMark')}</span> {t('office.calendar.workday')}
        <span class="day-swatch weekend" /> {t('office.calendar.weekend')}
      </div>
      <div class="months" data-testid="calendar-months">
        {Array.from({ length: 12 }, (_, i) => (
          <Month key={i} year={year} month={i + 1} off={off} on={on} today={today} />
        ))}
      </div>
    </section>
  );
}

function Month({
  year,
  month,
  off,
  on,
  today,
}: {
  year: number;
  month: number;
  off: Map<string, string>;
  on: Map<string, string>;
  today: string;
}) {
  // Weeks start on Monday, as Chinese wall calendars and the notices count them.
  const lead = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
  const length = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const cells: Array<number | null> = [...Array<null>(lead).fill(null), ...Array.from({ length }, (_, i) => i + 1)];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7));
  const monthName = known(`office.month.${month}`, String(month));
  return (
    <table class="month" aria-label={monthName}>
      <caption>{monthName}</caption>
      <thead>
        <tr>
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <th key={d} scope="col">
              {known(`office.weekday.${d}`, String(d))}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week, w) => (
          <tr key={w}>
            {week.map((day, i) => {
              if (day === null) return <td key={i} />;
              const date = `${year}-${pad(month)}-${pad(day)}`;
              const holiday = off.get(date);
              const workday = on.get(date);
              const kind = holiday ? 'holiday' : workday ? 'workday' : i >= 5 ? 'weekend' : '';
              const label = holiday
                ? `${holiday} · ${t('office.calendar.holiday')}`
                : workday
                  ? `${workday} · ${t('office.calendar.workday')}`
                  : undefined;
              return (
                <td key={i} class={`day ${kind} ${date === today ? 'today' : ''}`} title={label} data-date={date}>
                  <span class="num">{day}</span>
                  {holiday && <span class="mark">{t('office.calendar.offMark')}</span>}
                  {workday && <span class="mark">{t('office.calendar.workMark')}</span>}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Paste → preview (a dry run, nothing stored) → confirm (the same text, stored). Administrators only. */
function NoticeImport({ onStored }: { onStored: (result: ImportResult) => void }) {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<ImportResult>();
  const { busy, error, attempt } = useAttempt();
  const admin = session.user()?.isAdmin ?? false;
  const post = async (confirm: boolean) => {
    await attempt(async () => {
      const result = await api<ImportResult>('/calendar/notice', { method: 'POST', body: { text, confirm } });
      if (confirm) {
        setPreview(undefined);
        setText('');
        onStored(result);
      } else {
        setPreview(result);
      }
    });
  };
  return (
    <section class="card notice-import" aria-labelledby="notice-import-title">
      <h2 id="notice-import-title">{t('office.notice.title')}</h2>
      <p class="muted small">{t('office.notice.hint')}</p>
      {!admin && <p class="warn small">{t('office.notice.adminOnly')}</p>}
      <form
        class="action-form"
        onSubmit={(e) => {
          e.preventDefault();
          void post(false);
        }}
      >
        <Field label={t('office.notice.text')}>
          <textarea
            rows={8}
            value={text}
            placeholder={t('office.notice.placeholder')}
            data-testid="notice-text"
            onInput={(e) => {
              setText(e.currentTarget.value);
              // The preview describes the text it was made from: an edit makes it stale.
              setPreview(undefined);
            }}
          />
        </Field>
        <div class="form-buttons">
          <button type="submit" class={preview ? '' : 'primary'} disabled={busy || text.trim().length === 0}>
            {t('office.notice.preview')}
          </button>
        </div>
      </form>
      <Problem error={error} />
      {preview && (
        <NoticePreview
          result={preview}
          busy={busy}
          onConfirm={() => void post(true)}
          onCancel={() => setPreview(undefined)}
        />
      )}
    </section>
  );
}

/** What a confirmed import stored, shown at the top of the page it reloads. */
function StoredNote({ result: stored }: { result: ImportResult }) {
  return (
    <div class="ok-note" data-testid="notice-stored">
      {t('office.notice.stored', {
        year: stored.year,
        holidays: stored.holidays.length,
        workdays: stored.workdays.length,
      })}
      {stored.skipped.length > 0 && (
        <div>
          {t('office.notice.skipped')}
          <ChangedList items={stored.skipped} />
          <span class="small">{t('office.notice.skippedHint')}</span>
        </div>
      )}
      {stored.replanned.length > 0 && (
        <>
          {' '}
          {t('office.notice.replannedDone', { n: stored.replanned.length })}
          <ChangedList items={stored.replanned} tasks />
        </>
      )}
    </div>
  );
}

function NoticePreview({
  result,
  busy,
  onConfirm,
  onCancel,
}: {
  result: ImportResult;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <section
      class="notice-preview"
      role="region"
      aria-label={t('office.notice.previewTitle', { year: result.year })}
      data-testid="notice-preview"
    >
      <h3>{t('office.notice.previewTitle', { year: result.year })}</h3>
      <p class="muted small">{t('office.notice.notStored')}</p>
      <dl class="facts">
        <dt>{t('office.notice.year')}</dt>
        <dd data-testid="notice-year">{result.year}</dd>
        <dt>{t('office.calendar.holiday')}</dt>
        <dd data-testid="notice-holidays">{t('office.calendar.days', { n: result.holidays.length })}</dd>
        <dt>{t('office.calendar.workday')}</dt>
        <dd data-testid="notice-workdays">{t('office.calendar.days', { n: result.workdays.length })}</dd>
        <dt>{t('office.notice.replaces')}</dt>
        <dd>
          {result.replaces
            ? known(`office.calendar.source.${result.replaces}`, result.replaces)
            : t('office.notice.replacesNothing')}
        </dd>
      </dl>
      <Festivals holidays={result.holidays} workdays={result.workdays} />
      <div class="changes">
        <Changes label={t('office.notice.added')} items={result.added} testid="notice-added" />
        <Changes label={t('office.notice.removed')} items={result.removed} testid="notice-removed" />
        {result.skipped.length > 0 && (
          <Changes
            label={t('office.notice.skipped')}
            items={result.skipped}
            testid="notice-skipped"
            hint={t('office.notice.skippedHint')}
          />
        )}
        {result.replanned.length > 0 && (
          <div data-testid="notice-replanned">
            <strong>{t('office.notice.replanned')}</strong>
            <ChangedList items={result.replanned} tasks />
          </div>
        )}
      </div>
      <div class="form-buttons">
        <button class="primary" disabled={busy} onClick={onConfirm} data-testid="notice-confirm">
          {t('office.notice.confirm', { year: result.year })}
        </button>
        <button disabled={busy} onClick={onCancel}>
          {t('action.cancel')}
        </button>
      </div>
    </section>
  );
}

function Changes({ label, items, testid, hint }: { label: string; items: string[]; testid: string; hint?: string }) {
  return (
    <div data-testid={testid}>
      <strong>{label}</strong>
      {items.length === 0 ? <span class="muted"> {t('common.none')}</span> : <ChangedList items={items} />}
      {hint && items.length > 0 && <div class="muted small">{hint}</div>}
    </div>
  );
}

/** Days ("2027-02-06 workday", as added/removed name them, or a bare date), or task ids (replanned). */
function ChangedList({ items, tasks = false }: { items: string[]; tasks?: boolean }) {
  return (
    <ul class="chips">
      {items.map((item) => (
        <li key={item}>
          {tasks ? (
            <a class="mono small" href={href(['tasks', item])}>
              {item}
            </a>
          ) : (
            dayText(item)
          )}
        </li>
      ))}
    </ul>
  );
}

function dayText(item: string): string {
  const [date = '', kind] = item.split(' ');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return item;
  const day = `${date.slice(0, 4)} ${shortDate(date)}`;
  return kind ? `${day} · ${known(`office.calendar.${kind}`, kind)}` : day;
}
