import { randomBytes } from 'node:crypto';
import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { BatchGetItemCommand, BatchWriteItemCommand, ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Checkpoint, CheckpointStore } from '../app/ports';
import type { PollPosition } from '../core/poll-window';
import { SeenSet } from '../core/seen-set';
import { CHECKPOINT_KEY, CHECKPOINT_TTL } from '../settings/settings-table';
import type { Sleep } from './retry';
import { backoffDelay, realSleep } from './retry';


/** DynamoDB items hold at most 400 KB; stay well under with the other attributes. */
const INLINE_LIMIT = 350_000;
const CHUNK_BYTES = 350_000;
/**
 * Spare chunks (a lost race, a failed delete) expire by themselves after this long. It is longer
 * than any catch-up (30 days at most), so a checkpoint idle that long still finds its chunks; a
 * checkpoint older than that restarts with an empty seen-set (repeats, never losses).
 */
const CHUNK_TTL_SECONDS = 35 * 24 * 3600;

interface ChunkRef {
  readonly id: string;
  readonly count: number;
}

/** Rounds of BatchGetItem/BatchWriteItem for keys or items DynamoDB left unprocessed, before giving up. */
const MAX_BATCH_ROUNDS = 8;

/** A lease this store holds: written back with every save, and a condition of it. */
interface Lease {
  readonly owner: string;
  readonly until: number;
}

