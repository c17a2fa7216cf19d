import { randomBytes } from 'node:crypto';
import type { AttributeValue, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { BatchGetItemCommand, BatchWriteItemCommand, ConditionalCheckFailedException, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Checkpoint, CheckpointStore } from '../app/ports';
import type { PollPosition } from '../core/poll-window';
import { SeenSet } from '../core/seen-set';

/** The table's partition key attribute (string). */
export const CHECKPOINT_KEY = 'pk';
/** The table's TTL attribute: spare seen-set chunks expire by themselves. */
export const CHECKPOINT_TTL = 'expiresAt';

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

/**
 * Checkpoints in DynamoDB, one item per log group (`checkpoint|<group>`), written with a
 * condition on its revision so two overlapping runs cannot both advance it. A seen-set larger
 * than one item is written first as chunk items under a fresh random id; the checkpoint item,
 * written last, is the commit point that makes them current.
 */
export class DynamoDbCheckpointStore implements CheckpointStore {
  /** The chunks each group's current checkpoint uses, to delete them once replaced. */
  private readonly loadedChunks = new Map<string, ChunkRef>();

  public constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  public async load(logGroup: string): Promise<Checkpoint | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(checkpointKey(logGroup)), ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
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
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(expectedRevision === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': CHECKPOINT_KEY } }
            : { ConditionExpression: '#revision = :expected', ExpressionAttributeNames: { '#revision': 'revision' }, ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } } }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException')) throw error;
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
      pending.push(...(output.UnprocessedKeys?.[this.tableName]?.Keys ?? []));
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
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} checkpoint chunk writes unprocessed`);
      const batch = pending.slice(0, 25);
      pending = pending.slice(25);
      const output = await this.client.send(
        new BatchWriteItemCommand({ RequestItems: { [this.tableName]: batch } }),
      );
      pending.push(...(output.UnprocessedItems?.[this.tableName] ?? []));
    }
  }
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
