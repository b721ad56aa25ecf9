import { DEMO_ROUTES } from '../../src/incidents/demo-routes.js';
import { type RouteQuery, type RouteRule, route } from '../../src/incidents/routing.js';

// The demo rules with ids, as the table would hand them back: routing is data (O1, H7).
const RULES: RouteRule[] = DEMO_ROUTES.map((r, i) => ({ ...r, id: String(i + 1) }));
const idOf = (city: string, note: string) => RULES.find((r) => r.city === city && r.note === note)!.id;

describe(route.name, () => {
  it.each<[string, RouteQuery, { units: string[]; leadUnit: string }]>([
    [
      'a topic names the department whose duty it is (O1)',
      { city: 'liuzhou', topic: 'traffic', severity: 'general' },
      { units: ['lz-transport'], leadUnit: 'lz-transport' },
    ],
    [
      'a locality names the district (O1)',
      { city: 'liuzhou', locality: '柳北区', severity: 'general' },
      { units: ['lz-liubei'], leadUnit: 'lz-liubei' },
    ],
    [
      'topic and locality both answer; the higher priority leads (O4)',
      { city: 'liuzhou', locality: '柳北区', topic: 'health', severity: 'major' },
      { units: ['lz-health', 'lz-liubei'], leadUnit: 'lz-health' },
    ],
    [
      'nothing specific matches: the catch-all press office',
      { city: 'liuzhou', topic: 'weather', severity: 'general' },
      { units: ['lz-press-office'], leadUnit: 'lz-press-office' },
    ],
    [
      'H7: a general event goes to the county government',
      { city: 'huludao', locality: '绥中县', topic: 'health', severity: 'general' },
      { units: ['hld-suizhong'], leadUnit: 'hld-suizhong' },
    ],
    [
      "H7: a major one to the city's competent department, the county still answering",
      { city: 'huludao', locality: '绥中县', topic: 'health', severity: 'major' },
      { units: ['hld-health', 'hld-suizhong'], leadUnit: 'hld-health' },
    ],
    [
      'H7: especially major counts as larger too',
      { city: 'huludao', topic: 'education', severity: 'especially-major' },
      { units: ['hld-edu'], leadUnit: 'hld-edu' },
    ],
    [
      "another city's rules never answer",
      { city: 'ningbo', topic: 'education', severity: 'general' },
      { units: ['nb-press-office'], leadUnit: 'nb-press-office' },
    ],
  ])('%s', (_, query, expected) => {
    expect(route(RULES, query)).toMatchObject(expected);
  });

  it('names the rules that decided, highest priority first', () => {
    expect(route(RULES, { city: 'huludao', locality: '绥中县', topic: 'health', severity: 'major' }).matched).toEqual([
      RULES.find((r) => r.city === 'huludao' && r.topic === 'health')!.id,
      RULES.find((r) => r.city === 'huludao' && r.locality === '绥中县')!.id,
    ]);
    expect(route(RULES, { city: 'huainan', severity: 'general' }).matched).toEqual([
      idOf('huainan', '其他：市政府新闻办'),
    ]);
  });

  it('takes the catch-all lead when the matching rules name none', () => {
    const rules: RouteRule[] = [
      { ...RULES[0]!, id: '1', city: 'x', topic: 'traffic', units: ['a', 'b'], leadUnit: null },
      { ...RULES[0]!, id: '2', city: 'x', topic: null, units: ['press'], leadUnit: 'press', priority: 0 },
    ];
    expect(route(rules, { city: 'x', topic: 'traffic', severity: 'general' })).toEqual({
      units: ['press', 'a', 'b'],
      leadUnit: 'press',
      matched: ['1'],
    });
  });

  it('answers with no unit when the city has no rule', () => {
    expect(route(RULES, { city: 'nowhere', severity: 'general' })).toEqual({ units: [], leadUnit: null, matched: [] });
  });
});
