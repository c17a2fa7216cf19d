import { hashText, mergeSketch, sketchCount } from './bottom-k';
import type { DetectorState, SourceState, WindowState } from './finding-state';
import { bucketCells, LIMITS, mergeBucket, OTHER_INTERFACES, overflowBucket, slimSource, stretch } from './finding-state';

/** Sketch entries held by `state` (the measure of its size). */
export function stateCells(state: DetectorState): number {
  let cells = 0;
  for (const window of state.windows.values()) cells += windowCells(window);
  return cells;
}

function windowCells(window: WindowState): number {
  let cells = 0;
  for (const source of window.sources.values()) cells += sourceCells(source);
  for (const o of window.overflow.values()) cells += bucketCells(o);
  return cells;
}

/** Sketch entries of a source. */
export function sourceCells(source: SourceState): number {
  let cells = 4 + source.hosts.h.length + source.ports.h.length + source.flows.h.length;
  for (const pair of source.pairs.values()) cells += 2 + pair.ports.h.length + pair.flows.h.length;
  for (const branch of [source.lateral, source.egress]) if (branch !== undefined) cells += 2 + branch.hosts.h.length + branch.ports.h.length + branch.flows.h.length;
  return cells;
}

/**
 * Keeps `state` within `maxCells` sketch entries, giving up detail in this order, each step only
 * while the state is still too big, the least telling first (fewest distinct hosts, then ports,
 * then flows):
 * 1. public sources are let go: their flows fold into their destinations' interface buckets, so
 *    they still count in the `inbound_summary` findings; only their own scan or sweep is lost;
 * 2. private sources are slimmed: the same, but they keep their lateral and egress branches, so
 *    their `high` findings survive;
 * 3. each window's interface buckets fold into one shared bucket (`*`);
 * 4. slim sources are let go, their branches folded into the shared bucket.
 * A window then holds at most one bucket of three sketches, and {@link LIMITS.openWindows} windows
 * fit well within {@link LIMITS.cells}: every state can be brought within bounds, and every flow
 * still counts somewhere. Returns how many sources were let go or slimmed.
 */
export function enforceLimit(state: DetectorState, maxCells: number = LIMITS.cells): number {
  let cells = stateCells(state);
  if (cells <= maxCells) return 0;
  const target = Math.floor(maxCells * 0.9);
  let released = 0;
  const ranked = (scope: 'public' | 'private' | 'slim') => {
    const out: Array<{ window: WindowState; ip: string; source: SourceState; rank: [number, number, number, number] }> = [];
    for (const window of state.windows.values()) {
      for (const [ip, source] of window.sources) {
        if (scope === 'slim' ? !source.slim : source.slim || source.scope !== scope) continue;
        out.push({ window, ip, source, rank: [sketchCount(source.hosts, LIMITS.exact), sketchCount(source.ports, LIMITS.exact), sketchCount(source.flows, LIMITS.exact), hashText(ip)] });
      }
    }
    return out.sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.rank[2] - b.rank[2] || a.rank[3] - b.rank[3] || (a.ip < b.ip ? -1 : 1));
  };
  /** Applies `act` to each entry while the state is too big; `act` returns the change in entries. */
  const step = (entries: ReturnType<typeof ranked>, act: (e: ReturnType<typeof ranked>[number]) => number): void => {
    for (const entry of entries) {
      if (cells <= target) return;
      cells += act(entry);
      released++;
    }
  };
  step(ranked('public'), (e) => {
    const before = sourceCells(e.source);
    const gained = slimSource(e.window, e.ip, e.source);
    e.window.sources.delete(e.ip);
    return gained - before;
  });
  step(ranked('private'), (e) => {
    const before = sourceCells(e.source);
    const gained = slimSource(e.window, e.ip, e.source);
    return gained + sourceCells(e.source) - before;
  });
  if (cells > target) {
    for (const window of state.windows.values()) {
      if (cells <= target) break;
      const before = windowCells(window);
      foldBuckets(window);
      cells += windowCells(window) - before;
    }
  }
  step(ranked('slim'), (e) => {
    const before = sourceCells(e.source);
    const existed = e.window.overflow.has(OTHER_INTERFACES);
    const shared = overflowBucket(e.window, OTHER_INTERFACES, e.source);
    const sharedBefore = existed ? bucketCells(shared) : 0;
    for (const branch of [e.source.lateral, e.source.egress]) {
      if (branch === undefined) continue;
      stretch(shared, branch);
      mergeSketch(shared.ports, branch.ports, LIMITS.exact);
      mergeSketch(shared.flows, branch.flows, LIMITS.exact, LIMITS.evidence);
    }
    mergeSketch(shared.sources, { h: [hashText(e.ip)], v: [null] }, LIMITS.exact, 0);
    e.window.sources.delete(e.ip);
    return bucketCells(shared) - sharedBefore - before;
  });
  return released;
}

/** Folds every interface bucket of `window` into the shared one. */
function foldBuckets(window: WindowState): void {
  const shared = [...window.overflow].filter(([key]) => key !== OTHER_INTERFACES);
  for (const [key, bucket] of shared) {
    window.overflow.delete(key);
    mergeBucket(overflowBucket(window, OTHER_INTERFACES, bucket), bucket);
  }
}
