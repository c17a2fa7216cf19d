import { dayPrefixes, fileTime, readFlowLogKey } from '../core/flow-log-object';
import type { ObjectDeps, ObjectStats } from './send-object';
import { sendObject } from './send-object';

/** A flow-log file holds records up to this long before the time in its name (the longest aggregation and delivery). */
const FILE_SPAN_MS = 3_600_000;

/** Running totals of an S3 backfill, reported after every object. */
export interface ObjectReplayProgress {
  objects: number;
  ignored: number;
  corrupt: number;
  records: number;
  alertsSent: number;
  quarantined: number;
  failed: number;
  /** The first reasons objects or records could not be sent (at most 5). */
  readonly failureReasons: string[];
}

/**
 * Sends the flow-log objects of `s3://bucket/prefix` that hold records of the time range
 * (inclusive, epoch ms): the days of the range when the prefix ends at a flow log's region (each
 * day's prefix is listed), else the whole prefix, filtered by the date path and by the time in each
 * file's name. Every object goes through the S3 source's own path (the same alerts and alert_ids).
 * An object S3 fails to give is reported and the rest still sent.
 */
export async function replayObjects(
  bucket: string,
  prefix: string,
  range: { readonly start: number; readonly end: number },
  deps: ObjectDeps,
  onObject: (key: string, stats: ObjectStats | undefined, progress: Readonly<ObjectReplayProgress>) => void = () => undefined,
): Promise<ObjectReplayProgress> {
  const progress: ObjectReplayProgress = { objects: 0, ignored: 0, corrupt: 0, records: 0, alertsSent: 0, quarantined: 0, failed: 0, failureReasons: [] };
  const startDay = Math.floor(range.start / 86_400_000) * 86_400_000;
  const wanted = (key: string): boolean => {
    const { kind, day } = readFlowLogKey(key);
    if (kind === 'ignored' || (day !== undefined && (day < startDay || day > range.end))) return false;
    const time = fileTime(key);
    return time === undefined || (time >= range.start && time <= range.end + FILE_SPAN_MS);
  };
  for (const listed of dayPrefixes(prefix, range.start, range.end + FILE_SPAN_MS) ?? [prefix]) {
    let next: string | undefined;
    do {
      const page = await deps.store.list(bucket, listed, next);
      for (const key of page.keys) {
        if (!wanted(key)) {
          progress.ignored++;
          continue;
        }
        let stats: ObjectStats | undefined;
        try {
          stats = await sendObject(bucket, key, deps);
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
          progress.failed += stats.sendFailures;
          if (stats.sendFailures > 0 && progress.failureReasons.length < 5) progress.failureReasons.push(`s3://${bucket}/${key}: ${stats.sendFailures} alerts not sent`);
        }
        onObject(key, stats, progress);
      }
      next = page.next;
    } while (next !== undefined);
  }
  return progress;
}
