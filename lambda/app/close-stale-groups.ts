import type { FindingSettings } from '../core/finding';
import { SEARCH_MARGIN_MS } from '../core/poll-window';
import type { CloseResult, FindingOutlets } from './close-findings';
import { closeShardedWindows } from './close-findings';
import { forgetIfGone, rememberConfigured } from './finding-groups';
import { PUSH_SHARDS } from './finding-tracker';
import type { CheckpointStore, FindingStateStore } from './ports';

/** What closing a poll stack's removed groups needs. */
export interface StaleGroupDeps {
  readonly store: FindingStateStore;
  readonly checkpoints: CheckpointStore;
  readonly settings: FindingSettings;
  readonly outlets: FindingOutlets;
  readonly lookbackMs: number;
  readonly runId: string;
  readonly now: () => number;
  readonly leaseUntil: () => number;
}

/** What was done for one group no longer polled. */
export interface StaleGroupResult {
  readonly logGroup: string;
  readonly findings: CloseResult;
  /** Its state is gone (expired): it is no longer listed. */
  readonly forgotten: boolean;
}

/**
 * Poll mode: closes the finding windows of the groups the store holds state of that are no longer
 * polled (removed from `logGroups`), so the flows they hold still reach a finding, with the ids
 * the group's own runs would have given. Nothing reads such a group any more, so its windows close
 * by the clock: a lookback and a margin after their end. Each group is taken under its lease (a run
 * still on the old configuration may poll it); one that fails is left for the next run.
 */
export async function closeStaleGroups(polled: ReadonlySet<string>, deps: StaleGroupDeps): Promise<StaleGroupResult[]> {
  const results: StaleGroupResult[] = [];
  const listed = await deps.store.groups();
  await rememberConfigured(deps.store, polled, listed);
  for (const group of listed) {
    if (polled.has(group)) continue;
    if (!(await deps.checkpoints.acquireLease(group, deps.runId, deps.leaseUntil(), deps.now()))) continue;
    try {
      // Poll mode writes one shard a group; a group push or s3 mode wrote before a switch has up to 16.
      const closed = await closeShardedWindows(deps.store, group, PUSH_SHARDS, deps.now() - deps.lookbackMs - SEARCH_MARGIN_MS, deps.settings, deps.outlets);
      const forgotten = closed.storedShards === 0 && (await forgetIfGone(deps.store, group, PUSH_SHARDS));
      results.push({ logGroup: group, findings: closed, forgotten });
    } finally {
      await deps.checkpoints.releaseLease(group, deps.runId);
    }
  }
  return results;
}
