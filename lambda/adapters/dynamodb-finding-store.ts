import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { FindingStateStore, StoredFindingState } from '../app/ports';
import type { DetectorState } from '../core/finding-state';
import { decodeState, emptyState, encodeState, enforceLimit, FindingStateError, stateCells } from '../core/finding-state';
import { CHECKPOINT_KEY, CHECKPOINT_TTL } from '../settings/settings-table';

/** Compressed state per item: DynamoDB items hold 400 KB, and the key and attributes need a little. */
export const MAX_STATE_BYTES = 380_000;
/** An item nobody writes for this long (a removed log group) expires through the table's TTL. */
const STATE_TTL_SECONDS = 35 * 24 * 3600;
/** A decompressed item larger than this is refused before parsing (a stored item is input too). */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

/**
 * Detector state in DynamoDB (the checkpoint table): one item per log group and shard
 * (`findings|<shard>|<group>`), gzip JSON, written with a condition on its revision. A state whose
 * compressed form would not fit one item is shrunk first (the least telling sources folded into
 * per-interface summaries), so the item limit is never reached. Retries: the SDK's standard ones.
 */
export class DynamoDbFindingStore implements FindingStateStore {
  public constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  public async load(logGroup: string, shard: number): Promise<StoredFindingState | undefined> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(logGroup, shard), ConsistentRead: true }));
    const revision = item?.['revision']?.N;
    if (item === undefined || revision === undefined) return undefined;
    try {
      const bytes = item['state']?.B;
      if (bytes === undefined) throw new FindingStateError('stored finding state has no data');
      return { revision: Number(revision), state: decodeState(gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8')) };
    } catch (error) {
      // Starting afresh repeats findings (same ids) at worst; failing would stop the group for good.
      return { revision: Number(revision), state: emptyState(), discarded: error instanceof Error ? error.message : String(error) };
    }
  }

  public async save(logGroup: string, shard: number, expectedRevision: number | undefined, state: DetectorState): Promise<boolean> {
    let data = gzipSync(encodeState(state));
    while (data.length > MAX_STATE_BYTES) {
      enforceLimit(state, Math.floor(stateCells(state) * 0.7));
      data = gzipSync(encodeState(state));
    }
    const item: Record<string, AttributeValue> = {
      ...key(logGroup, shard),
      revision: { N: String((expectedRevision ?? 0) + 1) },
      state: { B: data },
      [CHECKPOINT_TTL]: { N: String(Math.floor(this.now() / 1000) + STATE_TTL_SECONDS) },
    };
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: expectedRevision === undefined ? 'attribute_not_exists(#revision)' : '#revision = :expected',
        ExpressionAttributeNames: { '#revision': 'revision' },
        ...(expectedRevision !== undefined && { ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } } }),
      }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

function key(logGroup: string, shard: number): Record<string, AttributeValue> {
  return { [CHECKPOINT_KEY]: { S: `findings|${shard}|${logGroup}` } };
}
