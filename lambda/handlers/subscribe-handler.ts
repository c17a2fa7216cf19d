import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CloudWatchLogsEvent, Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { DeliveryDeps, DeliveryStats } from '../app/receive-delivery';
import { receiveDelivery } from '../app/receive-delivery';
import { emptyClose } from '../app/close-findings';
import type { AdmissionCounts } from '../app/finding-tracker';
import { emptyAdmissions } from '../app/finding-tracker';
import type { CloseFindingsEvent } from './close-finding-windows';
import { closeFindingWindows, isCloseFindingsEvent } from './close-finding-windows';
import { LOG_GROUP_DIMENSION, METRICS, UNTRUSTED_LOG_GROUP } from '../settings/metric-names';
import { addFindingMetrics } from './finding-metrics';

export type { CloudWatchLogsEvent, CloseFindingsEvent, KinesisStreamBatchResponse, KinesisStreamEvent };

/** Refused group names logged per container: enough to name the culprits, bounded against a flood of forged names. */
const MAX_REFUSED_NAMES_LOGGED = 100;

/** Thrown for a direct delivery with failed sends, so Lambda retries it and finally dead-letters it. */
export class DeliveryNotSentError extends Error {
  public constructor(public readonly stats: DeliveryStats) {
    super(`${stats.sendFailures} of ${stats.recordsRead} alerts from ${stats.logGroup ?? 'a delivery'} could not be sent; the delivery is retried`);
    this.name = 'DeliveryNotSentError';
  }
}

/** Everything the subscription handler needs, created once per container. */
export interface SubscribeHandlerDeps extends DeliveryDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The parts of the Lambda context the subscriber uses. */
export type SubscribeContext = Pick<Context, 'invokedFunctionArn'> & Partial<Context>;

/**
 * Builds the push-mode handler. A direct subscription delivery whose sends fail throws, so Lambda
 * retries it (and its on-failure destination keeps it after that). A Kinesis batch reports the
 * first failed record as a batch item failure and stops there: the mapping retries from it, with
 * bisect-on-error isolating a record that keeps failing. Records the queue refuses go to the
 * quarantine queue and never fail a delivery.
 */
