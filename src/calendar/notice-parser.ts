import { addDays, isIsoDate, weekday, type IsoDate } from './working-days.js';

/**
 * Reads the plain text of the State Council's yearly notice (国务院办公厅关于XXXX年部分节假日安排的通知)
 * into holidays and make-up workdays (调休 上班). Pure: no I/O, dates computed in UTC by working-days.ts.
 * A wrong calendar silently shifts every statutory deadline, so the parser cross-checks the notice
 * against itself (counts, weekdays, weekend 上班 days) and refuses it with every problem found.
 */

export interface NoticeDay {
  date: IsoDate;
  /** The item's festival label, e.g. '春节' or '国庆节、中秋节'. */
  name: string;
  /** 1-based line of the notice the day came from. */
  line: number;
}

export interface ParsedNotice {
  year: number;
  title: string;
  holidays: NoticeDay[];
  workdays: NoticeDay[];
}

export interface NoticeProblem {
  line: number;
  text: string;
  message: string;
}

export class NoticeParseError extends Error {
  constructor(readonly problems: NoticeProblem[]) {
    super(
      `holiday notice refused, ${problems.length} problem(s):\n` +
        problems.map((p) => `  line ${p.line}: ${p.message} — ${p.text}`).join('\n'),
    );
    this.name = 'NoticeParseError';
  }
}

const TITLE = /关于(\d{4})年部分节假日安排的通知/;
const ITEM = /^[一二三四五六七八九十]+、/;
const ITEM_HEAD = /^[一二三四五六七八九十]+、([^：:]+)[：:](.*)$/;
// Year and month are optional: an omitted part is inherited from the previous date of the sentence.
const DATE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:[（(]([^）)]*)[）)])?/g;
const WEEKDAY = /^(?:星期|周)([日天一二三四五六])$/;
const WEEKDAY_NAMES = '日一二三四五六';
const COUNT = /(?:共|放假)(\d+)天/;

type Kind = 'holiday' | 'workday';

export function parseHolidayNotice(text: string): ParsedNotice {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: NoticeProblem[] = [];
  const firstLine = lines.findIndex((l) => l.trim() !== '');
  const titleIndex = firstLine < 0 ? 0 : firstLine; // the title is the first non-blank line
  const title = (lines[titleIndex] ?? '').trim();
  const titleMatch = TITLE.exec(title);
  if (!titleMatch) {
    // Without the year no date can be resolved, so nothing else is worth checking.
    throw new NoticeParseError([
      {
        line: titleIndex + 1,
        text: title,
        message: 'title must name the year: 国务院办公厅关于YYYY年部分节假日安排的通知',
      },
    ]);
  }
  const year = Number(titleMatch[1]);
  const seen = new Map<IsoDate, { kind: Kind; line: number }>();
  const days: Record<Kind, NoticeDay[]> = { holiday: [], workday: [] };
  let items = 0;

  lines.forEach((raw, index) => {
    const lineText = raw.trim();
    if (!ITEM.test(lineText)) return;
    items++;
    const line = index + 1;
    const problem = (message: string) => problems.push({ line, text: lineText, message });
    const head = ITEM_HEAD.exec(lineText);
    if (!head) return problem('item has no festival name followed by ：');
    const name = head[1].trim();
    let found = 0;

    for (const sentence of head[2].split('。')) {
      let y = year;
      let month: number | undefined;
      let stated: number | undefined;
      let offDays = 0;
      let unreadable = false; // a clause already reported: its days are unknown, so a count check would only echo it

      for (const clause of sentence.split(/[，；,;]/)) {
        const mentions = [...clause.matchAll(DATE)];
        const dates: IsoDate[] = [];
        for (const m of mentions) {
          const written = m[0].replace(/[（(].*$/, '');
          y = m[1] ? Number(m[1]) : y;
          month = m[2] ? Number(m[2]) : month;
          if (month === undefined) {
            problem(`${written} has no month`);
            continue;
          }
          const date = `${y}-${String(month).padStart(2, '0')}-${m[3].padStart(2, '0')}`;
          if (!isIsoDate(date)) {
            problem(`${written} is not a real date in ${y}`);
            continue;
          }
          // Only December of the year before may appear (the 2023 notice: 2022年12月31日至2023年1月2日).
          if (y !== year && !(y === year - 1 && month === 12)) {
            problem(`${written} (${date}) is not in ${year}`);
            continue;
          }
          // The parentheses may also hold 农历 text: 农历除夕、周二.
          const claimed = m[4]
            ?.split('、')
            .map((s) => WEEKDAY.exec(s.trim())?.[1])
            .find(Boolean);
          const actual = WEEKDAY_NAMES[weekday(date)];
          if (claimed && claimed.replace('天', '日') !== actual) {
            problem(`${written} (${date}) is a 周${actual}, not 周${claimed}`);
          }
          dates.push(date);
        }
        found += mentions.length;

        const count = COUNT.exec(clause);
        if (count) stated = Number(count[1]);
        if (dates.length < mentions.length) {
          unreadable = true; // a bad date, already reported
          continue;
        }
        let expanded = dates;
        if (clause.includes('至')) {
          if (dates.length !== 2) {
            problem(`cannot read the range "${clause}"`);
            unreadable = true;
            continue;
          }
          expanded = [];
          for (let d = dates[0]; d <= dates[1]; d = addDays(d, 1)) expanded.push(d);
          if (expanded.length === 0) {
            problem(`range ${dates[0]} … ${dates[1]} ends before it starts`);
            unreadable = true;
          }
        }
        const kind: Kind | undefined = clause.includes('上班')
          ? 'workday'
          : /放假|补休/.test(clause)
            ? 'holiday'
            : undefined;
        if (!kind) {
          // Clauses such as 与周末连休 or 不调休 carry no dates; a date here would be lost.
          if (expanded.length > 0) {
            problem(`cannot tell whether ${expanded.join(', ')} is 放假, 补休 or 上班`);
            unreadable = true;
          }
          continue;
        }
        // 补休 days are off in lieu of the holiday, outside the 共N天 it states.
        if (kind === 'holiday' && clause.includes('放假')) offDays += expanded.length;

        for (const date of expanded) {
          if (kind === 'workday' && weekday(date) !== 0 && weekday(date) !== 6) {
            problem(`上班 day ${date} is a 周${WEEKDAY_NAMES[weekday(date)]}, not a Saturday or Sunday`);
          }
          const earlier = seen.get(date);
          if (earlier) {
            problem(
              earlier.kind === kind
                ? `${date} is listed twice (also line ${earlier.line})`
                : `${date} is both a holiday and a workday (also line ${earlier.line})`,
            );
            continue;
          }
          seen.set(date, { kind, line });
          days[kind].push({ date, name, line });
        }
      }
      if (stated !== undefined && stated !== offDays && !unreadable)
        problem(`states 共${stated}天 but its dates give ${offDays} days`);
    }
    if (found === 0) problem('no date found in this item');
  });

  if (items === 0) problems.push({ line: titleIndex + 1, text: title, message: 'no items (一、…：) found' });
  if (problems.length > 0) throw new NoticeParseError(problems);
  const byDate = (a: NoticeDay, b: NoticeDay) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  return { year, title, holidays: days.holiday.sort(byDate), workdays: days.workday.sort(byDate) };
}
