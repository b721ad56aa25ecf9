// The kinds of document a request carries, as BPMN files name them (fabu:materials) and uploads
// give them (`kind`). One list, with the label people read; pure, so the compiler, the workflow
// and the API share it.

/** Kind → what it is called in the rules. */
export const DOCUMENT_KINDS = {
  // H6 art. 34 (H2, H3, H4 filing): the five materials filed with the press office.
  'release-statement': '发布稿',
  'host-script': '主持词',
  'qa-lines': '答问口径',
  background: '背景材料',
  'venue-plan': '场地方案',
  // L3 (§5(4)): the filing form and what goes with it.
  'filing-form': '柳州市新闻发布备案表',
  'conference-plan': '发布会方案',
  'speaker-text': '发布词',
  'reporter-qa': '记者答问材料',
  'press-release': '新闻通稿或背景材料',
} as const;

export type DocumentKind = keyof typeof DOCUMENT_KINDS;

export const DOCUMENT_KIND_NAMES = Object.keys(DOCUMENT_KINDS) as DocumentKind[];

export function isDocumentKind(value: string): value is DocumentKind {
  return Object.hasOwn(DOCUMENT_KINDS, value);
}

/** `发布稿 (release-statement)`: how messages name a kind. */
export function describeKind(kind: string): string {
  return isDocumentKind(kind) ? `${DOCUMENT_KINDS[kind]} (${kind})` : kind;
}
