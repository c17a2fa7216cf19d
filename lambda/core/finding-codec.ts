import type { BottomK } from './bottom-k';
import { isSketch } from './bottom-k';
import type { Direction, Scope } from './flow-context';
import { DIRECTIONS, SCOPES } from './flow-context';
import type { BranchState, DetectorState, OverflowState, SourceState, Span, WindowState } from './finding-state';
import { emptyState, LIMITS } from './finding-state';

/** Stored state that cannot be read: the caller starts afresh (and says so). */
export class FindingStateError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'FindingStateError';
  }
}

const STATE_VERSION = 2;

/** The state as JSON (the store compresses it). */
export function encodeState(state: DetectorState): string {
  const windows = [...state.windows].map(([start, w]) => [
    start,
    w.length,
    [...w.sources].map(([ip, s]) => [ip, {
      scope: s.scope, first: s.first, last: s.last, hosts: s.hosts, ports: s.ports, flows: s.flows,
      pairs: [...s.pairs],
      ...(s.unpaired && { unpaired: true }),
      ...(s.slim && { slim: true }),
      ...(s.lateral !== undefined && { lateral: s.lateral }),
      ...(s.egress !== undefined && { egress: s.egress }),
    }]),
    [...w.overflow],
  ]);
  return JSON.stringify({ v: STATE_VERSION, closedBefore: state.closedBefore, windows });
}

/**
 * Reads what {@link encodeState} wrote, checking every part and bound (a stored item is input like
 * any other).
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
  if (!isTime(top.closedBefore) || !Array.isArray(top.windows) || top.windows.length > LIMITS.openWindows) throw new FindingStateError('stored finding state is out of shape');
  const state = emptyState(top.closedBefore);
  for (const entry of top.windows) {
    if (!Array.isArray(entry) || entry.length !== 4 || !isTime(entry[0]) || !isTime(entry[1]) || entry[1] <= 0 || !Array.isArray(entry[2]) || !Array.isArray(entry[3])) {
      throw new FindingStateError('stored finding window is out of shape');
    }
    const window: WindowState = { length: entry[1], sources: new Map(), overflow: new Map() };
    for (const item of entry[2] as unknown[]) {
      const [ip, source] = pairOf(item);
      window.sources.set(ip, readSource(source));
    }
    if ((entry[3] as unknown[]).length > LIMITS.overflowInterfaces + 1) throw new FindingStateError('stored finding window has too many buckets');
    for (const item of entry[3] as unknown[]) {
      const [key, o] = pairOf(item);
      window.overflow.set(key, readOverflow(o));
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
  const source: SourceState = {
    scope: scope as Scope, ...span(o), hosts: sketch(o['hosts']), ports: sketch(o['ports']), flows: sketch(o['flows']), pairs: new Map(),
    unpaired: o['unpaired'] === true, slim: o['slim'] === true,
  };
  for (const item of o['pairs'] as unknown[]) {
    const [dst, p] = pairOf(item);
    const eni = p['eni'];
    const direction = p['direction'];
    if ((eni !== null && (typeof eni !== 'string' || eni.length > 128)) || (direction !== null && !DIRECTIONS.includes(direction as Direction))) throw new FindingStateError('stored finding pair is out of shape');
    source.pairs.set(dst, { ...span(p), ports: sketch(p['ports']), flows: sketch(p['flows']), eni: eni as string | null, direction: direction as Direction | null });
  }
  if (o['lateral'] !== undefined) source.lateral = readBranch(o['lateral']);
  if (o['egress'] !== undefined) source.egress = readBranch(o['egress']);
  return source;
}
