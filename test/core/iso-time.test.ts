import fc from 'fast-check';
import { isoFromMillis } from '../../lambda/core/iso-time';

describe('isoFromMillis', () => {
  const START = -62_167_219_200_000; // 0000-01-01
  const END = 253_402_300_800_000; // 10000-01-01

  it('writes exactly what Date#toISOString writes for years 0000-9999, and null outside them', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ms) => {
        expect(isoFromMillis(ms)).toBe(ms >= START && ms < END ? new Date(ms).toISOString() : null);
      }),
      { numRuns: 20_000 },
    );
  });

  it('gets the edges right', () => {
    for (const ms of [0, 951_782_400_000 /* 2000-02-29 */, 253_402_300_799_999, -1, START]) {
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
    }
    expect(isoFromMillis(253_402_300_799_999)).toBe('9999-12-31T23:59:59.999Z');
    expect(isoFromMillis(END)).toBeNull();
    expect(isoFromMillis(START - 1)).toBeNull();
    expect(isoFromMillis(8.64e15)).toBeNull();
  });

  it('returns null outside the Date range and for absent values', () => {
    expect(isoFromMillis(8.64e15 + 1)).toBeNull();
    expect(isoFromMillis(Number.NaN)).toBeNull();
    expect(isoFromMillis(Infinity)).toBeNull();
    expect(isoFromMillis(undefined)).toBeNull();
    expect(isoFromMillis(null)).toBeNull();
  });
});
