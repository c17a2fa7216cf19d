/**
 * Poll mode's Lambda entry point (EventBridge Scheduler): configuration and clients once per
 * container, then {@link createPollHandler} runs every invocation.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchLogSource } from '../adapters/cloudwatch-log-source';
import { DynamoDbCheckpointStore } from '../adapters/dynamodb-checkpoint-store';
import { DynamoDbFindingStore } from '../adapters/dynamodb-finding-store';
import { RateLimiter } from '../adapters/rate-limiter';
import { coldStart } from './cold-start';
import { createPollHandler } from './poll-handler';

const { config, logger, metrics, publisher, quarantine } = coldStart('poll');
const dynamo = new DynamoDBClient({});

export const handler = createPollHandler({
  config,
  logger,
  metrics,
  // One attempt a call: the reader retries, so every attempt passes the rate limiter and every throttle is counted.
  source: new CloudWatchLogSource(new CloudWatchLogsClient({ maxAttempts: 1 }), { limiter: new RateLimiter(config.filterRequestsPerSecond) }),
  publisher,
  quarantine,
  // DynamoDB keeps the SDK's standard retry: the store adds none of its own to single-item calls.
  checkpoints: new DynamoDbCheckpointStore(dynamo, config.checkpointTable),
  findingStore: new DynamoDbFindingStore(dynamo, config.checkpointTable),
});
