import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emptyClose } from '../app/close-findings';
import type { AdmissionCounts } from '../app/finding-tracker';
import { emptyAdmissions, FindingTracker, pushTiming, shardOf } from '../app/finding-tracker';
import type { FindingStateStore } from '../app/ports';
import type { ObjectDeps, ObjectStats } from '../app/send-object';
import { sendObject } from '../app/send-object';
import type { FindingSettings } from '../core/finding';
import { readFlowLogKey } from '../core/flow-log-object';
import { readNotification } from '../core/object-notification';
import { LOG_GROUP_DIMENSION, METRICS } from '../settings/metric-names';
import type { CloseFindingsEvent } from './close-finding-windows';
import { closeFindingWindows, isCloseFindingsEvent } from './close-finding-windows';
import { addFindingMetrics } from './finding-metrics';

export type { CloseFindingsEvent, SQSBatchResponse, SQSEvent };

/** Everything the S3 source's handler needs, created once per container. */
export interface ObjectHandlerDeps extends ObjectDeps {
  /** The bucket (name) and key prefix the stack reads: notifications of anything else are refused. */
  readonly bucket: string;
  readonly prefix: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Current time, epoch ms: how late an object is for its window's findings. */
  readonly now: () => number;
  /**
   * The detectors, when alertMode is not `flows`: their state is kept under `s3://bucket/prefix`
   * in shards by object key, and the schedule's close-findings event sends closed windows' findings.
   */
  readonly findings?: { readonly settings: FindingSettings; readonly store: FindingStateStore; readonly lookbackMs: number };
}

interface Totals {
  objectsRead: number;
  objectsIgnored: number;
  corruptObjects: number;
  refusedObjects: number;
  records: number;
  alertsSent: number;
  unparsedRecords: number;
  quarantined: number;
  sendFailures: number;
  admissions: AdmissionCounts;
  findingStateResets: number;
}

/**
 * Builds the S3 source's handler: an SQS batch of object notifications (EventBridge "Object
 * Created" events, or S3 event notifications). Each object of the configured bucket and prefix is
 * read and sent; a message whose object could not be read from S3 or whose alerts could not all
 * be sent is reported as a batch item failure, so SQS delivers it again (the same alert_ids), and
 * after `maxReceiveCount` deliveries moves it to the dead-letter queue. Notifications of another
 * bucket or prefix, unreadable messages and objects that are not flow logs are acknowledged and
 * counted; a corrupt object is reported as an unparsed alert and acknowledged.
 */
