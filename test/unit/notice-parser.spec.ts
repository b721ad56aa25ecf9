import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { NoticeParseError, parseHolidayNotice, type NoticeProblem } from '../../src/calendar/notice-parser.js';

/*
 * The two notices as published (test/fixtures/holiday-notices/). Each self-check test edits ONE line of
 * a real notice, so the problem must name that line.
 */
const notice = (year: number) => readFileSync(`test/fixtures/holiday-notices/${year}.txt`, 'utf8');
const NOTICE_2017 = notice(2017);
const NOTICE_2025 = notice(2025);

/** The expectation is the bundled reference data, not anything the parser produced. */
const bundled = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('chinese-days/dist/chinese-days.json'), 'utf8'),
) as { holidays: Record<string, string>; workdays: Record<string, string> };
const bundledDates = (map: Record<string, string>, year: number) =>
  Object.keys(map)
    .filter((d) => d.startsWith(`${year}-`))
    .sort();

/** Replaces `from` by `to` in the 1-based `line` of `notice`; returns the new notice and the edited line. */
function editLine(notice: string, line: number, from: string, to: string): { text: string; edited: string } {
  const lines = notice.split('\n');
  expect(lines[line - 1]).toContain(from);
  lines[line - 1] = lines[line - 1].replace(from, to);
  return { text: lines.join('\n'), edited: lines[line - 1] };
}

function problemsOf(text: string): NoticeProblem[] {
  try {
    parseHolidayNotice(text);
  } catch (e) {
    if (e instanceof NoticeParseError) return e.problems;
    throw e;
  }
  throw new Error('expected a NoticeParseError');
}

