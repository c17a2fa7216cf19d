/**
 * The S3 source's Lambda entry point: SQS batches of notifications of new flow-log objects.
 * Configuration and clients once per container, then {@link createObjectHandler} runs every
 * invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbFindingStore } from '../adapters/dynamodb-finding-store';
import { S3ObjectStore } from '../adapters/s3-object-store';
import { SQS_MAX_BYTES, SqsPublisher } from '../adapters/sqs-publisher';
import { coldStart } from './cold-start';
import { createObjectHandler } from './s3-handler';

const { config, logger, metrics, publisher, quarantine, sqs } = coldStart('s3');
const notificationQueueUrl = config.s3?.notificationQueueUrl;

export const handler = createObjectHandler({
  logger,
  metrics,
  bucket: config.s3?.bucket ?? '',
  prefix: config.s3?.prefix ?? '',
  // The SDK's standard retry is the one layer for S3 reads; a read that still fails retries the message.
  store: new S3ObjectStore(new S3Client({})),
  publisher,
  quarantine,
  maxMessageBytes: config.maxMessageBytes,
  classify: config.classify,
  outputFormat: config.outputFormat,
  now: Date.now,
  // The rest of an object this invocation runs out of time in goes back to the queue it came from.
  ...(notificationQueueUrl !== undefined && { continuation: new SqsPublisher(sqs, { queueUrl: notificationQueueUrl, fifo: false, maxBatchBytes: SQS_MAX_BYTES }) }),
  ...(config.findings.alertMode !== 'flows' && {
    findings: { settings: config.findings, store: new DynamoDbFindingStore(new DynamoDBClient({}), config.checkpointTable), lookbackMs: config.lookbackMs },
  }),
});
