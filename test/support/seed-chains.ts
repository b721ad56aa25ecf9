// The seed chains in processes/ as the tests know them: each one's approve path, its conditional
// branches, and who applies for it in the demo directory. Shared by the workflow and e2e tiers.
export interface ChainCase {
  key: string;
  /** The steps of the approve path, in the order they are decided. */
  approvePath: string[];
  /** A request that takes the conditional branch, and the steps it adds. */
  branch?: { name: string; request: Record<string, unknown>; path: string[] };
  /** Further branches of a chain with more than two ways (N5's three review variants). */
  moreBranches?: Array<{ name: string; request: Record<string, unknown>; path: string[] }>;
  /** Variables every request of this chain needs (declared without a default). */
  variables?: Record<string, string | number | boolean>;
  /** Who applies in the demo directory, and for which org. */
  applicant: { username: string; orgCode: string };
}

/** H2 and H3 differ in roles, not in shape (docs/chains.md): the same sign-off path. */
const SIGN_OFF = ['draft', 'guidance', 'sign-main-leader', 'sign-leader-in-charge', 'sign-propaganda'];

export const SEED_CHAINS: ChainCase[] = [
  {
    key: 'huludao-government-conference',
    applicant: { username: 'sunli', orgCode: 'hld-edu' },
    approvePath: [...SIGN_OFF, 'file-materials'],
    branch: {
      name: 'a major matter (重大事项)',
      request: { major: true },
      path: [...SIGN_OFF, 'approve-mayor', 'file-materials'],
    },
  },
  {
    key: 'huludao-party-conference',
    applicant: { username: 'mali', orgCode: 'hld-party-politics-law' },
    approvePath: [...SIGN_OFF, 'file-materials'],
    branch: {
      name: 'a major matter (重大事项)',
      request: { major: true },
      path: [...SIGN_OFF, 'approve-party-secretary', 'file-materials'],
    },
  },
  {
    key: 'huludao-department-conference',
    applicant: { username: 'sunli', orgCode: 'hld-edu' },
    approvePath: ['draft', 'guidance', 'sign-main-leader', 'file-materials', 'confirm-spokesperson'],
  },
  {
    key: 'huludao-county-conference',
    applicant: { username: 'hanxue', orgCode: 'hld-suizhong' },
    approvePath: ['decide-content', 'draft'],
    branch: {
      name: 'a major matter (重大事项)',
      request: { major: true },
      path: ['decide-content', 'draft', 'city-approval'],
    },
  },
  {
    key: 'ningbo-release-review',
    applicant: { username: 'panlei', orgCode: 'nb-transport' },
    variables: { kind: 'department' },
    // 或签: the first of the three reviewers decides for all.
    approvePath: ['review-department'],
    branch: {
      name: 'kind = "major" (consult, then 或签)',
      request: { variables: { kind: 'major' } },
      path: ['consult-press-office', 'approve-major'],
    },
    // The city spokesperson's release: authorised by the mayor, content approved by the secretary-general.
    moreBranches: [
      {
        name: 'kind = "spokesperson"',
        request: { variables: { kind: 'spokesperson' } },
        path: ['authorise-mayor', 'approve-secretary-general'],
      },
    ],
  },
  {
    key: 'ningbo-mayor-conference',
    applicant: { username: 'caiyong', orgCode: 'nb-transport' },
    approvePath: ['propose', 'coordinate', 'prepare-department', 'prepare-press-office'],
  },
  {
    key: 'ningbo-department-conference',
    applicant: { username: 'panlei', orgCode: 'nb-transport' },
    approvePath: ['sign-main-leader', 'file-press-office'],
  },
  {
    key: 'huainan-conference',
    applicant: { username: 'cuili', orgCode: 'hn-edu' },
    approvePath: ['apply', 'review-press-office'],
    branch: {
      name: 'a city-wide item',
      request: { variables: { cityWide: true } },
      path: ['apply', 'review-press-office', 'approve-deputy-secretary-general'],
    },
  },
  {
    key: 'liuzhou-conference-filing',
    applicant: { username: 'lutao', orgCode: 'lz-transport' },
    approvePath: ['file'],
    branch: {
      name: "held in the city government's name (L4)",
      request: { variables: { inCityName: true } },
      path: ['approve-city-government', 'guide-press-office', 'file'],
    },
    moreBranches: [
      { name: 'an emergency conference (L3)', request: { variables: { emergency: true } }, path: ['file-emergency'] },
    ],
  },
];
