import type { FindingStateStore, StoredFindingState } from '../../lambda/app/ports';
import { forgetIfGone, rememberConfigured } from '../../lambda/app/finding-groups';
import { emptyState } from '../../lambda/core/finding-state';

/** A store with a list of groups and items by `shard|group`; `onForget` runs right after a forget (a writer racing it). */
function store(items: Set<string>, listed: Set<string>, onForget: () => void = () => undefined): FindingStateStore {
  return {
    load: async (group, shard): Promise<StoredFindingState | undefined> => (items.has(`${shard}|${group}`) ? { revision: 1, state: emptyState() } : undefined),
    save: async () => true,
    groups: async () => [...listed],
    remember: async (group) => {
      listed.add(group);
    },
    forget: async (group) => {
      listed.delete(group);
      onForget();
    },
  };
}

describe('the list of groups with finding state', () => {
  it('forgets a group with no items, and lists it again when a writer created one as it was forgotten', async () => {
    const items = new Set<string>();
    const listed = new Set(['/gone', '/racing']);
    expect(await forgetIfGone(store(items, listed), '/gone', 16)).toBe(true);
    expect([...listed]).toEqual(['/racing']);
    // A writer listed /racing, the closer found no item and forgets it, then the writer's item lands.
    expect(await forgetIfGone(store(items, listed, () => items.add('7|/racing')), '/racing', 16)).toBe(false);
    expect([...listed]).toEqual(['/racing']);
  });

  it('lists the configured groups it lacks', async () => {
    const listed = new Set(['/a']);
    await rememberConfigured(store(new Set(), listed), ['/a', '/b'], [...listed]);
    expect([...listed].sort()).toEqual(['/a', '/b']);
  });
});
