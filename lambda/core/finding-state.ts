import type { Alert } from './alert';
import type { BottomK } from './bottom-k';
import { addToSketch, copySketch, emptySketch, hashInt, hashText, isSketch, mergeSketch, sketchCount } from './bottom-k';
import type { Direction, Scope } from './flow-context';
import { DIRECTIONS, SCOPES } from './flow-context';
import type { Cidr, IpAddress } from './ip-address';
import { canonicalIp, cidrContains, cidrContainsV4, parseIp, parseIpv4 } from './ip-address';

/**
 * What the detectors remember of one log group's rejected flows, window by window: per source, the
 * distinct hosts, ports and flows it was rejected on (bottom-k sketches: exact below their size,
 * estimates beyond), per source and destination the distinct ports, and per interface the flows of
 * sources the state had to let go. Everything in it is bounded (see {@link LIMITS}), adding a flow
 * twice changes nothing, and two states merge in any order to the same result — so re-reads,
 * retries, redeliveries and concurrent writers all come to the same findings.
 */

/** Size of every bound in the state. Finding thresholds may not exceed {@link LIMITS.exact}. */
export const LIMITS = {
  /** Distinct ports, hosts, flows and sources kept exactly per sketch (the estimate starts beyond). */
  exact: 64,
  /** Evidence alert ids kept per sketch of flows. */
  evidence: 10,
  /** Destinations tracked one by one per source (more make the source a sweep anyway). */
  pairsPerSource: 64,
  /** Interfaces with a summary of let-go sources per window; the rest share one bucket. */
  overflowInterfaces: 256,
  /** Sketch entries in one state, all windows together: about 25 bytes each stored (gzip JSON). */
  cells: 60_000,
} as const;

/** The bucket of let-go sources' flows past {@link LIMITS.overflowInterfaces} interfaces. */
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
  lateral?: BranchState;
  egress?: BranchState;
}

/** Flows of sources let go when the state was full, per destination interface. */
export interface OverflowState extends Span {
  readonly sources: BottomK;
  readonly ports: BottomK;
  readonly flows: BottomK;
}

