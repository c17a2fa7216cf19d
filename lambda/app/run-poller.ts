import type { LogGroupTarget, PollDeps, PollStats } from './poll-log-group';
import { pollLogGroup } from './poll-log-group';

/**
 * One scheduled run over every configured log group. The MAX_EVENTS_PER_RUN budget is shared
 * fairly: each group first gets an equal share, then what groups left unused goes to the ones
 * that still had more, so one busy group cannot starve the others.
 */
export async function runPoller(targets: readonly LogGroupTarget[], deps: PollDeps, maxEventsPerRun: number): Promise<PollStats[]> {
  const results = new Map<string, PollStats>();
  let remaining = maxEventsPerRun;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i] as LogGroupTarget;
    const share = Math.floor(remaining / (targets.length - i));
    const stats = await pollLogGroup(target, deps, share);
    results.set(target.name, stats);
    remaining -= stats.alertsSent;
  }
  for (const target of targets) {
    const first = results.get(target.name) as PollStats;
    if (first.end !== 'capped' || remaining <= 0 || deps.outOfTime()) continue;
    const more = await pollLogGroup(target, deps, remaining);
    remaining -= more.alertsSent;
    results.set(target.name, merge(first, more));
  }
  return targets.map((t) => results.get(t.name) as PollStats);
}

function merge(a: PollStats, b: PollStats): PollStats {
  const bySeverity = { ...a.bySeverity };
  for (const [severity, count] of Object.entries(b.bySeverity)) bySeverity[severity] = (bySeverity[severity] ?? 0) + count;
  return {
    ...b,
    recordsRead: a.recordsRead + b.recordsRead,
    alertsSent: a.alertsSent + b.alertsSent,
    duplicatesSkipped: a.duplicatesSkipped + b.duplicatesSkipped,
    headersSkipped: a.headersSkipped + b.headersSkipped,
    unparsedRecords: a.unparsedRecords + b.unparsedRecords,
    sendFailures: a.sendFailures + b.sendFailures,
    pagesRead: a.pagesRead + b.pagesRead,
    gaps: [...a.gaps, ...b.gaps],
    bySeverity,
  };
}
