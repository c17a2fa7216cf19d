import { planWindow, SEARCH_MARGIN_MS } from '../../lambda/core/poll-window';
import { SeenSet } from '../../lambda/core/seen-set';

const MIN = 60_000;
const settings = { lookbackMs: 15 * MIN, maxCatchUpMs: 24 * 60 * MIN };
const NOW = 1_700_000_000_000;

describe('planWindow', () => {
  it('starts one lookback (and the search margin) back on the first run', () => {
    expect(SEARCH_MARGIN_MS).toBe(MIN);
    expect(planWindow(undefined, NOW, settings)).toEqual({ start: NOW - 16 * MIN, end: NOW });
  });

  it('overlaps the previous window by the lookback and the search margin, so late records are read', () => {
    expect(planWindow({ watermark: NOW - 5 * MIN }, NOW, settings)).toEqual({ start: NOW - 21 * MIN, end: NOW });
  });

  it('is done when the watermark has reached now', () => {
    expect(planWindow({ watermark: NOW }, NOW, settings)).toBeUndefined();
  });

  it('resumes an unfinished window with its token first', () => {
    const pending = { start: 1, end: 2, nextToken: 't' };
    expect(planWindow({ watermark: NOW, pending }, NOW, settings)).toEqual(pending);
  });

  it('catches up in windows of two lookbacks', () => {
    const position = { watermark: NOW - 3 * 60 * MIN };
    expect(planWindow(position, NOW, settings)).toEqual({ start: NOW - 196 * MIN, end: NOW - 164 * MIN });
  });

  it('reports, never silently skips, what is older than the catch-up limit', () => {
    const position = { watermark: NOW - 3 * 24 * 60 * MIN };
    expect(planWindow(position, NOW, settings)).toEqual({
      start: NOW - 24 * 60 * MIN,
      end: NOW - 24 * 60 * MIN + 32 * MIN,
      gap: { start: NOW - 3 * 24 * 60 * MIN - 16 * MIN, end: NOW - 24 * 60 * MIN },
    });
  });
});

describe('SeenSet', () => {
  it('remembers 20,000 events in 240 KB, round-trips, and prunes by timestamp', () => {
    const set = new SeenSet();
    for (let i = 0; i < 20_000; i++) set.add(`event-${i}`, NOW + i * 100);
    const bytes = set.encode();
    expect(bytes.length).toBe(240_000);
    const back = SeenSet.decode(bytes);
    expect(back.size).toBe(20_000);
    expect(back.has('event-0')).toBe(true);
    expect(back.has('event-19999')).toBe(true);
    expect(back.has('event-20000')).toBe(false);
    back.prune(NOW + 1_000_000);
    expect(back.has('event-9999')).toBe(false);
    expect(back.has('event-10000')).toBe(true);
    expect(back.size).toBe(10_000);
  });
});
