/** Where polling of one log group stands, as saved in the checkpoint (times in epoch ms). */
export interface PollPosition {
  /** Every event with a timestamp before `watermark - lookback` has been read and sent. */
  readonly watermark: number;
  /** A window a capped or interrupted run left unfinished, resumed before anything else. */
  readonly pending?: { readonly start: number; readonly end: number; readonly nextToken?: string };
}

/** Poller timing settings (ms). */
export interface WindowSettings {
  /** How late after its own timestamp a record may be ingested and still be delivered. */
  readonly lookbackMs: number;
  /** How far back a poll reaches after missed runs; anything older is reported as a gap. */
  readonly maxCatchUpMs: number;
}

/**
 * Extra reach back beyond the lookback: an event ingested just before a query may not be
 * searchable by it yet, and must still fall inside the next window.
 */
export const SEARCH_MARGIN_MS = 60_000;

/** The next FilterLogEvents time range (inclusive start, inclusive end, as the API takes them). */
export interface PollWindow {
  readonly start: number;
  readonly end: number;
  readonly nextToken?: string;
  /** A range older than the catch-up limit that this window leaves unread. */
  readonly gap?: { readonly start: number; readonly end: number };
}

/**
 * Plans the next window. Windows overlap by `lookbackMs` (plus a search margin), because
 * FilterLogEvents selects by event timestamp and records arrive late; the seen-set removes the
 * overlap's repeats. One window spans at most twice that, so catching up proceeds in steps whose
 * repeats stay bounded.
 * Returns `undefined` when the group is caught up to `now`.
 */
export function planWindow(position: PollPosition | undefined, now: number, settings: WindowSettings): PollWindow | undefined {
  if (position?.pending !== undefined) {
    const { start, end, nextToken } = position.pending;
    return nextToken === undefined ? { start, end } : { start, end, nextToken };
  }
  const earliest = now - settings.maxCatchUpMs;
  const reach = settings.lookbackMs + SEARCH_MARGIN_MS;
  const wanted = position === undefined ? now - reach : position.watermark - reach;
  const start = Math.max(wanted, earliest);
  const end = Math.min(now, start + 2 * reach);
  if (position !== undefined && end <= position.watermark) return undefined;
  return wanted < earliest ? { start, end, gap: { start: wanted, end: earliest } } : { start, end };
}
