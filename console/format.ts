// Dates as officials read them: always Asia/Shanghai, whatever the browser's own time zone, and
// deadlines counted in statutory working days (the server counts them; this only words them).
import { currentLang, t } from './i18n';

const ZONE = 'Asia/Shanghai';
const formats = new Map<string, Intl.DateTimeFormat>();

function format(kind: 'instant' | 'date' | 'full' | 'time'): Intl.DateTimeFormat {
  const locale = currentLang() === 'zh' ? 'zh-CN' : 'en-GB';
  const key = `${locale}:${kind}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === 'instant'
        ? { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }
        : kind === 'date'
          ? { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }
          : kind === 'time'
            ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }
            : { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false };
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: ZONE });
    formats.set(key, f);
  }
  return f;
}

/** "11月24日 18:00": an instant in Asia/Shanghai. */
export const fmtInstant = (iso: string | null | undefined): string =>
  iso ? format('instant').format(new Date(iso)) : '';
/** "2026年11月24日 18:00". */
export const fmtFull = (iso: string | null | undefined): string => (iso ? format('full').format(new Date(iso)) : '');
/** "2026年11月27日周五": a calendar date (YYYY-MM-DD, already a Shanghai date). */
export const fmtDate = (date: string | null | undefined): string =>
  date ? format('date').format(new Date(`${date}T12:00:00+08:00`)) : '';

/** The working-day slack of an open task in words: 剩余 2 个工作日 / 今日到期 / 已逾期. */
export function slackText(task: { slackWorkingDays: number | null; overdue: boolean; dueAt: string | null }): string {
  if (!task.dueAt) return t('due.none');
  if (task.overdue) {
    const days = task.slackWorkingDays !== null && task.slackWorkingDays < 0 ? -task.slackWorkingDays : 0;
    return days > 0 ? t('due.overdueDays', { n: days }) : t('due.overdue');
  }
  if (task.slackWorkingDays === null) return t('due.at', { at: fmtInstant(task.dueAt) });
  return task.slackWorkingDays === 0 ? t('due.today') : t('due.left', { n: task.slackWorkingDays });
}

/** "1时23分" / "1h 23m": what is left of an hour clock. */
export function durationText(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${sign}${h}:${pad(m)}:${pad(s)}`;
}

export const shortHash = (sha256: string): string => `${sha256.slice(0, 12)}…`;

export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
