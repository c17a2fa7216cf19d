import type { Alert } from './alert';
import type { BottomK } from './bottom-k';
import { addToSketch, copySketch, emptySketch, hashInt, hashText, mergeSketch } from './bottom-k';
import type { Direction, Scope } from './flow-context';
import type { Cidr, IpAddress } from './ip-address';
import { canonicalIp, cidrContains, cidrContainsV4, parseIp, parseIpv4 } from './ip-address';

/**
 * What the detectors remember of one log group's rejected flows, window by window: per source, the
 * distinct hosts, ports and flows it was rejected on (bottom-k sketches: exact below their size,
 * estimates beyond), per source and destination the distinct ports, and per destination interface
 * the flows of sources the state had to let go. Everything in it is bounded (see {@link LIMITS}
 * and finding-limits.ts), adding a flow twice changes nothing, and two states merge in any order to
 * the same result — so re-reads, retries, redeliveries and concurrent writers come to the same
 * findings (exactly so below the limits).
 */

/** Size of every bound in the state. Finding thresholds may not exceed {@link LIMITS.exact}. */
export const LIMITS = {
  /** Distinct ports, hosts, flows and sources kept exactly per sketch (the estimate starts beyond). */
  exact: 64,
  /** Evidence alert ids kept per sketch of flows. */
  evidence: 10,
  /**
   * Destinations tracked one by one per source: the 64 with the smallest hashes, whatever the order
   * flows come in. A source with more is a sweep; a scan of a destination past them is in the sweep.
   */
  pairsPerSource: 64,
  /** Interfaces with a bucket of let-go sources' flows per window; the rest share {@link OTHER_INTERFACES}. */
  overflowInterfaces: 256,
  /** Windows open at once; a flow for another window is sent on its own (see observe). */
  openWindows: 96,
  /** Sketch entries in one state, all windows together. */
  cells: 60_000,
} as const;

/** The bucket of let-go flows past {@link LIMITS.overflowInterfaces} interfaces, or of flows to untracked destinations. */
export const OTHER_INTERFACES = '*';

/** First and last time seen, epoch ms. */
export interface Span {
  first: number;
  last: number;
}

/** One source's rejections by one destination. */
export interface PairState extends Span {
  readonly ports: BottomK;
  readonly flows: BottomK;
  /** Interface (ENI) of the destination, or `null` when the layout has no interface id. */
  eni: string | null;
  direction: Direction | null;
}

/** One source's rejections in one direction class (internal or outbound). */
export interface BranchState extends Span {
  readonly hosts: BottomK;
  readonly ports: BottomK;
  readonly flows: BottomK;
}

/** One source in one window. */
export interface SourceState extends Span {
  readonly scope: Scope;
  readonly hosts: BottomK;
  readonly ports: BottomK;
  readonly flows: BottomK;
  readonly pairs: Map<string, PairState>;
  /** Some of its flows went to destinations without a pair (past {@link LIMITS.pairsPerSource}). */
  unpaired: boolean;
  /**
   * Only its lateral and egress branches are kept: the rest was folded into the interface buckets
   * when the state was full (a private source keeps its `high` findings as long as it can).
   */
  slim: boolean;
  lateral?: BranchState;
  egress?: BranchState;
}

/** Flows of sources let go when the state was full, per destination interface. */
export interface OverflowState extends Span {
  /** Distinct sources (hashes only: their addresses are not kept). */
  readonly sources: BottomK;
  readonly ports: BottomK;
  readonly flows: BottomK;
}

/** Everything seen in one window. */
export interface WindowState {
  /** Window length (ms) when it was opened: a changed setting never re-cuts an open window. */
  readonly length: number;
  readonly sources: Map<string, SourceState>;
  /** Keyed by {@link bucketKey}. */
  readonly overflow: Map<string, OverflowState>;
}

/** A log group's (or shard's) detector state: open windows by start (epoch ms). */
export interface DetectorState {
  /** Windows ending at or before this (epoch ms) are closed: their findings are out. */
  closedBefore: number;
  readonly windows: Map<number, WindowState>;
}