/** Everything seen in one window. */
export interface WindowState {
  readonly sources: Map<string, SourceState>;
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
  const port = alert.protocol_number !== null && PORT_PROTOCOLS.has(alert.protocol_number) ? alert.dst_port : null;
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
 * closed, or ends at or before `openAfter` (epoch ms: push mode's writers stop adding to a window
 * well before its closer reads it): the caller sends such a flow as a flow alert, so it is never
 * invisible.
 */
export function observe(state: DetectorState, flow: Observation, windowMs: number, openAfter = 0): 'observed' | 'late' {
  const start = windowStartOf(flow.time, windowMs);
  if (start + windowMs <= Math.max(state.closedBefore, openAfter)) return 'late';
  let window = state.windows.get(start);
  if (window === undefined) {
    window = { sources: new Map(), overflow: new Map() };
    state.windows.set(start, window);
  }
  let source = window.sources.get(flow.src);
  if (source === undefined) {
    source = { scope: flow.srcScope, first: flow.first, last: flow.last, hosts: emptySketch(), ports: emptySketch(), flows: emptySketch(), pairs: new Map() };
    window.sources.set(flow.src, source);
  }
  const flowHash = hashText(flow.alertId);
  const dstHash = hashText(flow.dst);
  stretch(source, flow);
  addToSketch(source.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
  addToSketch(source.hosts, dstHash, flow.dst, LIMITS.exact);
  if (flow.port !== null) addToSketch(source.ports, hashInt(flow.port), flow.port, LIMITS.exact);
  let pair = source.pairs.get(flow.dst);
  if (pair === undefined && source.pairs.size < LIMITS.pairsPerSource) {
    pair = { first: flow.first, last: flow.last, ports: emptySketch(), flows: emptySketch(), eni: flow.eni, direction: flow.direction };
    source.pairs.set(flow.dst, pair);
  }
  if (pair !== undefined) {
    stretch(pair, flow);
    // The smallest interface id wins, whatever the order flows come in.
    if (flow.eni !== null && (pair.eni === null || flow.eni < pair.eni)) pair.eni = flow.eni;
    addToSketch(pair.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
    if (flow.port !== null) addToSketch(pair.ports, hashInt(flow.port), flow.port, LIMITS.exact);
  }
  const branchName = flow.direction === 'internal' ? 'lateral' : flow.direction === 'outbound' ? 'egress' : undefined;
  if (branchName !== undefined) {
    const branch = (source[branchName] ??= { first: flow.first, last: flow.last, hosts: emptySketch(), ports: emptySketch(), flows: emptySketch() });
    stretch(branch, flow);
    addToSketch(branch.flows, flowHash, flow.alertId, LIMITS.exact, LIMITS.evidence);
    addToSketch(branch.hosts, dstHash, flow.dst, LIMITS.exact);
    if (flow.port !== null) addToSketch(branch.ports, hashInt(flow.port), flow.port, LIMITS.exact);
  }
  return 'observed';
}

function stretch(span: Span, by: Span): void {
  if (by.first < span.first) span.first = by.first;
  if (by.last > span.last) span.last = by.last;
}

/** Sketch entries held by `state` (the measure of its size). */
export function stateCells(state: DetectorState): number {
  let cells = 0;
  for (const window of state.windows.values()) {
    for (const source of window.sources.values()) cells += sourceCells(source);
    for (const o of window.overflow.values()) cells += 3 + o.sources.h.length + o.ports.h.length + o.flows.h.length;
  }
  return cells;
}

function sourceCells(source: SourceState): number {
  let cells = 4 + source.hosts.h.length + source.ports.h.length + source.flows.h.length;
  for (const pair of source.pairs.values()) cells += 2 + pair.ports.h.length + pair.flows.h.length;
  for (const branch of [source.lateral, source.egress]) if (branch !== undefined) cells += 2 + branch.hosts.h.length + branch.ports.h.length + branch.flows.h.length;
  return cells;
}

/**
 * Keeps `state` within `maxCells` by letting go of the least telling sources: public before
 * private, then fewest distinct hosts, ports and flows. A let-go source's flows are folded into
 * its destinations' per-interface buckets, so they still count in the summaries (nothing becomes
 * invisible); only its own scan or sweep finding may be lost. Returns how many sources were let go.
 */
export function enforceLimit(state: DetectorState, maxCells: number = LIMITS.cells): number {
  let cells = stateCells(state);
  if (cells <= maxCells) return 0;
  const target = Math.floor(maxCells * 0.9);
  const ranked: Array<{ window: WindowState; ip: string; source: SourceState; score: number; tie: number }> = [];
  for (const window of state.windows.values()) {
    for (const [ip, source] of window.sources) {
      const score = (source.scope === 'private' ? 1e9 : 0) + sketchCount(source.hosts, LIMITS.exact) * 1e4 + sketchCount(source.ports, LIMITS.exact) * 100 + Math.min(99, sketchCount(source.flows, LIMITS.exact));
      ranked.push({ window, ip, source, score, tie: hashText(ip) });
    }
  }
  ranked.sort((a, b) => a.score - b.score || a.tie - b.tie);
  let released = 0;
  for (const entry of ranked) {
    if (cells <= target) break;
    const before = overflowCells(entry.window);
    cells -= sourceCells(entry.source);
    entry.window.sources.delete(entry.ip);
    foldIntoOverflow(entry.window, entry.ip, entry.source);
    cells += overflowCells(entry.window) - before;
    released++;
  }
  return released;
}

function overflowCells(window: WindowState): number {
  let cells = 0;
  for (const o of window.overflow.values()) cells += 3 + o.sources.h.length + o.ports.h.length + o.flows.h.length;
  return cells;
}

/** Adds a source's flows to the per-interface buckets of `window`. */
export function foldIntoOverflow(window: WindowState, ip: string, source: SourceState): void {
  const ipHash = hashText(ip);
  const bucket = (eni: string): OverflowState => {
    let key = eni;
    if (!window.overflow.has(key) && window.overflow.size >= LIMITS.overflowInterfaces) key = OTHER_INTERFACES;
    let o = window.overflow.get(key);
    if (o === undefined) {
      o = { first: source.first, last: source.last, sources: emptySketch(), ports: emptySketch(), flows: emptySketch() };
      window.overflow.set(key, o);
    }
    return o;
  };
  let pairedFlows = 0;
  for (const [dst, pair] of source.pairs) {
    const o = bucket(pair.eni ?? dst);
    stretch(o, pair);
    addToSketch(o.sources, ipHash, ip, LIMITS.exact);
    mergeSketch(o.ports, pair.ports, LIMITS.exact);
    mergeSketch(o.flows, pair.flows, LIMITS.exact, LIMITS.evidence);
    pairedFlows += pair.flows.h.length;
  }
  // Flows to destinations beyond the per-source limit had no pair: they go to the shared bucket.
  if (source.pairs.size === 0 || source.flows.h.length > pairedFlows) {
    const o = bucket(OTHER_INTERFACES);
    stretch(o, source);
    addToSketch(o.sources, ipHash, ip, LIMITS.exact);
    mergeSketch(o.ports, source.ports, LIMITS.exact);
    mergeSketch(o.flows, source.flows, LIMITS.exact, LIMITS.evidence);
  }
}

/** Merges `from` into `into` (in place): the state both together would have built. */
export function mergeState(into: DetectorState, from: DetectorState): void {
  into.closedBefore = Math.max(into.closedBefore, from.closedBefore);
  for (const [start, window] of from.windows) {
    let target = into.windows.get(start);
    if (target === undefined) {
      target = { sources: new Map(), overflow: new Map() };
      into.windows.set(start, target);
    }
    for (const [ip, source] of window.sources) {
      const existing = target.sources.get(ip);
      if (existing === undefined) target.sources.set(ip, cloneSource(source));
      else mergeSource(existing, source);
    }
    for (const [eni, o] of window.overflow) {
      const existing = target.overflow.get(eni);
      if (existing === undefined) target.overflow.set(eni, { first: o.first, last: o.last, sources: copySketch(o.sources), ports: copySketch(o.ports), flows: copySketch(o.flows) });
      else {
        stretch(existing, o);
        mergeSketch(existing.sources, o.sources, LIMITS.exact);
        mergeSketch(existing.ports, o.ports, LIMITS.exact);
        mergeSketch(existing.flows, o.flows, LIMITS.exact, LIMITS.evidence);
      }
    }
  }
}

/** Drops the windows of `state` that end at or before its `closedBefore` (their findings are out). */
export function dropClosed(state: DetectorState, windowMs: number): void {
  for (const start of [...state.windows.keys()]) if (start + windowMs <= state.closedBefore) state.windows.delete(start);
}

function cloneSource(source: SourceState): SourceState {
  const clone: SourceState = {
    scope: source.scope, first: source.first, last: source.last,
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

function mergeSource(into: SourceState, from: SourceState): void {
  stretch(into, from);
  mergeSketch(into.hosts, from.hosts, LIMITS.exact);
  mergeSketch(into.ports, from.ports, LIMITS.exact);
  mergeSketch(into.flows, from.flows, LIMITS.exact, LIMITS.evidence);
  // Past the per-source limit, which destinations keep a pair depends on order; the source has
  // that many hosts, so it is a sweep whichever they are.
  for (const [dst, theirs] of from.pairs) {
    const mine = into.pairs.get(dst);
    if (mine === undefined) {
      if (into.pairs.size < LIMITS.pairsPerSource) into.pairs.set(dst, { ...theirs, ports: copySketch(theirs.ports), flows: copySketch(theirs.flows) });
      continue;
    }
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

/** Stored state that cannot be read: the caller starts afresh (and says so). */
export class FindingStateError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'FindingStateError';
  }
}

const STATE_VERSION = 1;

/** The state as JSON (the store compresses it). */
export function encodeState(state: DetectorState): string {
  const windows = [...state.windows].map(([start, w]) => [
    start,
    [...w.sources].map(([ip, s]) => [ip, {
      scope: s.scope, first: s.first, last: s.last, hosts: s.hosts, ports: s.ports, flows: s.flows,
      pairs: [...s.pairs],
      ...(s.lateral !== undefined && { lateral: s.lateral }),
      ...(s.egress !== undefined && { egress: s.egress }),
    }]),
    [...w.overflow],
  ]);
  return JSON.stringify({ v: STATE_VERSION, closedBefore: state.closedBefore, windows });
}

/**
 * Reads what {@link encodeState} wrote, checking every part (a stored item is input like any other).
 * @throws FindingStateError when anything is out of shape.
 */
export function decodeState(json: string): DetectorState {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new FindingStateError('stored finding state is not JSON');
  }
  const top = raw as { v?: unknown; closedBefore?: unknown; windows?: unknown };
  if (typeof raw !== 'object' || raw === null || top.v !== STATE_VERSION) throw new FindingStateError('stored finding state has an unknown version');
  if (!isTime(top.closedBefore) || !Array.isArray(top.windows)) throw new FindingStateError('stored finding state is out of shape');
  const state = emptyState(top.closedBefore);
  for (const entry of top.windows) {
    if (!Array.isArray(entry) || entry.length !== 3 || !isTime(entry[0]) || !Array.isArray(entry[1]) || !Array.isArray(entry[2])) throw new FindingStateError('stored finding window is out of shape');
    const window: WindowState = { sources: new Map(), overflow: new Map() };
    for (const item of entry[1] as unknown[]) {
      const [ip, source] = pairOf(item);
      window.sources.set(ip, readSource(source));
    }
    for (const item of entry[2] as unknown[]) {
      const [eni, o] = pairOf(item);
      window.overflow.set(eni, readOverflow(o));
    }
    state.windows.set(entry[0], window);
  }
  return state;
}

function pairOf(item: unknown): [string, Record<string, unknown>] {
  if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string' || item[0].length > 128 || typeof item[1] !== 'object' || item[1] === null) {
    throw new FindingStateError('stored finding entry is out of shape');
  }
  return [item[0], item[1] as Record<string, unknown>];
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function sketch(value: unknown): BottomK {
  if (!isSketch(value, LIMITS.exact)) throw new FindingStateError('stored finding sketch is out of shape');
  return value;
}

function span(o: Record<string, unknown>): Span {
  if (!isTime(o['first']) || !isTime(o['last'])) throw new FindingStateError('stored finding times are out of shape');
  return { first: o['first'], last: o['last'] };
}

function readBranch(value: unknown): BranchState {
  if (typeof value !== 'object' || value === null) throw new FindingStateError('stored finding branch is out of shape');
  const o = value as Record<string, unknown>;
  return { ...span(o), hosts: sketch(o['hosts']), ports: sketch(o['ports']), flows: sketch(o['flows']) };
}

function readOverflow(o: Record<string, unknown>): OverflowState {
  return { ...span(o), sources: sketch(o['sources']), ports: sketch(o['ports']), flows: sketch(o['flows']) };
}

function readSource(o: Record<string, unknown>): SourceState {
  const scope = o['scope'];
  if (!SCOPES.includes(scope as Scope) || !Array.isArray(o['pairs']) || o['pairs'].length > LIMITS.pairsPerSource) throw new FindingStateError('stored finding source is out of shape');
  const source: SourceState = { scope: scope as Scope, ...span(o), hosts: sketch(o['hosts']), ports: sketch(o['ports']), flows: sketch(o['flows']), pairs: new Map() };
  for (const item of o['pairs'] as unknown[]) {
    const [dst, p] = pairOf(item);
    const eni = p['eni'];
    const direction = p['direction'];
    if ((eni !== null && typeof eni !== 'string') || (direction !== null && !DIRECTIONS.includes(direction as Direction))) throw new FindingStateError('stored finding pair is out of shape');
    source.pairs.set(dst, { ...span(p), ports: sketch(p['ports']), flows: sketch(p['flows']), eni: eni as string | null, direction: direction as Direction | null });
  }
  if (o['lateral'] !== undefined) source.lateral = readBranch(o['lateral']);
  if (o['egress'] !== undefined) source.egress = readBranch(o['egress']);
  return source;
}
