import type { RouteRule } from './routing.js';

type Seed = Omit<RouteRule, 'id'>;
const rule = (city: string, r: Partial<Seed> & Pick<Seed, 'units'>): Seed => ({
  city,
  locality: null,
  topic: null,
  minSeverity: null,
  leadUnit: r.units[0]!,
  priority: 10,
  note: null,
  ...r,
});

/**
 * The demo directory's routing rules (seeded with it, for cities that have none yet). Specific rules
 * name the unit whose duty or locality it is (O1); a catch-all hands the rest to the press office.
 * Huludao follows H7: a general event goes to the county, a larger one to the competent city
 * department (which then leads, the county still answering for its part).
 */
export const DEMO_ROUTES: Seed[] = [
  rule('liuzhou', { topic: 'traffic', units: ['lz-transport'], note: '交通' }),
  rule('liuzhou', { topic: 'health', units: ['lz-health'], note: '卫生健康' }),
  rule('liuzhou', { locality: '柳北区', units: ['lz-liubei'], priority: 5, note: '属地：柳北区' }),
  rule('liuzhou', { units: ['lz-press-office'], priority: 0, note: '其他：市政府新闻办' }),
  rule('huludao', { locality: '绥中县', units: ['hld-suizhong'], note: 'H7 一般：县政府' }),
  rule('huludao', {
    topic: 'health',
    minSeverity: 'major',
    units: ['hld-health'],
    priority: 20,
    note: 'H7 较大以上：主管部门',
  }),
  rule('huludao', {
    topic: 'education',
    minSeverity: 'major',
    units: ['hld-edu'],
    priority: 20,
    note: 'H7 较大以上：主管部门',
  }),
  rule('huludao', { units: ['hld-gov-press-office'], priority: 0, note: '其他：市政府新闻办' }),
  rule('ningbo', { topic: 'traffic', units: ['nb-transport'], note: '交通' }),
  rule('ningbo', { topic: 'health', units: ['nb-health'], note: '卫生健康' }),
  rule('ningbo', { units: ['nb-press-office'], priority: 0, note: '其他：市政府新闻办' }),
  rule('huainan', { topic: 'education', units: ['hn-edu'], note: '教育' }),
  rule('huainan', { units: ['hn-press-office'], priority: 0, note: '其他：市政府新闻办' }),
];
