import type { DirectorySeed } from './directory.repository.js';

/**
 * The embedded default's demo directory for the four seed cities (docs/chains.md), so that every
 * `<fabu:candidate>` of the chains in processes/ resolves to at least one user:
 * - Huludao 葫芦岛 (H1–H5): the city party committee and government, 市委宣传部, 市委外宣办,
 *   市政府新闻办, 市政务公开办; 教育局 and 卫健委 (government conferences, H3/H4), 市委政法委
 *   (party conferences, H2) and 绥中县 with its propaganda department (county conferences, H5).
 * - Ningbo 宁波 (N2–N6): the government, its general office, its press office, 交通运输局 and 卫健委.
 * - Huainan 淮南 (U1): the government, its press office and 教育局.
 * - Liuzhou 柳州 (L3, L4, L6): the government, its office, its press office, 交通运输局 and 柳北区;
 *   for public-opinion response (O1–O4) also 卫健委, 公安局 (rumours), 法制办 (legal check) and
 *   保密局 (confidentiality check).
 * "leader-in-charge" and "deputy-secretary-general" are held in the org the leader is in charge of
 * (a vice mayor in charge of 交通运输局 holds leader-in-charge in that bureau's org).
 * Log in as any of these users with POST /api/auth/dev-login.
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
    {
      code: 'hld-party-politics-law',
      name: '中共葫芦岛市委政法委员会',
      kind: 'department',
      city: 'huludao',
      parentCode: 'hld-party',
    },
    { code: 'hld-suizhong', name: '绥中县人民政府', kind: 'county', city: 'huludao' },
    {
      code: 'hld-suizhong-propaganda',
      name: '中共绥中县委宣传部',
      kind: 'office',
      city: 'huludao',
      parentCode: 'hld-suizhong',
    },
    // Ningbo 宁波 (N2–N6).
    { code: 'nb-gov', name: '宁波市人民政府', kind: 'government', city: 'ningbo' },
    { code: 'nb-gov-office', name: '宁波市人民政府办公厅', kind: 'office', city: 'ningbo', parentCode: 'nb-gov' },
    { code: 'nb-press-office', name: '宁波市人民政府新闻办公室', kind: 'office', city: 'ningbo', parentCode: 'nb-gov' },
    { code: 'nb-transport', name: '宁波市交通运输局', kind: 'department', city: 'ningbo', parentCode: 'nb-gov' },
    { code: 'nb-health', name: '宁波市卫生健康委员会', kind: 'department', city: 'ningbo', parentCode: 'nb-gov' },
    // Huainan 淮南 (U1).
    { code: 'hn-gov', name: '淮南市人民政府', kind: 'government', city: 'huainan' },
    {
      code: 'hn-press-office',
      name: '淮南市人民政府新闻办公室',
      kind: 'office',
      city: 'huainan',
      parentCode: 'hn-gov',
    },
    { code: 'hn-edu', name: '淮南市教育局', kind: 'department', city: 'huainan', parentCode: 'hn-gov' },
    // Liuzhou 柳州 (L3, L4, L6).
    { code: 'lz-gov', name: '柳州市人民政府', kind: 'government', city: 'liuzhou' },
    { code: 'lz-gov-office', name: '柳州市人民政府办公室', kind: 'office', city: 'liuzhou', parentCode: 'lz-gov' },
    {
      code: 'lz-press-office',
      name: '柳州市人民政府新闻办公室',
      kind: 'office',
      city: 'liuzhou',
      parentCode: 'lz-gov',
    },
    {
      code: 'lz-supervision',
      name: '柳州市人民政府督查室',
      kind: 'office',
      city: 'liuzhou',
      parentCode: 'lz-gov-office',
    },
    { code: 'lz-transport', name: '柳州市交通运输局', kind: 'department', city: 'liuzhou', parentCode: 'lz-gov' },
    { code: 'lz-liubei', name: '柳北区人民政府', kind: 'county', city: 'liuzhou' },
    { code: 'lz-health', name: '柳州市卫生健康委员会', kind: 'department', city: 'liuzhou', parentCode: 'lz-gov' },
    { code: 'lz-public-security', name: '柳州市公安局', kind: 'department', city: 'liuzhou', parentCode: 'lz-gov' },
    { code: 'lz-legal', name: '柳州市人民政府法制办公室', kind: 'office', city: 'liuzhou', parentCode: 'lz-gov' },
    { code: 'lz-secrecy', name: '柳州市国家保密局', kind: 'office', city: 'liuzhou', parentCode: 'lz-gov' },
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
    {
      username: 'yangfan',
      displayName: '杨帆 (教育局新闻发言人)',
      orgCode: 'hld-edu',
      positions: [{ position: 'spokesperson', orgCode: 'hld-edu' }],
    },
    // Huludao 葫芦岛: party conferences (H2) through 市委政法委, county conferences (H5) in 绥中县.
    {
      username: 'wangjianguo',
      displayName: '王建国 (市委书记)',
      orgCode: 'hld-party',
      positions: [{ position: 'party-secretary', orgCode: 'hld-party' }],
    },
    {
      username: 'xuzhiyuan',
      displayName: '徐志远 (市委副书记, 分管政法)',
      orgCode: 'hld-party',
      positions: [{ position: 'leader-in-charge', orgCode: 'hld-party-politics-law' }],
    },
    {
      username: 'gaofeng',
      displayName: '高峰 (市委政法委书记)',
      orgCode: 'hld-party-politics-law',
      positions: [{ position: 'main-leader', orgCode: 'hld-party-politics-law' }],
    },
    {
      username: 'mali',
      displayName: '马丽 (市委政法委 起草人)',
      orgCode: 'hld-party-politics-law',
      positions: [{ position: 'drafter', orgCode: 'hld-party-politics-law' }],
    },
    {
      username: 'heyan',
      displayName: '何燕 (市委外宣办)',
      orgCode: 'hld-party-publicity',
      positions: [{ position: 'press-officer', orgCode: 'hld-party-publicity' }],
    },
    {
      username: 'songbin',
      displayName: '宋斌 (市委外宣办主任)',
      orgCode: 'hld-party-publicity',
      positions: [{ position: 'press-office-head', orgCode: 'hld-party-publicity' }],
    },
    {
      username: 'guodong',
      displayName: '郭栋 (绥中县县长)',
      orgCode: 'hld-suizhong',
      positions: [{ position: 'main-leader', orgCode: 'hld-suizhong' }],
    },
    // Applies for 绥中县 (H5: the county's main official decides the content), so also a drafter there.
    {
      username: 'hanxue',
      displayName: '韩雪 (绥中县委宣传部 起草人)',
      orgCode: 'hld-suizhong-propaganda',
      positions: [
        { position: 'drafter', orgCode: 'hld-suizhong-propaganda' },
        { position: 'drafter', orgCode: 'hld-suizhong' },
      ],
    },
    // Ningbo 宁波.
    {
      username: 'luowen',
      displayName: '罗文 (宁波市市长)',
      orgCode: 'nb-gov',
      positions: [{ position: 'mayor', orgCode: 'nb-gov' }],
    },
    {
      username: 'jiangtao',
      displayName: '蒋涛 (宁波市政府秘书长)',
      orgCode: 'nb-gov-office',
      positions: [{ position: 'secretary-general', orgCode: 'nb-gov-office' }],
    },
    {
      username: 'shenjie',
      displayName: '沈杰 (宁波市政府副秘书长, 联系交通)',
      orgCode: 'nb-gov-office',
      positions: [{ position: 'deputy-secretary-general', orgCode: 'nb-transport' }],
    },
    {
      username: 'caiyong',
      displayName: '蔡勇 (宁波市副市长, 分管交通)',
      orgCode: 'nb-gov',
      positions: [{ position: 'leader-in-charge', orgCode: 'nb-transport' }],
    },
    {
      username: 'fangjing',
      displayName: '方静 (宁波市政府新闻发言人)',
      orgCode: 'nb-gov',
      positions: [{ position: 'spokesperson', orgCode: 'nb-gov' }],
    },
    {
      username: 'yeqing',
      displayName: '叶青 (宁波市政府新闻办)',
      orgCode: 'nb-press-office',
      positions: [{ position: 'press-officer', orgCode: 'nb-press-office' }],
    },
    {
      username: 'xiehong',
      displayName: '谢宏 (宁波市政府新闻办主任)',
      orgCode: 'nb-press-office',
      positions: [{ position: 'press-office-head', orgCode: 'nb-press-office' }],
    },
    {
      username: 'dinggang',
      displayName: '丁刚 (宁波市交通运输局局长)',
      orgCode: 'nb-transport',
      positions: [{ position: 'main-leader', orgCode: 'nb-transport' }],
    },
    {
      username: 'yuanmei',
      displayName: '袁梅 (宁波市交通运输局新闻发言人)',
      orgCode: 'nb-transport',
      positions: [{ position: 'spokesperson', orgCode: 'nb-transport' }],
    },
    {
      username: 'panlei',
      displayName: '潘磊 (宁波市交通运输局 起草人)',
      orgCode: 'nb-transport',
      positions: [{ position: 'drafter', orgCode: 'nb-transport' }],
    },
    {
      username: 'luyan',
      displayName: '陆燕 (宁波市卫生健康委员会 起草人)',
      orgCode: 'nb-health',
      positions: [{ position: 'drafter', orgCode: 'nb-health' }],
    },
    {
      username: 'hewei',
      displayName: '何伟 (宁波市卫生健康委员会主任)',
      orgCode: 'nb-health',
      positions: [{ position: 'main-leader', orgCode: 'nb-health' }],
    },
    // Huainan 淮南.
    {
      username: 'duyue',
      displayName: '杜悦 (淮南市政府新闻办)',
      orgCode: 'hn-press-office',
      positions: [{ position: 'press-officer', orgCode: 'hn-press-office' }],
    },
    {
      username: 'xiaojun',
      displayName: '肖军 (淮南市政府新闻办主任)',
      orgCode: 'hn-press-office',
      positions: [{ position: 'press-office-head', orgCode: 'hn-press-office' }],
    },
    {
      username: 'tanglin',
      displayName: '唐林 (淮南市政府副秘书长, 联系教育)',
      orgCode: 'hn-gov',
      positions: [{ position: 'deputy-secretary-general', orgCode: 'hn-edu' }],
    },
    {
      username: 'fengbo',
      displayName: '冯波 (淮南市教育局局长)',
      orgCode: 'hn-edu',
      positions: [{ position: 'main-leader', orgCode: 'hn-edu' }],
    },
    {
      username: 'cuili',
      displayName: '崔丽 (淮南市教育局 起草人)',
      orgCode: 'hn-edu',
      positions: [{ position: 'drafter', orgCode: 'hn-edu' }],
    },
    // Liuzhou 柳州.
    {
      username: 'lanhai',
      displayName: '蓝海 (柳州市市长)',
      orgCode: 'lz-gov',
      positions: [{ position: 'mayor', orgCode: 'lz-gov' }],
    },
    {
      username: 'qinfeng',
      displayName: '覃峰 (柳州市政府秘书长)',
      orgCode: 'lz-gov-office',
      positions: [{ position: 'secretary-general', orgCode: 'lz-gov-office' }],
    },
    {
      username: 'weili',
      displayName: '韦丽 (柳州市政府新闻办)',
      orgCode: 'lz-press-office',
      positions: [{ position: 'press-officer', orgCode: 'lz-press-office' }],
    },
    {
      username: 'huangjie',
      displayName: '黄洁 (柳州市政府督查室)',
      orgCode: 'lz-supervision',
      positions: [{ position: 'supervision-officer', orgCode: 'lz-supervision' }],
    },
    {
      username: 'mengqiang',
      displayName: '蒙强 (柳州市政府新闻办主任)',
      orgCode: 'lz-press-office',
      positions: [{ position: 'press-office-head', orgCode: 'lz-press-office' }],
    },
    {
      username: 'liangyu',
      displayName: '梁宇 (柳州市交通运输局局长)',
      orgCode: 'lz-transport',
      positions: [{ position: 'main-leader', orgCode: 'lz-transport' }],
    },
    {
      username: 'mowei',
      displayName: '莫伟 (柳州市副市长, 分管交通)',
      orgCode: 'lz-gov',
      positions: [{ position: 'leader-in-charge', orgCode: 'lz-transport' }],
    },
    {
      username: 'lutao',
      displayName: '陆涛 (柳州市交通运输局 起草人)',
      orgCode: 'lz-transport',
      positions: [{ position: 'drafter', orgCode: 'lz-transport' }],
    },
    {
      username: 'huangyong',
      displayName: '黄勇 (柳北区区长)',
      orgCode: 'lz-liubei',
      positions: [{ position: 'main-leader', orgCode: 'lz-liubei' }],
    },
    {
      username: 'tanmei',
      displayName: '谭梅 (柳北区 起草人)',
      orgCode: 'lz-liubei',
      positions: [{ position: 'drafter', orgCode: 'lz-liubei' }],
    },
    {
      username: 'zengli',
      displayName: '曾丽 (柳州市卫健委 起草人)',
      orgCode: 'lz-health',
      positions: [{ position: 'drafter', orgCode: 'lz-health' }],
    },
    {
      username: 'kongwei',
      displayName: '孔伟 (柳州市卫健委主任)',
      orgCode: 'lz-health',
      positions: [{ position: 'main-leader', orgCode: 'lz-health' }],
    },
    {
      username: 'leihao',
      displayName: '雷浩 (柳州市公安局 网安支队)',
      orgCode: 'lz-public-security',
      positions: [
        { position: 'drafter', orgCode: 'lz-public-security' },
        { position: 'main-leader', orgCode: 'lz-public-security' },
      ],
    },
    {
      username: 'qiulin',
      displayName: '邱林 (柳州市法制办 审核员)',
      orgCode: 'lz-legal',
      positions: [{ position: 'reviewer', orgCode: 'lz-legal' }],
    },
    {
      username: 'shiyan',
      displayName: '石燕 (柳州市保密局 审核员)',
      orgCode: 'lz-secrecy',
      positions: [{ position: 'reviewer', orgCode: 'lz-secrecy' }],
    },
    { username: 'admin', displayName: '系统管理员', orgCode: 'hld-gov', isAdmin: true, positions: [] },
  ],
};