/** A fresh state whose windows before `closedBefore` count as closed. */
export function emptyState(closedBefore = 0): DetectorState {
  return { closedBefore, windows: new Map() };
}

/**
 * The key of a destination's bucket: its interface when logged, else its address. The prefixes
 * keep an interface id that looks like an address, or like `*`, from sharing another's bucket.
 */
export function bucketKey(eni: string | null, dst: string): string {
  return eni === null ? `ip ${dst}` : `eni ${eni}`;
}

/** A rejected flow as the detectors see it. */
export interface Observation {
  readonly src: string;
  readonly dst: string;
  readonly srcScope: Scope;
  readonly direction: Direction;
  /** TCP, UDP or SCTP destination port; `null` for other protocols. */
  readonly port: number | null;
  readonly eni: string | null;
  readonly alertId: string;
  /** The time that places the flow in a window (epoch ms). */
  readonly time: number;
  /** Flow start and end (epoch ms), the window time when the record has none. */
  readonly first: number;
  readonly last: number;
}

/** Why a flow is not for the detectors. */
export type NotObserved = 'not-rejected' | 'no-endpoints' | 'no-time' | 'allowlisted';

/** Window times the detectors accept: 1970 to the end of 9999 (what the contract's ISO times can say). */
const LATEST_MS = 253_402_300_799_999;
/** Flow start and end further than this from the window time are not believed (a hostile record can say anything). */
const PLAUSIBLE_SPAN_MS = 86_400_000;

const PORT_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 132]);
/** Interface ids kept as they are; anything else (a JSON record's free text) is hashed. */
const INTERFACE_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * The detectors' view of `alert`, placed in time by `timeMs` (the log event's timestamp, or the flow
 * start when there is none), or why it has none: only REJECT flows with two addresses count, and
 * sources in `allowlist` never do. The endpoints are the packet-level addresses when logged, as for
 * the alert's scopes and direction.
 */
export function observationOf(alert: Alert, timeMs: number, allowlist: readonly Cidr[]): Observation | NotObserved {
  if (alert.action !== 'REJECT') return 'not-rejected';
  const src = typeof alert.pkt_src_ip === 'string' ? alert.pkt_src_ip : alert.src_ip;
  const dst = typeof alert.pkt_dst_ip === 'string' ? alert.pkt_dst_ip : alert.dst_ip;
  if (src === null || dst === null || alert.src_scope === null || alert.direction === null) return 'no-endpoints';
  const srcEndpoint = endpoint(src);
  const dstEndpoint = endpoint(dst);
  if (srcEndpoint === undefined || dstEndpoint === undefined) return 'no-endpoints';
  if (allowlist.some((range) => (typeof srcEndpoint.address === 'number' ? cidrContainsV4(range, srcEndpoint.address) : cidrContains(range, srcEndpoint.address)))) return 'allowlisted';
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > LATEST_MS - 2 * PLAUSIBLE_SPAN_MS) return 'no-time';
  const port = alert.protocol_number !== null && PORT_PROTOCOLS.has(alert.protocol_number) && Number.isInteger(alert.dst_port) && (alert.dst_port as number) >= 0 && (alert.dst_port as number) <= 65_535 ? alert.dst_port : null;
  const eni = alert.cloud_resource === null ? null : INTERFACE_ID.test(alert.cloud_resource) ? alert.cloud_resource : `eni-hash-${hashText(alert.cloud_resource).toString(16)}`;
  const plausible = (seconds: number | null): number | undefined => (seconds !== null && Math.abs(seconds * 1000 - timeMs) <= PLAUSIBLE_SPAN_MS ? Math.round(seconds * 1000) : undefined);
  const first = plausible(alert.start) ?? timeMs;
  const last = Math.max(first, plausible(alert.end) ?? timeMs);
  return { src: srcEndpoint.text, dst: dstEndpoint.text, srcScope: alert.src_scope, direction: alert.direction, port, eni, alertId: alert.alert_id, time: timeMs, first, last };
}

