import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { AlertPublisher, OutboundMessage, PublishFailure, PublishResult } from '../app/ports';
import type { Sleep } from './retry';
import { backoffDelay, realSleep } from './retry';

/** SQS's largest message and SendMessageBatch payload (1 MiB); a queue's own MaximumMessageSize may be lower. */
export const SQS_MAX_BYTES = 1_048_576;

/**
 * Batches in flight at once, sized from `npm run bench` (latency model: SendMessageBatch 20 ms): a
 * 5,000-alert run takes 5.5x its floor with 4 in flight, 1.9x with 16, 1.3x with 32 and 1.1x with 50.
 * 32 keeps a run within 2x of its floor with room to spare, under the SDK's 50 keep-alive sockets.
 */
export const DEFAULT_SEND_CONCURRENCY = 32;

/**
 * Whole-call errors that are about an entry's content: the batch is split and each entry sent alone,
 * so the bad one is found and the others go through. Any other error (throttling, 5xx, a network
 * fault, access or KMS problems, which every entry would meet) is transient: retried, then re-read.
 */
const CONTENT_ERRORS: ReadonlySet<string> = new Set([
  'InvalidMessageContents', 'MessageTooLong', 'BatchRequestTooLong', 'InvalidBatchEntryId',
  'AWS.SimpleQueueService.BatchRequestTooLong', 'AWS.SimpleQueueService.InvalidBatchEntryId',
]);

/**
 * Entry codes that are worth retrying whatever `SenderFault` says: throttling and KMS hiccups on a
 * queue encrypted with a customer key have been seen flagged as sender faults.
 */
const ALWAYS_TRANSIENT: ReadonlySet<string> = new Set([
  'RequestThrottled', 'ThrottlingException', 'KmsThrottled', 'KMS.ThrottlingException', 'ServiceUnavailable', 'InternalError', 'InternalFailure',
]);

/** Settings of the SQS publisher. */
export interface SqsPublisherOptions {
  readonly queueUrl: string;
  /** FIFO queues need a message group and deduplication id on every message. */
  readonly fifo: boolean;
  /** Largest SendMessageBatch payload in bytes, attributes included (SQS allows 1 MiB). */
  readonly maxBatchBytes: number;
  /** Batches in flight at once. @default DEFAULT_SEND_CONCURRENCY */
  readonly concurrency?: number;
  /** Attempts for entries SQS reports as failed (and for failed calls). @default 4 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/**
 * Publishes with SendMessageBatch: at most 10 entries and `maxBatchBytes` a call, a bounded pool of
 * calls in flight. This is the only retry layer for SQS (build the client with `maxAttempts: 1`).
 * SendMessageBatch answers 200 even when entries fail: `Failed` entries with `SenderFault: false`
 * are retried with backoff; sender faults are reported at once as permanent (they fail the same way
 * every time). Nothing is hidden: every message is in `sent` or `failed`.
 */
export class SqsPublisher implements AlertPublisher {
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  public constructor(private readonly client: SQSClient, private readonly options: SqsPublisherOptions) {
    this.concurrency = options.concurrency ?? DEFAULT_SEND_CONCURRENCY;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.sleep = options.sleep ?? realSleep;
  }

  public async publish(messages: readonly OutboundMessage[]): Promise<PublishResult> {
    const batches = planBatches(messages.map(messageBytes), this.options.maxBatchBytes).map(([start, end]) => messages.slice(start, end));
    const sent: string[] = [];
    const failed: PublishFailure[] = [];
    let next = 0;
    // A fixed pool of workers pulls batches: memory stays one batch per worker.
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++] as OutboundMessage[];
        const result = await this.sendWithRetries(batch);
        sent.push(...result.sent);
        failed.push(...result.failed);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
    return { sent, failed };
  }

  private async sendWithRetries(batch: readonly OutboundMessage[]): Promise<PublishResult> {
    const sent: string[] = [];
    const failed: PublishFailure[] = [];
    let pending = batch;
    let lastReason = new Map<string, string>();
    for (let attempt = 0; attempt < this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) await this.sleep(backoffDelay(attempt, 100, 2000));
      try {
        const output = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: pending.map((m) => this.entry(m)) }),
        );
        const retry = new Set<string>();
        const asked = new Set(pending.map((m) => m.id));
        lastReason = new Map();
        for (const failure of output.Failed ?? []) {
          if (failure.Id === undefined || !asked.has(failure.Id)) continue;
          const reason = `${failure.Code ?? 'Failed'}${failure.Message ? `: ${failure.Message}` : ''}`;
          // A sender fault (a malformed entry) fails the same way on every attempt.
          if (failure.SenderFault === true && !ALWAYS_TRANSIENT.has(failure.Code ?? '')) failed.push({ id: failure.Id, reason, permanent: true });
          else retry.add(failure.Id);
          lastReason.set(failure.Id, reason);
        }
        for (const m of pending) if (!lastReason.has(m.id)) sent.push(m.id);
        pending = pending.filter((m) => retry.has(m.id));
      } catch (error) {
        const name = (error as Error).name || String(error);
        if (CONTENT_ERRORS.has(name)) {
          if (pending.length === 1) {
            failed.push({ id: (pending[0] as OutboundMessage).id, reason: `${name}: ${(error as Error).message}`, permanent: true });
            pending = [];
            break;
          }
          // One entry spoils the call: send each alone, so only that one fails.
          const singles = await Promise.all(pending.map((m) => this.sendWithRetries([m])));
          for (const result of singles) {
            sent.push(...result.sent);
            failed.push(...result.failed);
          }
          pending = [];
          break;
        }
        lastReason = new Map(pending.map((m) => [m.id, name]));
      }
    }
    for (const m of pending) failed.push({ id: m.id, reason: lastReason.get(m.id) ?? 'not sent', permanent: false });
    return { sent, failed };
  }

  private entry(message: OutboundMessage): SendMessageBatchRequestEntry {
    const attributes = Object.fromEntries(
      Object.entries(message.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    return {
      Id: message.id,
      MessageBody: message.body,
      MessageAttributes: attributes,
      ...(this.options.fifo && { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId }),
    };
  }
}

/**
 * Groups message sizes into SendMessageBatch calls: at most `maxEntries` (10) entries and
 * `maxBatchBytes` in all. Returns index ranges `[start, end)` over `sizes`, in order.
 */
export function planBatches(sizes: readonly number[], maxBatchBytes: number, maxEntries = 10): Array<[number, number]> {
  const batches: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < sizes.length; i++) {
    const size = sizes[i] as number;
    if (i > start && (i - start === maxEntries || bytes + size > maxBatchBytes)) {
      batches.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (start < sizes.length) batches.push([start, sizes.length]);
  return batches;
}

/** Bytes SQS counts for a message: body plus each attribute's name, type and value. */
function messageBytes(message: OutboundMessage): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes)) bytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  return bytes;
}
