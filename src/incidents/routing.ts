// Routing as data (O1, H7, O4): which units answer an incident, and which of them leads. Pure, so
// the rules' table can be unit tested without a database.

import type { Severity } from '../../workflows/definitions.js';

export type { Severity };
/** 一般 / 重大 / 特别重大, in rising order (H7's "larger" compares them). */
export const SEVERITIES = ['general', 'major', 'especially-major'] as const satisfies readonly Severity[];

/** One row of `incident_routes`: null conditions match anything. */
export interface RouteRule {
  id: string;
  city: string;
  locality: string | null;
  topic: string | null;
  /** H7: the rule applies to events of this severity or larger only. */
  minSeverity: Severity | null;
  units: string[];
  leadUnit: string | null;
  priority: number;
  note: string | null;
}

export interface RouteQuery {
  city: string;
  locality?: string;
  topic?: string;
  severity: Severity;
}

export interface Route {
  /** Every unit a matching rule names, each once, the lead first (O4: each responds for its own duty). */
  units: string[];
  leadUnit: string | null;
  /** Ids of the rules that decided it, highest priority first. */
  matched: string[];
}

/** A rule without conditions: the city's fallback when no specific rule matches. */
export function isCatchAll(rule: Pick<RouteRule, 'locality' | 'topic' | 'minSeverity'>): boolean {
  return rule.locality === null && rule.topic === null && rule.minSeverity === null;
}

/**
 * O1 "assign to the first responsible unit by locality and duty", H7 "general → the county
 * government; larger → the city's competent department": every specific rule that matches
 * contributes its units; the lead is the highest-priority match that names one. Only when no
 * specific rule matches do the city's catch-all rules answer (so a catch-all press office does
 * not crowd every incident); their lead also stands in when the matches name no lead.
 */
export function route(rules: RouteRule[], query: RouteQuery): Route {
  const ofCity = rules.filter((r) => r.city === query.city).sort(byPriority);
  const specific = ofCity.filter((r) => !isCatchAll(r) && matches(r, query));
  const catchAll = ofCity.filter(isCatchAll);
  const deciding = specific.length ? specific : catchAll;
  const leadUnit =
    deciding.find((r) => r.leadUnit)?.leadUnit ?? catchAll.find((r) => r.leadUnit)?.leadUnit ?? deciding[0]?.units[0];
  const units = [...new Set([...(leadUnit ? [leadUnit] : []), ...deciding.flatMap((r) => r.units)])];
  return { units, leadUnit: leadUnit ?? null, matched: deciding.map((r) => r.id) };
}

function matches(rule: RouteRule, q: RouteQuery): boolean {
  return (
    (rule.locality === null || rule.locality === q.locality) &&
    (rule.topic === null || rule.topic === q.topic) &&
    (rule.minSeverity === null || SEVERITIES.indexOf(q.severity) >= SEVERITIES.indexOf(rule.minSeverity))
  );
}

/** Highest priority first; equal priorities in the order they were written. */
function byPriority(a: RouteRule, b: RouteRule): number {
  return b.priority - a.priority || Number(a.id) - Number(b.id) || a.id.localeCompare(b.id);
}
