import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_BYTES, SqsPublisher } from '../adapters/sqs-publisher';
import type { PollerConfig } from '../app/config';
import { readConfig } from '../app/config';
import type { Mode } from '../settings/settings-table';
import { METRIC_NAMESPACE, METRIC_SERVICE } from '../settings/metric-names';

/** What both entry points set up once per container. */
export interface ColdStart {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: PollerConfig;
  /** The alert queue's publisher. */
  readonly publisher: SqsPublisher;
  /** The quarantine queue's publisher. */
  readonly quarantine: SqsPublisher;
  /** The SQS client the publishers share (one attempt a call). */
  readonly sqs: SQSClient;
}

/**
 * Reads and validates the configuration once (a bad setting fails the init with one error naming
 * every bad variable, logged), and creates the logger, metrics and SQS publishers. The SQS client
 * makes one attempt a call: the publisher is the one retry layer.
 */
export function coldStart(mode: Mode): ColdStart {
  const logger = new Logger({ serviceName: METRIC_SERVICE });
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });
  let config: PollerConfig;
  try {
    config = readConfig(process.env, mode);
  } catch (error) {
    logger.error('configuration rejected at cold start', error as Error);
    throw error;
  }
  // With a local endpoint (AWS_ENDPOINT_URL_SQS) queue URLs name a host that only the endpoint serves.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: process.env['AWS_ENDPOINT_URL_SQS'] === undefined, maxAttempts: 1 });
  return {
    logger,
    metrics,
    config,
    sqs,
    publisher: new SqsPublisher(sqs, { queueUrl: config.queueUrl, fifo: config.fifo, maxBatchBytes: config.maxMessageBytes }),
    quarantine: new SqsPublisher(sqs, { queueUrl: config.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }),
  };
}
