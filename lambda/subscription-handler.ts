/**
 * The push-mode Lambda entry point: CloudWatch Logs subscription deliveries, directly or through a
 * Kinesis stream. Configuration is read and validated once at cold start; clients are created once.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_BYTES, SqsPublisher } from './adapters/sqs-publisher';
import { readConfig } from './app/config';
import { METRIC_NAMESPACE, METRIC_SERVICE } from './app/metric-names';
import { compileFormat } from './core/log-format';
import { createSubscriber } from './subscriber';

const logger = new Logger({ serviceName: METRIC_SERVICE });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: METRIC_SERVICE });

const config = (() => {
  try {
    return readConfig(process.env, 'subscribe');
  } catch (error) {
    logger.error('configuration rejected at cold start', error as Error);
    throw error;
  }
})();

// Retries live in the publisher (maxAttempts: 1 here), so SendMessageBatch is retried in one layer.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: process.env['AWS_ENDPOINT_URL_SQS'] === undefined, maxAttempts: 1 });

export const handler = createSubscriber({
  logger,
  metrics,
  formats: new Map(config.logGroups.map((g) => [g.name, g.format])),
  defaultFormat: compileFormat(),
  publisher: new SqsPublisher(sqs, { queueUrl: config.queueUrl, fifo: config.fifo, maxBatchBytes: config.maxMessageBytes }),
  quarantine: new SqsPublisher(sqs, { queueUrl: config.quarantineQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }),
  maxMessageBytes: config.maxMessageBytes,
  now: Date.now,
});