/**
 * Checkpoints in DynamoDB, one item per log group (`checkpoint|<group>`), written with a
 * condition on its revision (and on this run's lease) so two overlapping runs cannot both advance
 * it. A seen-set larger than one item is written first as chunk items under a fresh random id; the
 * checkpoint item, written last, is the commit point that makes them current.
 *
 * Retries: single-item calls use the SDK's standard retry strategy (the one layer for DynamoDB);
 * the batch loops only resubmit what DynamoDB left unprocessed, with jittered backoff and a cap.
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  /** The chunks each group's current checkpoint uses, to delete them once replaced. */
  private readonly loadedChunks = new Map<string, ChunkRef>();
  private readonly leases = new Map<string, Lease>();

  public constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {}

  public async acquireLease(logGroup: string, owner: string, untilMs: number, nowMs: number): Promise<boolean> {
    const taken = await this.updateLease(logGroup, 'SET #owner = :owner, #until = :until', 'attribute_not_exists(#until) OR #until < :now OR #owner = :owner', {
      ':owner': { S: owner }, ':until': { N: String(untilMs) }, ':now': { N: String(nowMs) },
    });
    if (taken) this.leases.set(logGroup, { owner, until: untilMs });
    return taken;
  }

  public async releaseLease(logGroup: string, owner: string): Promise<void> {
    this.leases.delete(logGroup);
    // False when another run took over an expired lease: it is theirs now.
    await this.updateLease(logGroup, 'REMOVE #owner, #until', '#owner = :owner', { ':owner': { S: owner } });
  }

  /** A conditional update of the lease attributes; false when the condition failed. */
  private async updateLease(logGroup: string, update: string, condition: string, values: Record<string, AttributeValue>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(checkpointKey(logGroup)),
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#owner': 'leaseOwner', '#until': 'leaseUntil' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  public async load(logGroup: string): Promise<Checkpoint | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(checkpointKey(logGroup)), ConsistentRead: true }),
    );
    // An item with only a lease on it is a group that has never saved a checkpoint.
    if (item === undefined || item['revision']?.N === undefined) return undefined;
    const chunks = item['seenChunks']?.N !== undefined && item['seenId']?.S !== undefined
      ? { id: item['seenId'].S, count: Number(item['seenChunks'].N) }
      : undefined;
    if (chunks === undefined) this.loadedChunks.delete(logGroup);
    else this.loadedChunks.set(logGroup, chunks);
    const seenBytes = chunks === undefined ? (item['seen']?.B ?? new Uint8Array()) : ((await this.readChunks(logGroup, chunks)) ?? new Uint8Array());
    const pendingStart = item['pendingStart']?.N;
    const pendingEnd = item['pendingEnd']?.N;
    const pendingToken = item['pendingToken']?.S;
    const position: PollPosition = {
      watermark: Number(item['watermark']?.N ?? 0),
      ...(pendingStart !== undefined && pendingEnd !== undefined && {
        pending: { start: Number(pendingStart), end: Number(pendingEnd), ...(pendingToken !== undefined && { nextToken: pendingToken }) },
      }),
    };
    return { revision: Number(item['revision']?.N ?? 0), position, seen: SeenSet.decode(seenBytes) };
  }

  public async save(logGroup: string, expectedRevision: number | undefined, position: PollPosition, seen: SeenSet): Promise<boolean> {
    const bytes = seen.encode();
    // Identifies this write, so a retried PutItem whose first attempt succeeded is recognised.
    const writeId = randomBytes(8).toString('hex');
    const item: Record<string, AttributeValue> = {
      ...key(checkpointKey(logGroup)),
      logGroup: { S: logGroup },
      writeId: { S: writeId },
      revision: { N: String((expectedRevision ?? 0) + 1) },
      watermark: { N: String(position.watermark) },
      updatedAt: { S: new Date(this.now()).toISOString() },
    };
    const lease = this.leases.get(logGroup);
    if (lease !== undefined) {
      item['leaseOwner'] = { S: lease.owner };
      item['leaseUntil'] = { N: String(lease.until) };
    }
    if (position.pending !== undefined) {
      item['pendingStart'] = { N: String(position.pending.start) };
      item['pendingEnd'] = { N: String(position.pending.end) };
      if (position.pending.nextToken !== undefined) item['pendingToken'] = { S: position.pending.nextToken };
    }
    let written: ChunkRef | undefined;
    if (bytes.length <= INLINE_LIMIT) {
      item['seen'] = { B: bytes };
    } else {
      written = { id: randomBytes(8).toString('hex'), count: Math.ceil(bytes.length / CHUNK_BYTES) };
      await this.writeChunks(logGroup, written, bytes);
      item['seenId'] = { S: written.id };
      item['seenChunks'] = { N: String(written.count) };
    }
    const names: Record<string, string> = { '#revision': 'revision' };
    const values: Record<string, AttributeValue> = {};
    let condition = expectedRevision === undefined ? 'attribute_not_exists(#revision)' : '#revision = :expected';
    if (expectedRevision !== undefined) values[':expected'] = { N: String(expectedRevision) };
    if (lease !== undefined) {
      // A run whose lease was taken over (it outlived its invocation) must not write.
      condition += ' AND #owner = :owner';
      names['#owner'] = 'leaseOwner';
      values[':owner'] = { S: lease.owner };
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length > 0 && { ExpressionAttributeValues: values }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The SDK retries a PutItem whose answer was lost; the retry then fails its own condition.
      if (!(await this.isCurrentWrite(logGroup, writeId))) {
        if (written !== undefined) await this.deleteChunks(logGroup, written);
        return false;
      }
    }
    const replaced = this.loadedChunks.get(logGroup);
    if (written === undefined) this.loadedChunks.delete(logGroup);
    else this.loadedChunks.set(logGroup, written);
    if (replaced !== undefined && replaced.id !== written?.id) await this.deleteChunks(logGroup, replaced);
    return true;
  }

  private async isCurrentWrite(logGroup: string, writeId: string): Promise<boolean> {
    const { Item: current } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(checkpointKey(logGroup)), ConsistentRead: true, ProjectionExpression: 'writeId' }),
    );
    return current?.['writeId']?.S === writeId;
  }

  /** The seen-set bytes, or `undefined` when a chunk is gone (expired): the caller starts afresh. */
  private async readChunks(logGroup: string, chunks: ChunkRef): Promise<Uint8Array | undefined> {
    const parts = new Map<string, Uint8Array>();
    let pending = chunkKeys(logGroup, chunks).map((k) => key(k));
    let retries = 0;
    while (pending.length > 0) {
      const request = pending.slice(0, 100);
      pending = pending.slice(100);
      const output = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: request, ConsistentRead: true } } }),
      );
      for (const found of output.Responses?.[this.tableName] ?? []) {
        const id = found[CHECKPOINT_KEY]?.S;
        const data = found['data']?.B;
        if (id !== undefined && data !== undefined) parts.set(id, data);
      }
      const unprocessed = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      if (unprocessed.length > 0) {
        retries = await this.backOff(retries, unprocessed.length, 'reads');
        pending.push(...unprocessed);
      }
    }
    const ordered: Uint8Array[] = [];
    for (const k of chunkKeys(logGroup, chunks)) {
      const part = parts.get(k);
      if (part === undefined) return undefined;
      ordered.push(part);
    }
    return Buffer.concat(ordered);
  }

  private async writeChunks(logGroup: string, chunks: ChunkRef, bytes: Buffer): Promise<void> {
    const expiresAt = String(Math.floor(this.now() / 1000) + CHUNK_TTL_SECONDS);
    const items: WriteRequest[] = chunkKeys(logGroup, chunks).map((k, i) => ({
      PutRequest: { Item: { ...key(k), data: { B: bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES) }, [CHECKPOINT_TTL]: { N: expiresAt } } },
    }));
    await this.batchWrite(items);
  }

  private async deleteChunks(logGroup: string, chunks: ChunkRef): Promise<void> {
    // Best effort: a chunk left behind expires through the table's TTL.
    try {
      await this.batchWrite(chunkKeys(logGroup, chunks).map((k) => ({ DeleteRequest: { Key: key(k) } })));
    } catch {
      /* expired by TTL later */
    }
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    // BatchWriteItem takes 25 requests and 16 MB; one 350 KB chunk a request keeps both.
    let pending = requests;
    let retries = 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, 25);
      pending = pending.slice(25);
      const output = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tableName]: batch } }),
      );
      const unprocessed = output.UnprocessedItems?.[this.tableName] ?? [];
      if (unprocessed.length > 0) {
        retries = await this.backOff(retries, unprocessed.length, 'writes');
        pending.push(...unprocessed);
      }
    }
  }

  /** Waits before resubmitting unprocessed batch requests; throws once MAX_BATCH_ROUNDS is spent. */
  private async backOff(retries: number, left: number, what: string): Promise<number> {
    if (retries >= MAX_BATCH_ROUNDS) throw new Error(`DynamoDB left ${left} checkpoint chunk ${what} unprocessed after ${MAX_BATCH_ROUNDS} retries`);
    await this.sleep(backoffDelay(retries + 1, 50, 2000));
    return retries + 1;
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';
}

function checkpointKey(logGroup: string): string {
  return `checkpoint|${logGroup}`;
}

function chunkKeys(logGroup: string, chunks: ChunkRef): string[] {
  return Array.from({ length: chunks.count }, (_, i) => `seen|${logGroup}|${chunks.id}|${i}`);
}

function key(value: string): Record<string, AttributeValue> {
  return { [CHECKPOINT_KEY]: { S: value } };
}
