import type { SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { planBatches } from '../core/message-body';
import type { AlertPublisher, OutboundMessage, PublishResult } from '../app/ports';
import type { Sleep } from './retry';
import { backoffDelay, realSleep } from './retry';

/** Settings of the SQS publisher. */
export interface SqsPublisherOptions {
  readonly queueUrl: string;
  /** FIFO queues need a message group and deduplication id on every message. */
  readonly fifo: boolean;
  /** Largest SendMessageBatch payload in bytes, attributes included (SQS allows 1 MiB). */
  readonly maxBatchBytes: number;
  /** Batches in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Attempts for entries SQS reports as failed (and for failed calls). @default 4 */
  readonly maxAttempts?: number;
  readonly sleep?: Sleep;
}

/**
 * Publishes with SendMessageBatch: at most 10 entries and `maxBatchBytes` a call, a few calls in
 * flight. SendMessageBatch answers 200 even when entries fail, so `Failed` entries are retried
 * with backoff; entries that still fail (or whose call keeps failing) are reported, never hidden.
 */
export class SqsPublisher implements AlertPublisher {
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly sleep: Sleep;

  public constructor(private readonly client: SQSClient, private readonly options: SqsPublisherOptions) {
    this.concurrency = options.concurrency ?? 4;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.sleep = options.sleep ?? realSleep;
  }

  public async publish(messages: readonly OutboundMessage[]): Promise<PublishResult> {
    const sizes = messages.map(messageBytes);
    const batches = planBatches(sizes, this.options.maxBatchBytes).map(([start, end]) => messages.slice(start, end));
    const sent: string[] = [];
    const failed: Array<{ id: string; reason: string }> = [];
    let next = 0;
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
    const failed: Array<{ id: string; reason: string }> = [];
    let pending = batch;
    let lastReason = new Map<string, string>();
    for (let attempt = 0; attempt < this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 0) await this.sleep(backoffDelay(attempt, 100, 2000));
      try {
        const output = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: pending.map((m) => this.entry(m)) }),
        );
        const retry = new Set<string>();
        lastReason = new Map();
        for (const failure of output.Failed ?? []) {
          if (failure.Id === undefined) continue;
          const reason = `${failure.Code ?? 'Failed'}${failure.Message ? `: ${failure.Message}` : ''}`;
          // A sender fault (a malformed entry) fails the same way on every attempt.
          if (failure.SenderFault === true) failed.push({ id: failure.Id, reason });
          else retry.add(failure.Id);
          lastReason.set(failure.Id, reason);
        }
        for (const m of pending) if (!lastReason.has(m.id)) sent.push(m.id);
        pending = pending.filter((m) => retry.has(m.id));
      } catch (error) {
        lastReason = new Map(pending.map((m) => [m.id, (error as Error).name || String(error)]));
      }
    }
    for (const m of pending) failed.push({ id: m.id, reason: lastReason.get(m.id) ?? 'not sent' });
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

/** Bytes SQS counts for a message: body plus each attribute's name, type and value. */
function messageBytes(message: OutboundMessage): number {
  let bytes = Buffer.byteLength(message.body);
  for (const [name, value] of Object.entries(message.attributes)) bytes += Buffer.byteLength(name) + 'String'.length + Buffer.byteLength(value);
  return bytes;
}
