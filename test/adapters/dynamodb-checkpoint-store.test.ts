import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbCheckpointStore } from '../../lambda/adapters/dynamodb-checkpoint-store';
import { SeenSet } from '../../lambda/core/seen-set';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { startLocalDynamoDb } from '../../local/local-dynamodb';

const TABLE = 'vpc-flow-alerts-checkpoints';
const GROUP = '/aws/vpc/flowlogs';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createCheckpointTable(TABLE);
});
afterAll(async () => db.stop());

function seenOf(count: number, prefix = 'e'): SeenSet {
  const set = new SeenSet();
  for (let i = 0; i < count; i++) set.add(`${prefix}${i}`, 1_700_000_000_000 + i);
  return set;
}

/** Every item key in the table: a Scan answers at most 1 MB a page, a few chunk items, so follow the pages. */
async function itemKeys(): Promise<string[]> {
  const keys: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.client.send(new ScanCommand({ TableName: TABLE, ProjectionExpression: 'pk', ...(start !== undefined && { ExclusiveStartKey: start }) }));
    keys.push(...(page.Items ?? []).map((i) => i['pk']?.S ?? ''));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return keys.sort();
}

describe('DynamoDbCheckpointStore (against dynalite)', () => {
  it('creates, reads back and advances a checkpoint only from the expected revision', async () => {
    const store = new DynamoDbCheckpointStore(db.client, TABLE);
    const group = `${GROUP}-basic`;
    expect(await store.load(group)).toBeUndefined();
    expect(await store.save(group, undefined, { watermark: 10, pending: { start: 1, end: 9, nextToken: 'tok' } }, seenOf(3))).toBe(true);
    const loaded = await store.load(group);
    expect(loaded?.revision).toBe(1);
    expect(loaded?.position).toEqual({ watermark: 10, pending: { start: 1, end: 9, nextToken: 'tok' } });
    expect(loaded?.seen.has('e2')).toBe(true);
    expect(await store.save(group, undefined, { watermark: 11 }, seenOf(1))).toBe(false);
    expect(await store.save(group, 5, { watermark: 11 }, seenOf(1))).toBe(false);
    expect(await store.save(group, 1, { watermark: 20 }, seenOf(1))).toBe(true);
    expect(await store.load(group)).toMatchObject({ revision: 2, position: { watermark: 20 } });
  });

  it('stores a seen-set larger than one item in chunks, and deletes the chunks it replaces', async () => {
    const store = new DynamoDbCheckpointStore(db.client, TABLE);
    const group = `${GROUP}-big`;
    expect(await store.save(group, undefined, { watermark: 1 }, seenOf(60_000))).toBe(true);
    const first = await store.load(group);
    expect(first?.seen.size).toBe(60_000);
    expect(first?.seen.has('e59999')).toBe(true);
    const chunkKeys = (await itemKeys()).filter((k) => k.startsWith(`seen|${group}|`));
    expect(chunkKeys).toHaveLength(3);

    expect(await store.save(group, 1, { watermark: 2 }, seenOf(50_000, 'f'))).toBe(true);
    const second = await store.load(group);
    expect(second?.seen.has('f49999')).toBe(true);
    expect(second?.seen.has('e1')).toBe(false);
    const after = (await itemKeys()).filter((k) => k.startsWith(`seen|${group}|`));
    expect(after).toHaveLength(2);
    expect(after.some((k) => chunkKeys.includes(k))).toBe(false);
  });

  it('removes its own chunks when another run won the write', async () => {
    const a = new DynamoDbCheckpointStore(db.client, TABLE);
    const b = new DynamoDbCheckpointStore(db.client, TABLE);
    const group = `${GROUP}-race`;
    expect(await a.save(group, undefined, { watermark: 1 }, seenOf(10))).toBe(true);
    expect(await a.save(group, 1, { watermark: 2 }, seenOf(10))).toBe(true);
    expect(await b.save(group, 1, { watermark: 3 }, seenOf(40_000))).toBe(false);
    expect((await itemKeys()).filter((k) => k.startsWith(`seen|${group}|`))).toEqual([]);
    expect(await a.load(group)).toMatchObject({ revision: 2, position: { watermark: 2 } });
  });
});