export function createObjectHandler(deps: ObjectHandlerDeps): {
  (event: SQSEvent, context?: Partial<Context>): Promise<SQSBatchResponse>;
  (event: CloseFindingsEvent, context?: Partial<Context>): Promise<void>;
} {
  const origin = `s3://${deps.bucket}/${deps.prefix}`;
  const outlets = {
    publisher: deps.publisher, maxMessageBytes: deps.maxMessageBytes,
    ...(deps.quarantine !== undefined && { quarantine: deps.quarantine }),
    ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }),
  };
  const handler = async (event: SQSEvent | CloseFindingsEvent, context?: Partial<Context>): Promise<SQSBatchResponse | void> => {
    if (context?.functionName !== undefined) deps.logger.addContext(context as Context);
    if (isCloseFindingsEvent(event)) return closeFindingWindows([origin], { ...deps, outlets });
    const totals: Totals = {
      objectsRead: 0, objectsIgnored: 0, corruptObjects: 0, refusedObjects: 0, records: 0, alertsSent: 0, unparsedRecords: 0, quarantined: 0, sendFailures: 0,
      admissions: emptyAdmissions(), findingStateResets: 0,
    };
    const failures: Array<{ itemIdentifier: string }> = [];
    try {
      for (const message of event.Records) {
        const notification = readNotification(message.body);
        if (notification.kind === 'test') {
          totals.objectsIgnored++;
          continue;
        }
        if (notification.kind === 'invalid') {
          totals.refusedObjects++;
          deps.logger.warn('notification refused: it names no object', { messageId: message.messageId, reason: notification.reason });
          continue;
        }
        for (const object of notification.objects) {
          if (object.bucket !== deps.bucket || !object.key.startsWith(deps.prefix)) {
            totals.refusedObjects++;
            deps.logger.warn('notification refused: only the configured bucket and prefix are read', { messageId: message.messageId, bucket: object.bucket.slice(0, 63) });
            continue;
          }
          if (readFlowLogKey(object.key).kind === 'ignored') {
            // A manifest or another service's file: nothing to read, and no finding state to touch.
            totals.objectsIgnored++;
            continue;
          }
          let stats: ObjectStats;
          let tracker: FindingTracker | undefined;
          try {
            const findings = deps.findings;
            // Each object's flows join the state shard of its key; concurrent objects rarely share one.
            tracker = findings === undefined ? undefined : await FindingTracker.open(findings.store, origin, shardOf(object.key), findings.settings);
            const admit = tracker === undefined || findings === undefined ? undefined : tracker.admitter(pushTiming(findings.lookbackMs, deps.now()).openAfter);
            stats = await sendObject(object.bucket, object.key, deps, admit);
            // The held flows exist only in the state: the object is done once it is saved (else it is read again).
            await tracker?.save();
          } catch (error) {
            // Deleted (or never written) before it could be read to its end: retrying cannot help. Flows
            // already held (row groups read before it went) are kept, so they still reach a finding.
            if (isGone(error) && (await saved(tracker))) {
              totals.refusedObjects++;
              deps.logger.warn('notified object no longer exists; acknowledged', { messageId: message.messageId, key: object.key.slice(0, 1024) });
              continue;
            }
            // S3 or the network failed: SQS delivers the message again; the records repeat with the same ids.
            deps.logger.error('object could not be read; the notification is delivered again', { messageId: message.messageId, key: object.key.slice(0, 1024), error: error as Error });
            failures.push({ itemIdentifier: message.messageId });
            break;
          }
          add(totals, stats);
          if (tracker !== undefined) {
            for (const k of Object.keys(totals.admissions) as Array<keyof AdmissionCounts>) totals.admissions[k] += tracker.counts[k];
            if (tracker.discarded !== undefined) {
              totals.findingStateResets++;
              deps.logger.error('the stored finding state could not be read and was started afresh; findings of open windows may be incomplete', { reason: tracker.discarded });
            }
          }
          if (stats.outcome === 'corrupt') deps.logger.error('object could not be read to its end; what came before was sent, the fault as an unparsed alert', { key: object.key.slice(0, 1024), reason: stats.corruptReason });
          if (stats.sendFailures > 0) {
            deps.logger.error('alerts of an object could not be sent; the notification is delivered again', { messageId: message.messageId, key: object.key.slice(0, 1024), sendFailures: stats.sendFailures });
            failures.push({ itemIdentifier: message.messageId });
            break;
          }
        }
      }
      deps.logger.info('objects processed', { ...totals, failedMessages: failures.length });
      return { batchItemFailures: failures };
    } finally {
      publish(totals, origin, deps.metrics, deps.findings !== undefined);
    }
  };
  return handler as ReturnType<typeof createObjectHandler>;
}

/** Saves `tracker`'s state; false when it could not be (the message is then delivered again). */
async function saved(tracker: FindingTracker | undefined): Promise<boolean> {
  try {
    await tracker?.save();
    return true;
  } catch {
    return false;
  }
}

function isGone(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

function add(totals: Totals, stats: ObjectStats): void {
  if (stats.outcome === 'ignored') {
    totals.objectsIgnored++;
    return;
  }
  totals.objectsRead++;
  if (stats.outcome === 'corrupt') totals.corruptObjects++;
  totals.records += stats.records;
  totals.alertsSent += stats.alertsSent;
  totals.unparsedRecords += stats.unparsedRecords;
  totals.quarantined += stats.quarantined;
  totals.sendFailures += stats.sendFailures;
}

function publish(t: Totals, origin: string, metrics: Metrics, findings: boolean): void {
  metrics.addDimension(LOG_GROUP_DIMENSION, origin);
  metrics.addMetric(METRICS.objectsRead, MetricUnit.Count, t.objectsRead);
  metrics.addMetric(METRICS.objectsIgnored, MetricUnit.Count, t.objectsIgnored);
  metrics.addMetric(METRICS.corruptObjects, MetricUnit.Count, t.corruptObjects);
  metrics.addMetric(METRICS.refusedObjects, MetricUnit.Count, t.refusedObjects);
  metrics.addMetric(METRICS.recordsRead, MetricUnit.Count, t.records);
  metrics.addMetric(METRICS.alertsSent, MetricUnit.Count, t.alertsSent);
  metrics.addMetric(METRICS.unparsedRecords, MetricUnit.Count, t.unparsedRecords);
  metrics.addMetric(METRICS.quarantined, MetricUnit.Count, t.quarantined);
  metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, t.sendFailures);
  // Findings are sent by the closer; objects report what they held, allowlisted and sent late.
  if (findings) addFindingMetrics(metrics, t.admissions, emptyClose(), t.findingStateResets);
  metrics.publishStoredMetrics();
}