/**
 * An address and its canonical text. Dotted IPv4, as flow logs write it, is canonical already and
 * is read without BigInt (the fast path of every flow); anything else goes through parseIp.
 */
function endpoint(text: string): { readonly address: number | IpAddress; readonly text: string } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { address: v4, text };
  const address = parseIp(text);
  if (address === undefined) return undefined;
  return { address: address.family === 4 ? Number(address.value) : address, text: canonicalIp(address) };
}

/** Start of the window holding `timeMs`: windows are `windowMs` long, aligned to the epoch. */
export function windowStartOf(timeMs: number, windowMs: number): number {
  return Math.floor(timeMs / windowMs) * windowMs;
}

/**
 * Records `flow` in its window. Returns `'late'` (and records nothing) when that window is already
 * closed, ends at or before `openAfter` (epoch ms: push mode's writers stop adding to a window well
 * before its closer reads it), or would be one window too many: the caller sends such a flow as a
 * flow alert, so it is never invisible.
 */
export function observe(state: DetectorState, flow: Observation, windowMs: number, openAfter = 0): 'observed' | 'late' {
  const start = windowStartOf(flow.time, windowMs);
  if (start + windowMs <= Math.max(state.closedBefore, openAfter)) return 'late';
  let window = state.windows.get(start);
  if (window === undefined) {
    if (state.windows.size >= LIMITS.openWindows) return 'late';
    window = { length: windowMs, sources: new Map(), overflow: new Map() };
    state.windows.set(start, window);
  }
  let source = window.sources.get(flow.src);
  if (source === undefined) {
    source = { scope: flow.srcScope, first: flow.first, last: flow.last, hosts: emptySketch(), ports: emptySketch(), flows: emptySketch(), pairs: new Map(), unpaired: false, slim: false };
    window.sources.set(flow.src, source);
  }
  const flowHash = hashText(flow.alertId);
  const dstHash = hashText(flow.dst);
  const portHash = flow.port === null ? 0 : hashInt(flow.port);
  stretch(source, flow);
  if (!source.slim) {
    addToSketch(source.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
    addToSketch(source.hosts, dstHash, flow.dst, LIMITS.exact);
    if (flow.port !== null) addToSketch(source.ports, portHash, flow.port, LIMITS.exact);
    const pair = pairFor(source, flow.dst, dstHash, flow);
    if (pair === undefined) {
      source.unpaired = true;
    } else {
      stretch(pair, flow);
      // The smallest interface id wins, whatever the order flows come in.
      if (flow.eni !== null && (pair.eni === null || flow.eni < pair.eni)) pair.eni = flow.eni;
      addToSketch(pair.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
      if (flow.port !== null) addToSketch(pair.ports, portHash, flow.port, LIMITS.exact);
    }
  } else {
    // A slim source keeps only its branches; its other flows go straight to the buckets.
    const bucket = overflowBucket(window, bucketKey(flow.eni, flow.dst), flow);
    stretch(bucket, flow);
    addToSketch(bucket.sources, hashText(flow.src), '', LIMITS.exact, 0);
    addToSketch(bucket.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
    if (flow.port !== null) addToSketch(bucket.ports, portHash, flow.port, LIMITS.exact);
  }
  const branchName = flow.direction === 'internal' ? 'lateral' : flow.direction === 'outbound' ? 'egress' : undefined;
  if (branchName !== undefined) {
    const branch = (source[branchName] ??= { first: flow.first, last: flow.last, hosts: emptySketch(), ports: emptySketch(), flows: emptySketch() });
    stretch(branch, flow);
    addToSketch(branch.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
    addToSketch(branch.hosts, dstHash, flow.dst, LIMITS.exact);
    if (flow.port !== null) addToSketch(branch.ports, portHash, flow.port, LIMITS.exact);
  }
  return 'observed';
}

/**
 * The pair of `dst`, created when the source has room, or when `dst` hashes below its largest
 * tracked destination (which is then dropped: its flows stay in the source's sketches, unpaired).
 * So the tracked destinations are the smallest hashes seen, in any order.
 */
function pairFor(source: SourceState, dst: string, dstHash: number, flow: Span & { readonly eni: string | null; readonly direction: Direction }): PairState | undefined {
  const existing = source.pairs.get(dst);
  if (existing !== undefined) return existing;
  if (source.pairs.size >= LIMITS.pairsPerSource) {
    const largest = largestPair(source);
    if (largest === undefined || dstHash > largest.hash || (dstHash === largest.hash && dst > largest.dst)) return undefined;
    source.pairs.delete(largest.dst);
    source.unpaired = true;
  }
  const pair: PairState = { first: flow.first, last: flow.last, ports: emptySketch(), flows: emptySketch(), eni: flow.eni, direction: flow.direction };
  source.pairs.set(dst, pair);
  return pair;
}

function largestPair(source: SourceState): { readonly dst: string; readonly hash: number } | undefined {
  let largest: { dst: string; hash: number } | undefined;
  for (const dst of source.pairs.keys()) {
    const hash = hashText(dst);
    if (largest === undefined || hash > largest.hash || (hash === largest.hash && dst > largest.dst)) largest = { dst, hash };
  }
  return largest;
}

/** The bucket `key` of `window`, created when there is room, else the shared one. */
export function overflowBucket(window: WindowState, key: string, span: Span): OverflowState {
  let chosen = key;
  if (!window.overflow.has(chosen) && window.overflow.size >= LIMITS.overflowInterfaces) chosen = OTHER_INTERFACES;
  let bucket = window.overflow.get(chosen);
  if (bucket === undefined) {
    bucket = { first: span.first, last: span.last, sources: emptySketch(), ports: emptySketch(), flows: emptySketch() };
    window.overflow.set(chosen, bucket);
  }
  return bucket;
}

/** Widens `span` to cover `by`. */
export function stretch(span: Span, by: Span): void {
  if (by.first < span.first) span.first = by.first;
  if (by.last > span.last) span.last = by.last;
}

/** Merges `from` into `into` (in place): the state both together would have built. */
export function mergeState(into: DetectorState, from: DetectorState): void {
  into.closedBefore = Math.max(into.closedBefore, from.closedBefore);
  for (const [start, window] of from.windows) {
    let target = into.windows.get(start);
    if (target === undefined) {
      target = { length: window.length, sources: new Map(), overflow: new Map() };
      into.windows.set(start, target);
    }
    for (const [ip, source] of window.sources) {
      const existing = target.sources.get(ip);
      if (existing === undefined) target.sources.set(ip, cloneSource(source));
      else mergeSource(target, ip, existing, source);
    }
    for (const [key, o] of window.overflow) mergeBucket(overflowBucket(target, key, o), o);
  }
}

/** Adds bucket `from` to `into`. */
export function mergeBucket(into: OverflowState, from: OverflowState): void {
  stretch(into, from);
  mergeSketch(into.sources, from.sources, LIMITS.exact, 0);
  mergeSketch(into.ports, from.ports, LIMITS.exact);
  mergeSketch(into.flows, from.flows, LIMITS.exact, LIMITS.evidence);
}

/** Drops the windows of `state` that end at or before its `closedBefore` (their findings are out). */
export function dropClosed(state: DetectorState): void {
  for (const [start, window] of [...state.windows]) if (start + window.length <= state.closedBefore) state.windows.delete(start);
}

function cloneSource(source: SourceState): SourceState {
  const clone: SourceState = {
    scope: source.scope, first: source.first, last: source.last, unpaired: source.unpaired, slim: source.slim,
    hosts: copySketch(source.hosts), ports: copySketch(source.ports), flows: copySketch(source.flows), pairs: new Map(),
  };
  for (const [dst, pair] of source.pairs) clone.pairs.set(dst, { ...pair, ports: copySketch(pair.ports), flows: copySketch(pair.flows) });
  if (source.lateral !== undefined) clone.lateral = cloneBranch(source.lateral);
  if (source.egress !== undefined) clone.egress = cloneBranch(source.egress);
  return clone;
}

function cloneBranch(branch: BranchState): BranchState {
  return { first: branch.first, last: branch.last, hosts: copySketch(branch.hosts), ports: copySketch(branch.ports), flows: copySketch(branch.flows) };
}

function mergeSource(window: WindowState, ip: string, into: SourceState, incoming: SourceState): void {
  let from = incoming;
  // A source slimmed on either side is slim: what the other side kept of it goes to the buckets.
  if (into.slim !== from.slim) {
    if (!from.slim) {
      from = cloneSource(from);
      slimSource(window, ip, from);
    }
    if (!into.slim) slimSource(window, ip, into);
  }
  stretch(into, from);
  into.unpaired ||= from.unpaired;
  mergeSketch(into.hosts, from.hosts, LIMITS.exact);
  mergeSketch(into.ports, from.ports, LIMITS.exact);
  mergeSketch(into.flows, from.flows, LIMITS.exact, LIMITS.evidence);
  for (const [dst, theirs] of from.pairs) {
    const mine = into.pairs.get(dst) ?? pairFor(into, dst, hashText(dst), theirs as PairState & { direction: Direction });
    if (mine === undefined) continue;
    stretch(mine, theirs);
    if (theirs.eni !== null && (mine.eni === null || theirs.eni < mine.eni)) mine.eni = theirs.eni;
    mergeSketch(mine.ports, theirs.ports, LIMITS.exact);
    mergeSketch(mine.flows, theirs.flows, LIMITS.exact, LIMITS.evidence);
  }
  for (const name of ['lateral', 'egress'] as const) {
    const theirs = from[name];
    if (theirs === undefined) continue;
    const mine = into[name];
    if (mine === undefined) into[name] = cloneBranch(theirs);
    else {
      stretch(mine, theirs);
      mergeSketch(mine.hosts, theirs.hosts, LIMITS.exact);
      mergeSketch(mine.ports, theirs.ports, LIMITS.exact);
      mergeSketch(mine.flows, theirs.flows, LIMITS.exact, LIMITS.evidence);
    }
  }
}

/** Sketch entries of a bucket. */
export function bucketCells(o: OverflowState): number {
  return 3 + o.sources.h.length + o.ports.h.length + o.flows.h.length;
}

/**
 * Folds a source's flows, except its lateral and egress branches, into its destinations' buckets
 * (flows to destinations without a pair into the shared one), and leaves it slim. Returns how many
 * sketch entries the buckets gained.
 */
export function slimSource(window: WindowState, ip: string, source: SourceState): number {
  const ipHash = hashText(ip);
  let gained = 0;
  const fold = (key: string, span: Span, ports: BottomK, flows: BottomK): void => {
    const exists = window.overflow.has(key) || window.overflow.size >= LIMITS.overflowInterfaces;
    const bucket = overflowBucket(window, key, span);
    const before = exists ? bucketCells(bucket) : 0;
    stretch(bucket, span);
    addToSketch(bucket.sources, ipHash, '', LIMITS.exact, 0);
    mergeSketch(bucket.ports, ports, LIMITS.exact);
    mergeSketch(bucket.flows, flows, LIMITS.exact, LIMITS.evidence);
    gained += bucketCells(bucket) - before;
  };
  for (const [dst, pair] of source.pairs) fold(bucketKey(pair.eni, dst), pair, pair.ports, pair.flows);
  if (source.unpaired || source.pairs.size === 0) fold(OTHER_INTERFACES, source, source.ports, source.flows);
  source.pairs.clear();
  for (const sketch of [source.hosts, source.ports, source.flows]) {
    sketch.h.length = 0;
    sketch.v.length = 0;
  }
  source.unpaired = false;
  source.slim = true;
  return gained;
}