describe(parseHolidayNotice.name, () => {
  it.each([
    [2017, NOTICE_2017],
    [2025, NOTICE_2025],
  ])('yields exactly the bundled chinese-days dates of %i when given that notice', (year, notice) => {
    const parsed = parseHolidayNotice(notice);
    expect(parsed.holidays.map((d) => d.date)).toEqual(bundledDates(bundled.holidays, year));
    expect(parsed.workdays.map((d) => d.date)).toEqual(bundledDates(bundled.workdays, year));
  });

  it('reads the year and title when the title line names them', () => {
    const parsed = parseHolidayNotice(NOTICE_2025);
    expect(parsed.year).toBe(2025);
    expect(parsed.title).toBe('国务院办公厅关于2025年部分节假日安排的通知');
  });

  it('labels every day with the merged festival and its line when an item names two festivals', () => {
    const parsed = parseHolidayNotice(NOTICE_2025);
    const name = '国庆节、中秋节';
    expect(parsed.holidays.filter((d) => d.name === name)).toEqual(
      ['01', '02', '03', '04', '05', '06', '07', '08'].map((day) => ({ date: `2025-10-${day}`, name, line: 12 })),
    );
    expect(parsed.workdays.filter((d) => d.name === name)).toEqual([
      { date: '2025-09-28', name, line: 12 },
      { date: '2025-10-11', name, line: 12 },
    ]);
  });

  it('gives both the holiday and the weekday off when a 补休 day follows', () => {
    const parsed = parseHolidayNotice(NOTICE_2017);
    expect(parsed.holidays.filter((d) => d.line === 6)).toEqual([
      { date: '2017-01-01', name: '元旦', line: 6 },
      { date: '2017-01-02', name: '元旦', line: 6 },
    ]);
  });

  it('lists only the named day, not the adjoining weekend, when the notice says 与周末连休', () => {
    const parsed = parseHolidayNotice(NOTICE_2017);
    expect(parsed.holidays.filter((d) => d.line === 9)).toEqual([{ date: '2017-05-01', name: '劳动节', line: 9 }]);
  });

  it('adds no make-up workday when the notice says 不调休', () => {
    const parsed = parseHolidayNotice(NOTICE_2025);
    expect(parsed.holidays.filter((d) => d.line === 7)).toEqual([{ date: '2025-01-01', name: '元旦', line: 7 }]);
    expect(parsed.workdays.filter((d) => d.line === 7)).toEqual([]);
  });

  it('expands a range when it crosses a month or its end omits the month', () => {
    const parsed = parseHolidayNotice(NOTICE_2025);
    const datesOfLine = (line: number) => parsed.holidays.filter((d) => d.line === line).map((d) => d.date);
    expect(datesOfLine(8)).toEqual(
      ['01-28', '01-29', '01-30', '01-31', '02-01', '02-02', '02-03', '02-04'].map((d) => `2025-${d}`),
    );
    expect(datesOfLine(9)).toEqual(['2025-04-04', '2025-04-05', '2025-04-06']);
    expect(datesOfLine(11)).toEqual(['2025-05-31', '2025-06-01', '2025-06-02']);
  });

  it('reads 周天 as Sunday when the weekday is written that way', () => {
    const { text } = editLine(NOTICE_2025, 9, '6日（周日）', '6日（周天）');
    expect(parseHolidayNotice(text).holidays).toHaveLength(28);
  });

  it('accepts December of the previous year when the year is written out, as in the 2023 notice', () => {
    const parsed = parseHolidayNotice(
      ['国务院办公厅关于2023年部分节假日安排的通知', '一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。'].join(
        '\n',
      ),
    );
    expect(parsed.holidays.map((d) => d.date)).toEqual(['2022-12-31', '2023-01-01', '2023-01-02']);
    expect(parsed.holidays.every((d) => bundled.holidays[d.date] !== undefined)).toBe(true);
  });

  describe('self-checks', () => {
    it.each([
      ['a stated count differs from the range', NOTICE_2025, 12, '共8天', '共7天', /共7天.* 8 days/],
      [
        'a stated weekday is wrong',
        NOTICE_2025,
        12,
        '10月1日（周三）',
        '10月1日（周四）',
        /2025-10-01.*周三, not 周四/,
      ],
      [
        'a 上班 day falls on a weekday',
        NOTICE_2025,
        12,
        '10月11日（周六）',
        '10月10日（周五）',
        /上班 day 2025-10-10 is a 周五/,
      ],
      ['a date does not exist', NOTICE_2017, 6, '1月2日（星期一）', '1月32日（星期一）', /1月32日 is not a real date/],
      ['a date lies outside the notice year', NOTICE_2025, 7, '1月1日（周三）', '2026年1月1日（周四）', /not in 2025/],
      [
        'a range ends before it starts',
        NOTICE_2025,
        9,
        '4月4日（周五）至6日（周日）',
        '4月6日（周日）至4日（周五）',
        /range 2025-04-06 … 2025-04-04 ends before it starts/,
      ],
      [
        'a date is both a holiday and a workday',
        NOTICE_2017,
        8,
        '4月1日（星期六）',
        '4月2日（星期日）',
        /2017-04-02 is both a holiday and a workday/,
      ],
      ['a date is listed twice', NOTICE_2017, 9, '5月1日', '4月4日', /2017-04-04 is listed twice \(also line 8\)/],
      [
        'an item has no date',
        NOTICE_2025,
        10,
        '5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。',
        '放假调休。',
        /no date found/,
      ],
      ['an item has no festival name and ：', NOTICE_2025, 10, '劳动节：', '劳动节', /no festival name/],
      ['a date is neither 放假, 补休 nor 上班', NOTICE_2017, 9, '放假', '另行安排', /cannot tell whether 2017-05-01/],
      [
        'a range has a single end',
        NOTICE_2025,
        9,
        '4月4日（周五）至6日（周日）',
        '4月4日（周五）至清明',
        /cannot read the range/,
      ],
    ])('reports the edited line when %s', (_case, notice, line, from, to, message) => {
      const { text, edited } = editLine(notice, line, from, to);
      expect(problemsOf(text)).toEqual([{ line, text: edited, message: expect.stringMatching(message) }]);
    });

    it('reports line 1 when the title names no year', () => {
      const { text, edited } = editLine(NOTICE_2025, 1, '2025年', '');
      expect(problemsOf(text)).toEqual([
        { line: 1, text: edited, message: expect.stringMatching(/title must name the year/) },
      ]);
    });

    it('reports every problem, not just the first, when two lines are broken', () => {
      const first = editLine(NOTICE_2025, 8, '共8天', '共9天');
      const both = editLine(first.text, 10, '4月27日（周日）', '4月28日（周一）');
      const problems = problemsOf(both.text);
      expect(problems.map((p) => [p.line, p.text])).toEqual([
        [8, first.edited],
        [10, both.edited],
      ]);
      expect(problems[1].message).toMatch(/上班 day 2025-04-28/);
    });
  });
});
