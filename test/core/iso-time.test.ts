import fc from 'fast-check';
import { isoFromMillis } from '../../lambda/core/iso-time';

describe('isoFromMillis', () => {
  it('writes exactly what Date#toISOString writes, over the whole Date range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true })), (ms) => {
        expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('gets the edges right', () => {
    for (const ms of [0, 951_782_400_000 /* 2000-02-29 */, 253_402_300_799_999, 253_402_300_800_000, -1, 8.64e15, -8.64e15]) {
      expect(isoFromMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('returns null outside the Date range and for absent values', () => {
    expect(isoFromMillis(8.64e15 + 1)).toBeNull();
    expect(isoFromMillis(Number.NaN)).toBeNull();
    expect(isoFromMillis(Infinity)).toBeNull();
    expect(isoFromMillis(undefined)).toBeNull();
    expect(isoFromMillis(null)).toBeNull();
  });
});