describe('DynamoDbCheckpointStore recovery', () => {
  it('recognises its own write when the SDK retries a PutItem whose first answer was lost', async () => {
    const group = `${GROUP}-retried`;
    const store = new DynamoDbCheckpointStore(db.client, TABLE);
    expect(await store.save(group, undefined, { watermark: 1 }, seenOf(10))).toBe(true);
    // Make the first PutItem succeed but report a failure, so the SDK sends it again.
    let lost = true;
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (lost && context.commandName === 'PutItemCommand' && (args.input as { Item?: Record<string, unknown> }).Item?.['revision'] !== undefined) {
          lost = false;
          throw Object.assign(new Error('connection reset after the write (simulated)'), { name: 'TimeoutError', $retryable: {} });
        }
        return result;
      },
      { step: 'deserialize', name: 'loseFirstAnswer' },
    );
    try {
      expect(await store.save(group, 1, { watermark: 2 }, seenOf(40_000))).toBe(true);
    } finally {
      db.client.middlewareStack.remove('loseFirstAnswer');
    }
    const loaded = await store.load(group);
    expect(loaded).toMatchObject({ revision: 2, position: { watermark: 2 } });
    expect(loaded?.seen.size).toBe(40_000);
  });

  it('starts with an empty seen-set, not an error, when its chunks have expired', async () => {
    const group = `${GROUP}-expired`;
    const store = new DynamoDbCheckpointStore(db.client, TABLE);
    expect(await store.save(group, undefined, { watermark: 7 }, seenOf(40_000))).toBe(true);
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    for (const k of (await itemKeys()).filter((x) => x.startsWith(`seen|${group}|`))) {
      await db.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: k } } }));
    }
    const loaded = await new DynamoDbCheckpointStore(db.client, TABLE).load(group);
    expect(loaded).toMatchObject({ revision: 1, position: { watermark: 7 } });
    expect(loaded?.seen.size).toBe(0);
  });
});

describe('DynamoDbCheckpointStore leases (against dynalite)', () => {
  it('gives a group to one owner at a time, keeps the lease across saves, and lets it go', async () => {
    const group = `${GROUP}-lease`;
    const a = new DynamoDbCheckpointStore(db.client, TABLE);
    const b = new DynamoDbCheckpointStore(db.client, TABLE);
    expect(await a.acquireLease(group, 'run-a', 2000, 1000)).toBe(true);
    // A lease-only item is not a checkpoint yet.
    expect(await a.load(group)).toBeUndefined();
    expect(await b.acquireLease(group, 'run-b', 2500, 1500)).toBe(false);
    expect(await a.save(group, undefined, { watermark: 10 }, seenOf(1))).toBe(true);
    // The save wrote the lease back: it is still run-a's.
    expect(await b.acquireLease(group, 'run-b', 2500, 1500)).toBe(false);
    await a.releaseLease(group, 'run-a');
    expect(await b.acquireLease(group, 'run-b', 3000, 1600)).toBe(true);
    expect((await b.load(group))?.revision).toBe(1);
  });

  it('lets a run take over an expired lease, after which the old owner can no longer save', async () => {
    const group = `${GROUP}-takeover`;
    const stale = new DynamoDbCheckpointStore(db.client, TABLE);
    const fresh = new DynamoDbCheckpointStore(db.client, TABLE);
    expect(await stale.acquireLease(group, 'old', 2000, 1000)).toBe(true);
    expect(await stale.save(group, undefined, { watermark: 10 }, seenOf(1))).toBe(true);
    expect(await fresh.acquireLease(group, 'new', 9000, 2001)).toBe(true);
    expect(await stale.save(group, 1, { watermark: 20 }, seenOf(1))).toBe(false);
    expect(await fresh.save(group, 1, { watermark: 30 }, seenOf(1))).toBe(true);
    // Releasing a lease that is no longer yours leaves the new owner's in place.
    await stale.releaseLease(group, 'old');
    expect(await stale.acquireLease(group, 'old', 9500, 3000)).toBe(false);
  });
});

describe('DynamoDbCheckpointStore batch loops', () => {
  it('resubmits unprocessed chunk writes with growing jittered backoff, then gives up with a clear error', async () => {
    const { BatchWriteItemCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { mockClient } = await import('aws-sdk-client-mock');
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    // DynamoDB keeps every request unprocessed.
    mock.on(BatchWriteItemCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    const sleeps: number[] = [];
    const store = new DynamoDbCheckpointStore(client, TABLE, () => 0, async (ms) => {
      sleeps.push(ms);
    });
    await expect(store.save('g', undefined, { watermark: 1 }, seenOf(40_000))).rejects.toThrow(/DynamoDB left 2 checkpoint chunk writes unprocessed after 8 retries/);
    expect(sleeps).toHaveLength(8);
    // Full jitter over a doubling range: bounded above by 50 ms * 2^n, and not all zero.
    sleeps.forEach((ms, i) => expect(ms).toBeLessThan(Math.min(2000, 50 * 2 ** (i + 1))));
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    mock.restore();
  });
});
