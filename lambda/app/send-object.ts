import type { OutputFormat } from '../core/contract-version';
import { flowTime, readFlowLogKey } from '../core/flow-log-object';
import { compileFormat } from '../core/log-format';
import type { ClassifyOptions } from '../core/normalize';
import { CorruptObjectError, readFlowLogObject } from './flow-log-records';
import type { AlertPublisher, ObjectStore } from './ports';
import type { Admit } from './send-alerts';
import { sendAlerts } from './send-alerts';

/** What sending one object needs. */
export interface ObjectDeps {
  readonly store: ObjectStore;
  readonly publisher: AlertPublisher;
  readonly quarantine?: AlertPublisher;
  readonly maxMessageBytes: number;
  readonly classify?: ClassifyOptions;
  readonly outputFormat?: OutputFormat;
}

/** What sending one object did. */
export interface ObjectStats {
  /**
   * `ignored`: not a flow-log file (a manifest, another service's log); `corrupt`: the object itself
   * cannot be read to its end; `partial`: stopped in time, to be continued from `next`.
   */
  readonly outcome: 'sent' | 'ignored' | 'corrupt' | 'send-failed' | 'partial';
  /** The line or row to continue from (`partial`). */
  next?: number;
  records: number;
  alertsSent: number;
  unparsedRecords: number;
  quarantined: number;
  sendFailures: number;
  /** The time the object's flows are counted at for findings (see {@link flowTime}); 0 when not read. */
  flowTime: number;
  /** Flows the detectors hold in findings (or that are allowlisted, or only counted) and did not send on their own. */
  held: number;
  /** Why the object could not be read to its end. */
  corruptReason?: string;
}

/** How much of an object to send. */
export interface ObjectReading {
  /** Gives each flow to the detectors (alertMode `findings` or `both`); true to also send it on its own. */
  readonly admit?: Admit;
  /** The first line or row to send (a continued object). @default 1 */
  readonly from?: number;
  /** Asked after each batch: true to stop there (the invocation is running out of time). */
  readonly stop?: () => boolean;
}

/**
 * Sends every record of one S3 flow-log object through the same path as CloudWatch Logs records:
 * the same parser, contract, classification and publisher. Each record's event id is
 * `s3:<bucket>/<key>#<line or row>`, so sending an object again (a redelivered notification, a
 * retried batch) repeats the same `alert_id`s and never invents new ones. A fault of the object
 * itself (corrupt gzip, not Parquet) is sent as one unparsed alert at the place it stopped, and the
 * object counts as done; a fault of the store is thrown, so the notification is retried. The
 * detectors time each flow by {@link flowTime}. A reading told to `stop` ends after the batch in
 * hand, `partial`, naming where to continue.
 */
export async function sendObject(bucket: string, key: string, deps: ObjectDeps, reading: ObjectReading = {}): Promise<ObjectStats> {
  const { admit, from = 1, stop } = reading;
  const { kind } = readFlowLogKey(key);
  const stats: ObjectStats = { outcome: 'sent', records: 0, alertsSent: 0, unparsedRecords: 0, quarantined: 0, sendFailures: 0, held: 0, flowTime: 0 };
  if (kind === 'ignored') return { ...stats, outcome: 'ignored' };
  const { lastModified } = await deps.store.head(bucket, key);
  stats.flowTime = flowTime(key, lastModified);
  const at = stats.flowTime;
  const admitAt: Admit | undefined = admit === undefined ? undefined : (alert, event) => admit(alert, { ...event, timestamp: at });
  const outlets = {
    publisher: deps.publisher, maxMessageBytes: deps.maxMessageBytes,
    ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
    ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }),
  };
  const origin = `s3://${bucket}/${key}`;
  const send = async (format: Parameters<typeof sendAlerts>[0]['format'], records: ReadonlyArray<{ message: string; position: number; unparsedReason?: string }>): Promise<void> => {
    const events = records.map((r) => ({
      eventId: `s3:${bucket}/${key}#${r.position}`,
      timestamp: lastModified,
      message: r.message,
      s3: { bucket, key, ...(kind === 'parquet' ? { row: r.position } : { line: r.position }) },
      ...(r.unparsedReason !== undefined && { unparsedReason: r.unparsedReason }),
    }));
    const result = await sendAlerts({ logGroup: origin, format, ...(deps.classify !== undefined && { classify: deps.classify }), ...(admitAt !== undefined && { admit: admitAt }) }, events, outlets);
    stats.held += result.held.length;
    stats.records += records.length;
    stats.alertsSent += result.sent.length;
    stats.unparsedRecords += result.sent.filter((s) => s.alert.raw_event.record_format === 'unparsed').length;
    stats.quarantined += result.quarantined.length;
    stats.sendFailures += result.failed.length;
  };
  let lastFormat: Parameters<typeof sendAlerts>[0]['format'] | undefined;
  try {
    for await (const batch of readFlowLogObject(deps.store, bucket, key, kind, from)) {
      lastFormat = batch.format;
      await send(batch.format, batch.records);
      const last = batch.records[batch.records.length - 1];
      if (stop?.() === true && last !== undefined) {
        // Out of time: the rest is continued, or (some alerts not sent) the whole reading repeated.
        return stats.sendFailures > 0 ? { ...stats, outcome: 'send-failed' } : { ...stats, outcome: 'partial', next: last.position + 1 };
      }
    }
  } catch (error) {
    if (!(error instanceof CorruptObjectError)) throw error;
    // Everything before the fault was sent; the fault itself is one unparsed alert, never a retry loop.
    stats.corruptReason = error.message;
    await send(lastFormat ?? compileFormat(), [{ message: `corrupt object ${origin}`, position: error.position, unparsedReason: error.message }]);
    return { ...stats, outcome: stats.sendFailures > 0 ? 'send-failed' : 'corrupt' };
  }
  return { ...stats, outcome: stats.sendFailures > 0 ? 'send-failed' : 'sent' };
}

