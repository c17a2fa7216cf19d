import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbFindingStore } from '../../lambda/adapters/dynamodb-finding-store';
import { emptyState } from '../../lambda/core/finding-state';
import type { LocalDynamoDb } from '../../local/local-dynamodb';
import { startLocalDynamoDb } from '../../local/local-dynamodb';

const TABLE = 'finding-state';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb();
  await db.createCheckpointTable(TABLE);
});
afterAll(async () => db.stop());

describe('DynamoDbFindingStore (against dynalite)', () => {
  it('saves only from the expected revision, and reads back what it saved', async () => {
    const store = new DynamoDbFindingStore(db.client, TABLE);
    expect(await store.load('/g1', 0)).toBeUndefined();
    expect(await store.save('/g1', 0, undefined, emptyState(7_200_000))).toBe(true);
    expect(await store.save('/g1', 0, undefined, emptyState())).toBe(false);
    expect(await store.load('/g1', 0)).toMatchObject({ revision: 1, state: { closedBefore: 7_200_000 } });
    expect(await store.save('/g1', 0, 1, emptyState(10_800_000))).toBe(true);
    expect(await store.load('/g1', 1)).toBeUndefined();
  });

  it('lists the groups with state (added when a group\'s first item is written), and forgets one on request', async () => {
    await db.createCheckpointTable('finding-groups');
    const store = new DynamoDbFindingStore(db.client, 'finding-groups');
    expect(await store.groups()).toEqual([]);
    expect(await store.save('/a', 0, undefined, emptyState())).toBe(true);
    expect(await store.save('/a', 0, 1, emptyState())).toBe(true);
    expect(await store.save('s3://b/AWSLogs/', 5, undefined, emptyState())).toBe(true);
    // Only a new item lists its group: a save from a revision (here one that loses) adds nothing.
    expect(await store.save('/c', 0, 3, emptyState())).toBe(false);
    expect([...(await store.groups())].sort()).toEqual(['/a', 's3://b/AWSLogs/']);
    await store.forget('/a');
    expect(await store.groups()).toEqual(['s3://b/AWSLogs/']);
    await store.forget('/never-listed');
    expect(await store.groups()).toEqual(['s3://b/AWSLogs/']);
  });

  it('starts afresh from an item it cannot read, saying why, and never reopens closed windows', async () => {
    const store = new DynamoDbFindingStore(db.client, TABLE);
    expect(await store.save('/g2', 3, undefined, emptyState(7_200_000))).toBe(true);
    for (const data of [Buffer.from('not gzip'), Buffer.alloc(0)]) {
      await db.client.send(new UpdateItemCommand({ TableName: TABLE, Key: { pk: { S: 'findings|3|/g2' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': { B: data } } }));
      const loaded = await store.load('/g2', 3);
      expect(loaded?.discarded).toEqual(expect.any(String));
      expect(loaded?.state.closedBefore).toBe(7_200_000);
      expect(loaded?.state.windows.size).toBe(0);
    }
  });
});
