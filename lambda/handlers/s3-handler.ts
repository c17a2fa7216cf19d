import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emptyClose } from '../app/close-findings';
import type { AdmissionCounts } from '../app/finding-tracker';
import { emptyAdmissions, FindingTracker, pushTiming, shardOf } from '../app/finding-tracker';
import type { AlertPublisher, FindingStateStore } from '../app/ports';
import type { ObjectDeps, ObjectStats } from '../app/send-object';
import { sendObject } from '../app/send-object';
import type { FindingSettings } from '../core/finding';
import { readFlowLogKey } from '../core/flow-log-object';
import type { ObjectRef } from '../core/object-notification';
import { continuationBody, readNotification } from '../core/object-notification';
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
  /**
   * The notification queue, for continuation messages: the rest of an object the invocation ran
   * out of time in. Absent: objects are read to their end or the timeout (and then read again).
   */
  readonly continuation?: AlertPublisher;
}

interface Totals {
  objectsRead: number;
  objectsIgnored: number;
  corruptObjects: number;
  refusedObjects: number;
  /** Objects (or their rest) handed to a continuation message because the invocation ran out of time. */
  objectsContinued: number;
  records: number;
  alertsSent: number;
  unparsedRecords: number;
  quarantined: number;
  sendFailures: number;
  admissions: AdmissionCounts;
  findingStateResets: number;
}

/** Time kept back from the function's timeout once an invocation stops reading: a quarter of it, at most 30 seconds. */
const TIME_RESERVE_MS = 30_000;

/**
 * Builds the S3 source's handler: an SQS batch of object notifications (EventBridge "Object
 * Created" events, or S3 event notifications). Each object of the configured bucket and prefix is
 * read and sent; a message whose object could not be read from S3 or whose alerts could not all
 * be sent is reported as a batch item failure, so SQS delivers it again (the same alert_ids), and
 * after `maxReceiveCount` deliveries moves it to the dead-letter queue. Notifications of another
 * bucket or prefix, unreadable messages and objects that are not flow logs are acknowledged and
 * counted; a corrupt object is reported as an unparsed alert and acknowledged. When the invocation
 * runs low on time, the object in hand stops after its current batch and it (and every object not
 * yet started) is handed to a continuation message on the notification queue, from the line or
 * row where it stopped: an object of any size is read to its end, in as many invocations as it
 * takes, never skipped.
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
      objectsRead: 0, objectsIgnored: 0, corruptObjects: 0, refusedObjects: 0, objectsContinued: 0, records: 0, alertsSent: 0, unparsedRecords: 0,
      quarantined: 0, sendFailures: 0, admissions: emptyAdmissions(), findingStateResets: 0,
    };
    const failures: Array<{ itemIdentifier: string }> = [];
    const remaining = context?.getRemainingTimeInMillis?.bind(context);
    const reserveMs = remaining === undefined ? 0 : Math.min(TIME_RESERVE_MS, Math.floor(remaining() / 4));
    const outOfTime = (): boolean => remaining !== undefined && remaining() < reserveMs;
    /** Hands `object` from line or row `from` to a continuation message; false when it could not be sent. */
    const continueLater = async (object: ObjectRef, from: number): Promise<boolean> => {
      if (deps.continuation === undefined) return false;
      const body = continuationBody({ bucket: object.bucket, key: object.key, from });
      // The notification queue is a standard queue: the FIFO fields are not sent.
      const answer = await deps.continuation.publish([{ id: '0', body, attributes: { kind: 'continuation' }, groupId: '', deduplicationId: '' }]);
      if (answer.sent.length === 0) return false;
      totals.objectsContinued++;
      deps.logger.info('object continued in another invocation', { key: object.key.slice(0, 1024), from });
      return true;
    };
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
          if (deps.continuation !== undefined && outOfTime()) {
            // Not started: handed on whole (or from where an earlier continuation stopped).
            if (await continueLater(object, object.from ?? 1)) continue;
            failures.push({ itemIdentifier: message.messageId });
            break;
          }
          let stats: ObjectStats;
          let tracker: FindingTracker | undefined;
          try {
            const findings = deps.findings;
            // Each object's flows join the state shard of its key; concurrent objects rarely share one.
            tracker = findings === undefined ? undefined : await FindingTracker.open(findings.store, origin, shardOf(object.key), findings.settings);
            const admit = tracker === undefined || findings === undefined ? undefined : tracker.admitter(pushTiming(findings.lookbackMs, deps.now()).openAfter);
            stats = await sendObject(object.bucket, object.key, deps, {
              ...(admit !== undefined && { admit }), ...(object.from !== undefined && { from: object.from }),
              // Only when a continuation can carry the rest; else the object is read to its end (or the timeout).
              ...(deps.continuation !== undefined && { stop: outOfTime }),
            });
            // The held flows exist only in the state: the object (or its part) is done once it is saved (else it is read again).
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
          // A part always moves on (next is past where it started), so a chain of continuations ends with the object.
          if (stats.outcome === 'partial' && !((stats.next ?? 0) > (object.from ?? 1) && (await continueLater(object, stats.next ?? 1)))) {
            // The rest could not be handed on: the message comes back, and the object is read again (the same ids).
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
  // An object counts as read once, when its last part is (a continued part is counted as continued).
  if (stats.outcome !== 'partial') totals.objectsRead++;
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
  metrics.addMetric(METRICS.objectsContinued, MetricUnit.Count, t.objectsContinued);
  metrics.addMetric(METRICS.recordsRead, MetricUnit.Count, t.records);
  metrics.addMetric(METRICS.alertsSent, MetricUnit.Count, t.alertsSent);
  metrics.addMetric(METRICS.unparsedRecords, MetricUnit.Count, t.unparsedRecords);
  metrics.addMetric(METRICS.quarantined, MetricUnit.Count, t.quarantined);
  metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, t.sendFailures);
  // Findings are sent by the closer; objects report what they held, allowlisted and sent late.
  if (findings) addFindingMetrics(metrics, t.admissions, emptyClose(), t.findingStateResets);
  metrics.publishStoredMetrics();
}
