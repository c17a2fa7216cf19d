import type { FindingSettings, FindingType } from '../core/finding';
import { dayPrefixes, fileTime, readFlowLogKey } from '../core/flow-log-object';
import { addClose, closeWindows, emptyClose } from './close-findings';
import { FindingTracker } from './finding-tracker';
import { LOOKBACK_MS } from './replay-range';
import type { ObjectDeps, ObjectStats } from './send-object';
import { sendObject } from './send-object';

/** A flow-log file holds records up to this long before the time in its name (the longest aggregation and delivery). */
const FILE_SPAN_MS = 3_600_000;
/** Keys sorted by time at once; a listing with more is sent in runs of this many, each in time order. */
const SORT_RUN = 100_000;

/** Running totals of an S3 backfill, reported after every object. */
export interface ObjectReplayProgress {
  objects: number;
  ignored: number;
  corrupt: number;
  records: number;
  alertsSent: number;
  quarantined: number;
  failed: number;
  /** Flows counted in findings (or allowlisted, or only counted) and not sent on their own. */
  held: number;
  /** Findings sent, by type (alertMode `findings` or `both`). */
  findingsSent: Partial<Record<FindingType, number>>;
  /** The first reasons objects or records could not be sent (at most 5). */
  readonly failureReasons: string[];
}

/**
 * Sends the flow-log objects of `s3://bucket/prefix` that hold records of the time range
 * (inclusive, epoch ms): the days of the range when the prefix ends at a flow log's region (each
 * day's prefix is listed), else the whole prefix, filtered by the date path and by the time in each
 * file's name. Every object goes through the S3 source's own path (the same alerts and alert_ids).
 * An object S3 fails to give is reported and the rest still sent.
 *
 * With `findings`, the objects are one stream for the detectors under `s3://bucket/prefix`, taken
 * in the order of the times in their names (within each listed prefix): a window's findings are
 * sent once objects written a lookback past its end are read, and the rest when all are done.
 */
export async function replayObjects(
  bucket: string,
  prefix: string,
  range: { readonly start: number; readonly end: number },
  deps: ObjectDeps & { readonly findings?: FindingSettings },
  onObject: (key: string, stats: ObjectStats | undefined, progress: Readonly<ObjectReplayProgress>) => void = () => undefined,
): Promise<ObjectReplayProgress> {
  const progress: ObjectReplayProgress = { objects: 0, ignored: 0, corrupt: 0, records: 0, alertsSent: 0, quarantined: 0, failed: 0, held: 0, findingsSent: {}, failureReasons: [] };
  const origin = `s3://${bucket}/${prefix}`;
  const findings = deps.findings === undefined || deps.findings.alertMode === 'flows' ? undefined : deps.findings;
  const tracker = findings === undefined ? undefined : FindingTracker.inMemory(origin, findings);
  const admit = tracker?.admitter();
  const found = emptyClose();
  const outlets = {
    publisher: deps.publisher, maxMessageBytes: deps.maxMessageBytes,
    ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
    ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }),
  };
  let latest = Number.NEGATIVE_INFINITY;
  /** Findings of the last close that could not be sent: their windows stay open, and the next close sends them again. */
  let unsent = 0;
  const closeUpTo = async (upTo: number): Promise<void> => {
    if (tracker === undefined || findings === undefined) return;
    const closed = await closeWindows(tracker.state, origin, upTo, findings, outlets);
    addClose(found, { ...closed, failed: 0 });
    progress.findingsSent = found.byType;
    unsent = closed.failed;
  };

  const startDay = Math.floor(range.start / 86_400_000) * 86_400_000;
  const wanted = (key: string): boolean => {
    const { kind, day } = readFlowLogKey(key);
    if (kind === 'ignored' || (day !== undefined && (day < startDay || day > range.end))) return false;
    const time = fileTime(key);
    return time === undefined || (time >= range.start && time <= range.end + FILE_SPAN_MS);
  };
  const send = async (key: string): Promise<void> => {
    let stats: ObjectStats | undefined;
    try {
      stats = await sendObject(bucket, key, deps, { ...(admit !== undefined && { admit }) });
    } catch (error) {
      progress.failed++;
      if (progress.failureReasons.length < 5) progress.failureReasons.push(`s3://${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (stats !== undefined) {
      progress.objects++;
      if (stats.outcome === 'corrupt') progress.corrupt++;
      progress.records += stats.records;
      progress.alertsSent += stats.alertsSent;
      progress.quarantined += stats.quarantined;
      progress.held += stats.held;
      progress.failed += stats.sendFailures;
      if (stats.sendFailures > 0 && progress.failureReasons.length < 5) progress.failureReasons.push(`s3://${bucket}/${key}: ${stats.sendFailures} alerts not sent`);
      if (tracker !== undefined) {
        await tracker.save();
        // Only files named with their time move the closing clock: the listing is in that order,
        // and another key's time (its LastModified, a copy's date) could run far ahead of it.
        if (fileTime(key) !== undefined) latest = Math.max(latest, stats.flowTime);
        await closeUpTo(latest - LOOKBACK_MS);
      }
    }
    onObject(key, stats, progress);
  };
  // Files of several flow logs interleave in a listing (it is in key order): time order keeps windows open only as long as needed.
  const byTime = (a: string, b: string): number => (fileTime(a) ?? 0) - (fileTime(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0);
  for (const listed of dayPrefixes(prefix, range.start, range.end + FILE_SPAN_MS) ?? [prefix]) {
    let run: string[] = [];
    let next: string | undefined;
    do {
      const page = await deps.store.list(bucket, listed, next);
      for (const key of page.keys) {
        if (!wanted(key)) progress.ignored++;
        else run.push(key);
      }
      next = page.next;
      if (run.length >= SORT_RUN || next === undefined) {
        for (const key of run.sort(byTime)) await send(key);
        run = [];
      }
    } while (next !== undefined);
  }
  await closeUpTo(Number.MAX_SAFE_INTEGER);
  // Only what the last close could not send is missing (earlier failures were sent again by later closes).
  progress.failed += unsent;
  if (unsent > 0 && progress.failureReasons.length < 5) progress.failureReasons.push(`${unsent} findings could not be sent`);
  return progress;
}
