import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ObjectDeps, ObjectStats } from '../app/send-object';
import { sendObject } from '../app/send-object';
import { readNotification } from '../core/object-notification';
import { LOG_GROUP_DIMENSION, METRICS } from '../settings/metric-names';

export type { SQSBatchResponse, SQSEvent };

/** Everything the S3 source's handler needs, created once per container. */
export interface ObjectHandlerDeps extends ObjectDeps {
  /** The bucket (name) and key prefix the stack reads: notifications of anything else are refused. */
  readonly bucket: string;
  readonly prefix: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
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
export function createObjectHandler(deps: ObjectHandlerDeps): (event: SQSEvent, context?: Partial<Context>) => Promise<SQSBatchResponse> {
  const origin = `s3://${deps.bucket}/${deps.prefix}`;
  return async (event, context) => {
    if (context?.functionName !== undefined) deps.logger.addContext(context as Context);
    const totals: Totals = { objectsRead: 0, objectsIgnored: 0, corruptObjects: 0, refusedObjects: 0, records: 0, alertsSent: 0, unparsedRecords: 0, quarantined: 0, sendFailures: 0 };
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
          let stats: ObjectStats;
          try {
            stats = await sendObject(object.bucket, object.key, deps);
          } catch (error) {
            if (isGone(error)) {
              // Deleted (or never written) before it could be read: nothing to send, and retrying cannot help.
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
      publish(totals, origin, deps.metrics);
    }
  };
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

function publish(t: Totals, origin: string, metrics: Metrics): void {
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
  metrics.publishStoredMetrics();
}
