import type { FindingStateStore } from './ports';

/**
 * Lists the configured groups the store's list lacks: state written before the list existed, or
 * whose listing failed, so a group removed later is still closed. `listed`: the list as read.
 */
export async function rememberConfigured(store: FindingStateStore, configured: Iterable<string>, listed: readonly string[]): Promise<void> {
  const known = new Set(listed);
  for (const group of configured) if (!known.has(group)) await store.remember(group);
}

/**
 * Drops a group with no state left from the list; true when it is gone. A writer creating an item
 * at that moment lists its group after writing; the shards are read again after the drop, so an
 * item written in between is listed again here.
 */
export async function forgetIfGone(store: FindingStateStore, group: string, shards: number): Promise<boolean> {
  await store.forget(group);
  for (let shard = 0; shard < shards; shard++) {
    if ((await store.load(group, shard)) !== undefined) {
      await store.remember(group);
      return false;
    }
  }
  return true;
}
