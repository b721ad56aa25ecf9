import { type CandidateExpr, orgCodeOf } from '../processes/ir.js';

/**
 * The directory of a dry run: every position in every org is held by one synthetic user named
 * `<position>@<org>`, and the initiator is themselves, so any chain resolves without real people
 * and the result says plainly which position acted.
 */
export const syntheticDirectory = {
  async resolve(expr: CandidateExpr, ctx: { orgCode: string; initiator: string; item?: string }): Promise<string[]> {
    if (expr.kind === 'initiator') return [ctx.initiator];
    return [`${expr.position}@${orgCodeOf(expr.org, ctx)}`];
  },
};