export function createSubscribeHandler(deps: SubscribeHandlerDeps): (event: CloudWatchLogsEvent | KinesisStreamEvent | CloseFindingsEvent, context: SubscribeContext) => Promise<KinesisStreamBatchResponse | void> {
  const refusedNames = new Set<string>();
  return async (event, context) => {
    if (context.functionName !== undefined) deps.logger.addContext(context as Context);
    if (isCloseFindingsEvent(event)) {
      const outlets = { publisher: deps.publisher, quarantine: deps.quarantine, maxMessageBytes: deps.maxMessageBytes, ...(deps.outputFormat !== undefined && { outputFormat: deps.outputFormat }) };
      await closeFindingWindows(deps.formats.keys(), { ...deps, outlets });
      return;
    }
    // arn:aws:lambda:<region>:<account>:function:<name>
    const account = context.invokedFunctionArn.split(':')[4];
    const totals = new Map<string, Totals>();
    const record = (stats: DeliveryStats): void => recordStats(stats, totals, refusedNames, deps);
    try {
      if ('awslogs' in event) {
        const stats = await receiveDelivery(event.awslogs.data, deps, account);
        record(stats);
        if (stats.sendFailures > 0) throw new DeliveryNotSentError(stats);
        return;
      }
      for (const item of event.Records) {
        let stats: DeliveryStats;
        try {
          stats = await receiveDelivery(item.kinesis.data, deps, account, item.kinesis.sequenceNumber);
        } catch (error) {
          // The finding state could not be saved (or another fault): retry from this record only.
          deps.logger.error('delivery failed; Kinesis retries from this record', { sequenceNumber: item.kinesis.sequenceNumber, error: error as Error });
          return { batchItemFailures: [{ itemIdentifier: item.kinesis.sequenceNumber }] };
        }
        record(stats);
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
  admissions: AdmissionCounts;
  findingStateResets: number;
  recordsRead: number;
  alertsSent: number;
  unparsedRecords: number;
  sendFailures: number;
  quarantined: number;
  corruptDeliveries: number;
  refusedDeliveries: number;
}

function recordStats(stats: DeliveryStats, totals: Map<string, Totals>, refusedNames: Set<string>, deps: SubscribeHandlerDeps): void {
  if (stats.kind === 'control') {
    deps.logger.info('control message from CloudWatch Logs acknowledged');
    return;
  }
  const group = stats.logGroup ?? UNTRUSTED_LOG_GROUP;
  if (stats.kind === 'corrupt') deps.logger.error('subscription delivery could not be decoded; sent as one unparsed alert', { reason: stats.reason });
  if (stats.kind === 'refused') {
    const name = stats.claimedGroup ?? '';
    if (!refusedNames.has(name) && refusedNames.size < MAX_REFUSED_NAMES_LOGGED) {
      refusedNames.add(name);
      deps.logger.warn('delivery refused: only the configured log groups of this account are read (logged once per group)', {
        claimedLogGroup: name, reason: stats.reason, records: stats.recordsRead,
      });
    }
  } else {
    deps.logger.info('delivery processed', {
      logGroup: group, recordsRead: stats.recordsRead, alertsSent: stats.alertsSent, bySeverity: stats.bySeverity,
      unparsedRecords: stats.unparsedRecords, headersSkipped: stats.headersSkipped, sendFailures: stats.sendFailures, quarantined: stats.quarantined,
    });
  }
  if (stats.quarantined > 0) {
    deps.logger.error('records the alert queue refused were moved to the quarantine queue', { logGroup: group, quarantined: stats.quarantined, records: stats.quarantinedRecords });
  }
  if (stats.findingStateDiscarded !== undefined) deps.logger.error('the stored finding state could not be read and was started afresh; findings of open windows may be incomplete', { logGroup: group, reason: stats.findingStateDiscarded });
  const t = totals.get(group) ?? { admissions: emptyAdmissions(), findingStateResets: 0, recordsRead: 0, alertsSent: 0, unparsedRecords: 0, sendFailures: 0, quarantined: 0, corruptDeliveries: 0, refusedDeliveries: 0 };
  if (stats.admissions !== undefined) for (const key of Object.keys(t.admissions) as Array<keyof AdmissionCounts>) t.admissions[key] += stats.admissions[key];
  if (stats.findingStateDiscarded !== undefined) t.findingStateResets++;
  t.recordsRead += stats.recordsRead;
  t.alertsSent += stats.alertsSent;
  t.unparsedRecords += stats.unparsedRecords;
  t.sendFailures += stats.sendFailures;
  t.quarantined += stats.quarantined;
  if (stats.kind === 'corrupt') t.corruptDeliveries++;
  if (stats.kind === 'refused') t.refusedDeliveries++;
  totals.set(group, t);
}

function publish(totals: Map<string, Totals>, deps: SubscribeHandlerDeps): void {
  for (const [group, t] of totals) {
    deps.metrics.addDimension(LOG_GROUP_DIMENSION, group);
    deps.metrics.addMetric(METRICS.recordsRead, MetricUnit.Count, t.recordsRead);
    deps.metrics.addMetric(METRICS.alertsSent, MetricUnit.Count, t.alertsSent);
    deps.metrics.addMetric(METRICS.unparsedRecords, MetricUnit.Count, t.unparsedRecords);
    deps.metrics.addMetric(METRICS.sendFailures, MetricUnit.Count, t.sendFailures);
    deps.metrics.addMetric(METRICS.quarantined, MetricUnit.Count, t.quarantined);
    deps.metrics.addMetric(METRICS.corruptDeliveries, MetricUnit.Count, t.corruptDeliveries);
    deps.metrics.addMetric(METRICS.refusedDeliveries, MetricUnit.Count, t.refusedDeliveries);
    // Findings are sent by the closer; deliveries report what they held, allowlisted and sent late.
    if (deps.findings !== undefined && group !== UNTRUSTED_LOG_GROUP) addFindingMetrics(deps.metrics, t.admissions, emptyClose(), t.findingStateResets);
    deps.metrics.publishStoredMetrics();
  }
}
