import type { FindingStateStore } from '../../lambda/app/ports';

/** `real`, with some of its operations replaced (a fault, a count). */
export function storeWith(real: FindingStateStore, overrides: Partial<FindingStateStore>): FindingStateStore {
  return {
    load: (group, shard) => real.load(group, shard),
    save: (group, shard, revision, state) => real.save(group, shard, revision, state),
    groups: () => real.groups(),
    remember: (group) => real.remember(group),
    forget: (group) => real.forget(group),
    ...overrides,
  };
}
