import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DeliveryDeps, DeliveryStats } from './app/handle-delivery';
import { handleDelivery } from './app/handle-delivery';
import { LOG_GROUP_DIMENSION, METRICS } from './app/metric-names';

/** A direct CloudWatch Logs subscription invocation. */
export interface CloudWatchLogsEvent {
  readonly awslogs: { readonly data: string };
}

/** A Kinesis event source mapping invocation (the stream a subscription filter writes to). */
export interface KinesisEvent {
  readonly Records: ReadonlyArray<{ readonly eventID?: string; readonly kinesis: { readonly data: string; readonly sequenceNumber: string } }>;
}

/** Partial batch response: Lambda retries from the lowest failed sequence number. */
export interface KinesisBatchResponse {
  readonly batchItemFailures: Array<{ readonly itemIdentifier: string }>;
}

/** Thrown for a direct delivery with failed sends, so Lambda retries it and finally dead-letters it. */
export class DeliveryNotSentError extends Error {
  public constructor(public readonly stats: DeliveryStats) {
    super(`${stats.sendFailures} of ${stats.recordsRead} alerts from ${stats.logGroup ?? 'a delivery'} could not be sent; the delivery is retried`);
    this.name = 'DeliveryNotSentError';
  }
}

/** Everything the subscription handler needs, created once per container. */
export interface SubscriberDeps extends DeliveryDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Builds the push-mode handler. A direct subscription delivery whose sends fail throws, so Lambda
 * retries it (and its on-failure destination keeps it after that). A Kinesis batch reports the
 * first failed record as a batch item failure and stops there: the mapping retries from it, with
 * bisect-on-error isolating a record that keeps failing.
 */
export function createSubscriber(deps: SubscriberDeps): (event: CloudWatchLogsEvent | KinesisEvent) => Promise<KinesisBatchResponse | void> {
  return async (event) => {
    const totals = new Map<string, Totals>();
    try {
      if ('awslogs' in event) {
        const stats = await handleDelivery(event.awslogs.data, deps);
        record(stats, totals, deps);
        if (stats.sendFailures > 0) throw new DeliveryNotSentError(stats);
        return;
      }
      for (const item of event.Records) {
        const stats = await handleDelivery(item.kinesis.data, deps, item.kinesis.sequenceNumber);
        record(stats, totals, deps);
        if (stats.sendFailures > 0) {
          deps.logger.error('alerts could not be sent; Kinesis retries from this record', { sequenceNumber: item.kinesis.sequenceNumber, logGroup: stats.logGroup });
          return { batchItemFailures: [{ itemIdentifier: item.kinesis.sequenceNumber }] };
        }
      }
      return { batchItemFailures: [] };
    } finally {
      publish(totals, deps);
    }
  };
}

interface Totals {
  recordsRead: number;
  alertsSent: number;
  unparsedRecords: number;
  sendFailures: number;
  corruptDeliveries: number;
}

function record(stats: DeliveryStats, totals: Map<string, Totals>, deps: SubscriberDeps): void {
  if (stats.kind === 'control') {
    deps.logger.info('control message from CloudWatch Logs acknowledged');
    return;
  }
  const group = stats.logGroup ?? 'unknown';
  if (stats.kind === 'corrupt') deps.logger.error('subscription delivery could not be decoded; sent as one unparsed alert', { reason: stats.reason });
  if (stats.unknownGroup === true) deps.logger.warn('delivery from a log group that is not configured; read with the default layout', { logGroup: group });
  deps.logger.info('delivery processed', {
    logGroup: group, recordsRead: stats.recordsRead, alertsSent: stats.alertsSent, bySeverity: stats.bySeverity,
    unparsedRecords: stats.unparsedRecords, headersSkipped: stats.headersSkipped, sendFailures: stats.sendFailures,
  });
  const t = totals.get(group) ?? { recordsRead: 0, alertsSent: 0, unparsedRecords: 0, sendFailures: 0, corruptDeliveries: 0 };
  t.recordsRead += stats.recordsRead;
  t.alertsSent += stats.alertsSent;
  t.unparsedRecords += stats.unparsedRecords;
  t.sendFailures += stats.sendFailures;
  if (stats.kind === 'corrupt') t.corruptDeliveries++;
  totals.set(group, t);
}

function publish(totals: Map<string, Totals>, deps: SubscriberDeps): void {
  for (const [group, t] of totals) {
    deps.metrics.addDimension(LOG_GROUP_DIMENSION, group);
    deps.metrics.addMetric(METRICS.recordsRead, MetricUnit.Count, t.recordsRead);
    deps.metrics.addMetric(METRICS.alertsSent, MetricUnit.Count, t.alertsSent);
    deps.metrics.addMetric(METRICS.unparsedRecords, MetricUnit.Count, t.unparsedRecords);
    deps.metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, t.sendFailures);
    deps.metrics.addMetric(METRICS.corruptDeliveries, MetricUnit.Count, t.corruptDeliveries);
    deps.metrics.publishStoredMetrics();
  }
}
