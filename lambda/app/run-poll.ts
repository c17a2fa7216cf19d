import { addClose, emptyClose } from './close-findings';
import type { LogGroupTarget, PollDeps, PollStats } from './poll-log-group';
import { emptyStats, MAX_REPORTED_QUARANTINED, pollLogGroup } from './poll-log-group';

/**
 * One scheduled run over every configured log group. The MAX_EVENTS_PER_RUN budget is shared
 * fairly: each group first gets an equal share (rounded up), then what groups left unused goes
 * to the ones that still had more. The order rotates every minute, so when the budget is smaller
 * than the number of groups no group is always last.
 */
export async function runPoll(targets: readonly LogGroupTarget[], deps: PollDeps, maxEventsPerRun: number): Promise<PollStats[]> {
  const results = new Map<string, PollStats>();
  const offset = Math.floor(deps.now() / 60_000) % Math.max(1, targets.length);
  const ordered = [...targets.slice(offset), ...targets.slice(0, offset)];
  let remaining = maxEventsPerRun;
  for (let i = 0; i < ordered.length; i++) {
    const target = ordered[i] as LogGroupTarget;
    const share = Math.ceil(remaining / (ordered.length - i));
    if (share <= 0) continue;
    const stats = await pollLogGroup(target, deps, share);
    results.set(target.name, stats);
    remaining -= stats.alertsSent;
  }
  for (const target of ordered) {
    const first = results.get(target.name);
    if (first === undefined || first.end !== 'capped' || remaining <= 0 || deps.outOfTime()) continue;
    const more = await pollLogGroup(target, deps, remaining);
    remaining -= more.alertsSent;
    results.set(target.name, merge(first, more));
  }
  // A group the budget did not reach this run is reported as capped, with nothing read.
  return targets.map((t) => results.get(t.name) ?? { ...emptyStats(t.name), end: 'capped' });
}

function merge(a: PollStats, b: PollStats): PollStats {
  const bySeverity = { ...a.bySeverity };
  for (const [severity, count] of Object.entries(b.bySeverity)) bySeverity[severity] = (bySeverity[severity] ?? 0) + count;
  const findings = emptyClose();
  addClose(findings, a.findings);
  addClose(findings, b.findings);
  return {
    ...b,
    recordsRead: a.recordsRead + b.recordsRead,
    alertsSent: a.alertsSent + b.alertsSent,
    duplicatesSkipped: a.duplicatesSkipped + b.duplicatesSkipped,
    headersSkipped: a.headersSkipped + b.headersSkipped,
    unparsedRecords: a.unparsedRecords + b.unparsedRecords,
    sendFailures: a.sendFailures + b.sendFailures,
    quarantined: a.quarantined + b.quarantined,
    quarantinedRecords: [...a.quarantinedRecords, ...b.quarantinedRecords].slice(0, MAX_REPORTED_QUARANTINED),
    downgraded: a.downgraded + b.downgraded,
    throttles: a.throttles + b.throttles,
    pagesRead: a.pagesRead + b.pagesRead,
    gaps: [...a.gaps, ...b.gaps],
    bySeverity,
    admissions: {
      held: a.admissions.held + b.admissions.held, allowlisted: a.admissions.allowlisted + b.admissions.allowlisted,
      counted: a.admissions.counted + b.admissions.counted, late: a.admissions.late + b.admissions.late,
    },
    findings,
  };
}
