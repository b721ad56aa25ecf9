import { z } from 'zod';

/**
 * Positions that BPMN candidate expressions may name. A position is held by a user in an org;
 * "leader-in-charge" held in org X means "the leader in charge of X" (分管领导).
 */
export const POSITIONS = {
  drafter: '起草人 (drafting officer of the lead unit)',
  'main-leader': '主要领导 (main leader of the org)',
  'leader-in-charge': '分管领导 (leader in charge of the org)',
  spokesperson: '新闻发言人',
  'press-officer': '新闻办工作人员 (press office staff)',
  'press-office-head': '新闻办主任 (head of the press office)',
  'supervision-officer': '督查室工作人员 (supervision office, L5)',
  reviewer: '审核员 (an office that checks a release: the legal office, the secrecy bureau, O3)',
  'propaganda-deputy-head': '宣传部分管部长',
  'secretary-general': '秘书长',
  'deputy-secretary-general': '副秘书长',
  mayor: '市长',
  'party-secretary': '市委书记',
} as const;

export type Position = keyof typeof POSITIONS;

/** Positions that make their holder the press office of the org's city (新闻办). */
export const PRESS_OFFICE_POSITIONS: ReadonlySet<string> = new Set<Position>(['press-officer', 'press-office-head']);
export const PositionSchema = z.enum(Object.keys(POSITIONS) as [Position, ...Position[]]);
