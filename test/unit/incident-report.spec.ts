import { buildReport, FIRST_RELEASE, type ReportClock, reportCsv } from '../../src/incidents/report.js';

const KNOWN = '2026-03-02T01:00:00.000Z';
const HOUR = 3_600_000;
const at = (ms: number) => new Date(Date.parse(KNOWN) + ms).toISOString();

function clock(over: Partial<ReportClock> & Pick<ReportClock, 'status'>): ReportClock {
  return {
    clockId: FIRST_RELEASE,
    name: '首次发布',
    startedAt: KNOWN,
    windowMs: HOUR,
    dueAt: at(HOUR),
    metAt: null,
    breachedAt: null,
    late: false,
    holders: [],
    unit: null,
    ...over,
  };
}

const incident = (id: string, severity: 'general' | 'major' | 'especially-major', clocks: ReportClock[]) => ({
  id,
  city: 'liuzhou',
  summary: `事件 ${id}`,
  severity,
  unit: 'lz-transport',
  knownAt: KNOWN,
  clocks,
});

const WINDOW = { city: 'liuzhou', from: '2026-03-01', to: '2026-03-31' };

describe(buildReport.name, () => {
  const report = buildReport(
    [
      incident('A', 'major', [clock({ status: 'met', metAt: at(40 * 60_000), unit: 'lz-transport' })]),
      incident('B', 'especially-major', [
        clock({
          status: 'breached',
          breachedAt: at(HOUR),
          metAt: at(90 * 60_000),
          late: true,
          holders: ['zengli'],
          unit: 'lz-health',
        }),
        clock({
          clockId: 'conference',
          name: '新闻发布会',
          status: 'breached',
          windowMs: 24 * HOUR,
          breachedAt: at(24 * HOUR),
          holders: ['kongwei', 'zengli'],
          unit: 'lz-health',
        }),
      ]),
      incident('C', 'general', [clock({ status: 'breached', windowMs: 48 * HOUR, breachedAt: at(48 * HOUR) })]),
      incident('D', 'general', []),
    ],
    WINDOW,
  );

  it('counts incidents by severity', () => {
    expect(report.total).toBe(4);
    expect(report.bySeverity).toEqual({ general: 2, major: 1, 'especially-major': 1 });
  });

  it('tells for each incident whether the first release came in time (O2)', () => {
    expect(report.incidents.map((i) => [i.id, i.firstRelease])).toEqual([
      ['A', { status: 'met', windowMs: HOUR, timeToReleaseMs: 40 * 60_000 }],
      ['B', { status: 'late', windowMs: HOUR, timeToReleaseMs: 90 * 60_000 }],
      ['C', { status: 'breached', windowMs: 48 * HOUR, timeToReleaseMs: null }],
      ['D', { status: 'none', windowMs: null, timeToReleaseMs: null }],
    ]);
  });

  it('holds the units that let clocks run out to account, naming who held the work (O5, U3)', () => {
    expect(report.breachesByUnit).toEqual([
      { unit: 'lz-health', count: 2, clocks: ['首次发布', '新闻发布会'], holders: ['kongwei', 'zengli'] },
      // A breach that recorded no unit falls to the incident's responsible unit.
      { unit: 'lz-transport', count: 1, clocks: ['首次发布'], holders: [] },
    ]);
    expect(report.incidents.find((i) => i.id === 'B')).toMatchObject({
      breaches: ['首次发布', '新闻发布会'],
      holders: ['zengli', 'kongwei'],
    });
  });
});

describe(reportCsv.name, () => {
  it('writes a header row and one row per incident, quoting what needs it', () => {
    const report = buildReport(
      [
        {
          ...incident('O1-2026-0001', 'major', [clock({ status: 'met', metAt: at(30 * 60_000) })]),
          summary: '=HYPERLINK("x"), 桥梁"坍塌"',
        },
      ],
      WINDOW,
    );
    const [bom, ...rest] = reportCsv(report);
    expect(bom).toBe('\uFEFF');
    const lines = rest.join('').split('\r\n');
    expect(lines[0]).toBe(
      'incident,city,severity,unit,known_at,summary,first_release_status,first_release_window_minutes,' +
        'first_release_minutes,breached_clocks,holders',
    );
    expect(lines[1]).toBe(
      `O1-2026-0001,liuzhou,major,lz-transport,${KNOWN},"'=HYPERLINK(""x""), 桥梁""坍塌""",met,60,30,,`,
    );
    expect(lines.slice(2)).toEqual(['']);
  });
});
