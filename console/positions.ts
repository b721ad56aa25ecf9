// Position names as the directory's positions read in each language.
import { currentLang } from './i18n';

const NAMES: Record<string, [zh: string, en: string]> = {
  drafter: ['起草人', 'drafting officer'],
  'main-leader': ['主要领导', 'main leader'],
  'leader-in-charge': ['分管领导', 'leader in charge'],
  spokesperson: ['新闻发言人', 'spokesperson'],
  'press-officer': ['新闻办工作人员', 'press officer'],
  'press-office-head': ['新闻办主任', 'head of the press office'],
  'supervision-officer': ['督查室工作人员', 'supervision officer'],
  reviewer: ['审核员', 'reviewer'],
  'propaganda-deputy-head': ['宣传部分管部长', 'deputy head of propaganda'],
  'secretary-general': ['秘书长', 'secretary-general'],
  'deputy-secretary-general': ['副秘书长', 'deputy secretary-general'],
  mayor: ['市长', 'mayor'],
  'party-secretary': ['市委书记', 'party secretary'],
};

export const positionName = (position: string): string => NAMES[position]?.[currentLang() === 'zh' ? 0 : 1] ?? position;

/** Whether the user works in a press office (新闻办) and so sees the office pages. */
export const isPressOffice = (user: { isAdmin: boolean; positions: Array<{ position: string }> }): boolean =>
  user.isAdmin || user.positions.some((p) => p.position === 'press-officer' || p.position === 'press-office-head');
