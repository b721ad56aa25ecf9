import type { DirectorySeed } from './directory.repository.js';

/**
 * The embedded default's demo directory for Huludao (葫芦岛): the offices H3 names and two
 * departments that apply for conferences. Log in as any of these users with POST /api/auth/dev-login.
 */
export const DEMO_DIRECTORY: DirectorySeed = {
  orgs: [
    { code: 'hld-party', name: '中共葫芦岛市委', kind: 'party-committee', city: 'huludao' },
    { code: 'hld-gov', name: '葫芦岛市人民政府', kind: 'government', city: 'huludao' },
    {
      code: 'hld-propaganda',
      name: '中共葫芦岛市委宣传部',
      kind: 'department',
      city: 'huludao',
      parentCode: 'hld-party',
    },
    {
      code: 'hld-party-publicity',
      name: '中共葫芦岛市委对外宣传办公室',
      kind: 'office',
      city: 'huludao',
      parentCode: 'hld-party',
    },
    {
      code: 'hld-gov-press-office',
      name: '葫芦岛市人民政府新闻办公室',
      kind: 'office',
      city: 'huludao',
      parentCode: 'hld-gov',
    },
    {
      code: 'hld-gov-openness',
      name: '葫芦岛市政务公开办公室',
      kind: 'office',
      city: 'huludao',
      parentCode: 'hld-gov',
    },
    { code: 'hld-edu', name: '葫芦岛市教育局', kind: 'department', city: 'huludao', parentCode: 'hld-gov' },
    { code: 'hld-health', name: '葫芦岛市卫生健康委员会', kind: 'department', city: 'huludao', parentCode: 'hld-gov' },
  ],
  users: [
    {
      username: 'sunli',
      displayName: '孙丽 (教育局 起草人)',
      orgCode: 'hld-edu',
      positions: [{ position: 'drafter', orgCode: 'hld-edu' }],
    },
    {
      username: 'chenming',
      displayName: '陈明 (教育局局长)',
      orgCode: 'hld-edu',
      positions: [{ position: 'main-leader', orgCode: 'hld-edu' }],
    },
    {
      username: 'wuxia',
      displayName: '吴霞 (卫健委 起草人)',
      orgCode: 'hld-health',
      positions: [{ position: 'drafter', orgCode: 'hld-health' }],
    },
    {
      username: 'zhoutao',
      displayName: '周涛 (卫健委主任)',
      orgCode: 'hld-health',
      positions: [{ position: 'main-leader', orgCode: 'hld-health' }],
    },
    {
      username: 'liuqiang',
      displayName: '刘强 (副市长, 分管教育、卫健)',
      orgCode: 'hld-gov',
      positions: [
        { position: 'leader-in-charge', orgCode: 'hld-edu' },
        { position: 'leader-in-charge', orgCode: 'hld-health' },
      ],
    },
    {
      username: 'zhangwei',
      displayName: '张伟 (市长)',
      orgCode: 'hld-gov',
      positions: [{ position: 'mayor', orgCode: 'hld-gov' }],
    },
    {
      username: 'zhaohua',
      displayName: '赵华 (市委宣传部分管副部长)',
      orgCode: 'hld-propaganda',
      positions: [{ position: 'propaganda-deputy-head', orgCode: 'hld-propaganda' }],
    },
    {
      username: 'wangfang',
      displayName: '王芳 (市政府新闻办)',
      orgCode: 'hld-gov-press-office',
      positions: [{ position: 'press-officer', orgCode: 'hld-gov-press-office' }],
    },
    {
      username: 'lijun',
      displayName: '李军 (市政府新闻办主任)',
      orgCode: 'hld-gov-press-office',
      positions: [{ position: 'press-office-head', orgCode: 'hld-gov-press-office' }],
    },
    { username: 'admin', displayName: '系统管理员', orgCode: 'hld-gov', isAdmin: true, positions: [] },
  ],
};
