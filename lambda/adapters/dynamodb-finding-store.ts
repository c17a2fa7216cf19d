import { gunzipSync, gzipSync } from 'node:zlib';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { FindingStateStore, StoredFindingState } from '../app/ports';
import type { DetectorState } from '../core/finding-state';
import { decodeState, encodeState, FindingStateError } from '../core/finding-codec';
import { emptyState } from '../core/finding-state';
import { enforceLimit, stateCells } from '../core/finding-limits';
import { CHECKPOINT_KEY, CHECKPOINT_TTL } from '../settings/settings-table';

/** Compressed state per item: DynamoDB items hold 400 KB, and the key and attributes need a little. */
export const MAX_STATE_BYTES = 380_000;
/** An item nobody writes for this long (a removed log group) expires through the table's TTL. */
const STATE_TTL_SECONDS = 35 * 24 * 3600;
/** The item listing the groups with stored state. */
const GROUPS_KEY = 'findings-groups';
/** Groups listed at most (read): the list is one item (400 KB), and a name can be 1 KB or more. */
const MAX_GROUPS = 300;
/** A decompressed item larger than this is refused before parsing (a stored item is input too). */
const MAX_INFLATED_BYTES = 32 * 1024 * 1024;

/**
 * Detector state in DynamoDB (the checkpoint table): one item per log group and shard
 * (`findings|<shard>|<group>`), gzip JSON, written with a condition on its revision. A state whose
 * compressed form would not fit one item is shrunk first (the least telling sources folded into
 * per-interface summaries), so the item limit is never reached. The groups with state are listed
 * in one more item (`findings-groups`), added to when a group's first item is written. Retries: the
 * SDK's standard ones.
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
    // Kept beside the state too, so a state that cannot be read never reopens closed windows.
    const closedBefore = Number(item['closedBefore']?.N ?? 0);
    try {
      const bytes = item['state']?.B;
      if (bytes === undefined) throw new FindingStateError('stored finding state has no data');
      const state = decodeState(gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8'));
      state.closedBefore = Math.max(state.closedBefore, Number.isSafeInteger(closedBefore) ? closedBefore : 0);
      return { revision: Number(revision), state };
    } catch (error) {
      // The flows held in it are lost (the FindingStateResets alarm says so); failing instead would
      // stop the group for good.
      return { revision: Number(revision), state: emptyState(Number.isSafeInteger(closedBefore) ? closedBefore : 0), discarded: error instanceof Error ? error.message : String(error) };
    }
  }

  public async save(logGroup: string, shard: number, expectedRevision: number | undefined, state: DetectorState): Promise<boolean> {
    let data = gzipSync(encodeState(state));
    while (data.length > MAX_STATE_BYTES) {
      const cells = stateCells(state);
      enforceLimit(state, Math.floor(cells * 0.7));
      // enforceLimit can always shrink a state this big (see its steps); never spin if it could not.
      if (stateCells(state) >= cells) throw new Error(`finding state of ${logGroup} cannot be brought under ${MAX_STATE_BYTES} bytes (${cells} entries)`);
      data = gzipSync(encodeState(state));
    }
    const item: Record<string, AttributeValue> = {
      ...key(logGroup, shard),
      revision: { N: String((expectedRevision ?? 0) + 1) },
      state: { B: data },
      closedBefore: { N: String(state.closedBefore) },
      [CHECKPOINT_TTL]: { N: String(Math.floor(this.now() / 1000) + STATE_TTL_SECONDS) },
    };
    // A new item: the group is listed (again, after a TTL expiry), so the closer finds its state
    // even once the group is no longer configured; before the write and after it, so a closer
    // forgetting the group meanwhile cannot leave an item unlisted (see forget). Best effort: the
    // closers list their configured groups too, and a full or failing list must never stop a save.
    if (expectedRevision === undefined) await this.remember(logGroup).catch(() => undefined);
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: expectedRevision === undefined ? 'attribute_not_exists(#revision)' : '#revision = :expected',
        ExpressionAttributeNames: { '#revision': 'revision' },
        ...(expectedRevision !== undefined && { ExpressionAttributeValues: { ':expected': { N: String(expectedRevision) } } }),
      }));
      if (expectedRevision === undefined) await this.remember(logGroup).catch(() => undefined);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  public async groups(): Promise<readonly string[]> {
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [CHECKPOINT_KEY]: { S: GROUPS_KEY } }, ConsistentRead: true }));
    return (item?.['groups']?.SS ?? []).slice(0, MAX_GROUPS);
  }

  public async remember(logGroup: string): Promise<void> {
    await this.list('ADD', logGroup);
  }

  public async forget(logGroup: string): Promise<void> {
    await this.list('DELETE', logGroup);
  }

  private async list(action: 'ADD' | 'DELETE', logGroup: string): Promise<void> {
    await this.client.send(new UpdateItemCommand({
      TableName: this.tableName,
      Key: { [CHECKPOINT_KEY]: { S: GROUPS_KEY } },
      UpdateExpression: `${action} #groups :group`,
      ExpressionAttributeNames: { '#groups': 'groups' },
      ExpressionAttributeValues: { ':group': { SS: [logGroup] } },
    }));
  }
}

function key(logGroup: string, shard: number): Record<string, AttributeValue> {
  return { [CHECKPOINT_KEY]: { S: `findings|${shard}|${logGroup}` } };
}
