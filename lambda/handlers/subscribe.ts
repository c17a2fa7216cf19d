/**
 * Push mode's Lambda entry point: CloudWatch Logs subscription deliveries, directly or through a
 * Kinesis stream. Configuration and clients once per container, then
 * {@link createSubscribeHandler} runs every invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbFindingStore } from '../adapters/dynamodb-finding-store';
import { compileFormat } from '../core/log-format';
import { coldStart } from './cold-start';
import { createSubscribeHandler } from './subscribe-handler';

const { config, logger, metrics, publisher, quarantine } = coldStart('subscribe');

export const handler = createSubscribeHandler({
  logger,
  metrics,
  formats: new Map(config.logGroups.map((g) => [g.name, g.format])),
  defaultFormat: compileFormat(),
  publisher,
  quarantine,
  maxMessageBytes: config.maxMessageBytes,
  outputFormat: config.outputFormat,
  classify: config.classify,
  now: Date.now,
  ...(config.findings.alertMode !== 'flows' && {
    findings: { settings: config.findings, store: new DynamoDbFindingStore(new DynamoDBClient({}), config.checkpointTable), lookbackMs: config.lookbackMs },
  }),
});
