// Pieces the office pages share: Beijing time for inputs, a ticking clock, cities, severities,
// rule badges and working-day rules in words.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Org } from '../../directory';
import { currentLang, type MessageKey, t } from '../../i18n';

// Asia/Shanghai keeps +08:00 all year (no daylight saving), so a fixed offset is exact.
const OFFSET_MS = 8 * 3600_000;

/** Today's date in Shanghai, YYYY-MM-DD. */
export const shanghaiToday = (): string => new Date(Date.now() + OFFSET_MS).toISOString().slice(0, 10);

/** A datetime-local value ("2026-12-01T09:00") read as Beijing time, as an ISO instant with its offset. */
export const localToInstant = (value: string): string => `${value.length === 16 ? `${value}:00` : value}+08:00`;

/** An instant as a datetime-local value in Beijing time. */
export const instantToLocal = (at: string | number): string =>
  new Date(new Date(at).getTime() + OFFSET_MS).toISOString().slice(0, 16);

/** The current time, re-read every `everyMs`: countdowns render from their deadline, not from a server poll. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Calls `fn` every `ms` while the tab is visible (a hidden tab asks the server nothing). */
export function useEvery(ms: number, fn: () => void): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) latest.current();
    }, ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** A message when the dictionary has one for this key, otherwise `fallback` (codes the server may add later). */
export function known(key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export const cityName = (city: string | null | undefined): string => (city ? known(`office.city.${city}`, city) : '');

/** The cities of the directory's orgs, in the order their names sort. */
export function citiesOf(orgs: Map<string, Org>): string[] {
  return [...new Set([...orgs.values()].map((o) => o.city))].sort((a, b) =>
    cityName(a).localeCompare(cityName(b), 'zh-CN'),
  );
}

/** The city filter of the office lists: every city of the directory, or all of them (empty). */
export function CityFilter({
  orgs,
  value,
  onChange,
}: {
  orgs: Map<string, Org>;
  value: string | undefined;
  onChange: (city: string) => void;
}) {
  return (
    <label>
      {t('office.compliance.city')}
      <select value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('inbox.all')}</option>
        {citiesOf(orgs).map((c) => (
          <option key={c} value={c}>
            {cityName(c)}
          </option>
        ))}
      </select>
    </label>
  );
}

export const SEVERITIES = ['general', 'major', 'especially-major'] as const;
export const severityName = (severity: string | null | undefined): string =>
  severity ? known(`office.severity.${severity}`, severity) : '';

export function RuleBadges({ rules }: { rules: string[] }) {
  return (
    <>
      {rules.map((rule) => (
        <span key={rule} class="badge rule" title={t('office.ruleHint')}>
          {rule}
        </span>
      ))}
    </>
  );
}

/** A schedule's calendar rule in words (N2, N3, L1, L2); a plain cron line is shown as written. */
export function recurrenceText(recurrence: string | null | undefined, cron: string | null | undefined): string {
  if (recurrence) {
    const yearly = /^yearly\s+(\d{2})-(\d{2})$/.exec(recurrence.trim());
    if (yearly) return t('office.recurrence.yearly', { month: Number(yearly[1]), day: Number(yearly[2]) });
    return known(`office.recurrence.${recurrence.trim()}`, recurrence);
  }
  return cron ? t('office.recurrence.cron', { cron }) : '';
}

/** Hours of a clock's window: "1 小时", "24 小时". */
export function hoursText(ms: number): string {
  const hours = ms / 3600_000;
  return t('office.hours', { n: Number.isInteger(hours) ? hours : hours.toFixed(1) });
}

/** Items as a list in words: 甲、乙 / A, B. */
export const listText = (items: string[]): string => items.join(currentLang() === 'zh' ? '、' : ', ');
