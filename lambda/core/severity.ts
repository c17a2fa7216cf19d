/** Alert severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One severity rule: the first rule whose field holds one of the values decides. */
export interface SeverityRule {
  readonly field: 'action' | 'log_status';
  readonly values: readonly string[];
  readonly severity: Severity;
}

/**
 * The rules, in order. Log status comes first: a NODATA or SKIPDATA record reports on the
 * capture itself (idle interface, dropped records), not on a connection, even when a
 * synthetic record also carries an action.
 */
export const SEVERITY_RULES: readonly SeverityRule[] = [
  { field: 'log_status', values: ['NODATA', 'SKIPDATA'], severity: 'info' },
  { field: 'action', values: ['REJECT'], severity: 'medium' },
  { field: 'action', values: ['ACCEPT'], severity: 'low' },
];

/** Severity of anything no rule matches: unparsed and passthrough records. */
export const DEFAULT_SEVERITY: Severity = 'low';

/** Applies `rules` to a record's action and log status. */
export function severityOf(
  facts: { readonly action: string | null; readonly log_status: string | null },
  rules: readonly SeverityRule[] = SEVERITY_RULES,
): Severity {
  for (const rule of rules) {
    const value = facts[rule.field];
    if (value !== null && rule.values.includes(value)) return rule.severity;
  }
  return DEFAULT_SEVERITY;
}
