import fc from 'fast-check';
import { addToSketch, emptySketch, hashInt, hashText, mergeSketch, sketchCount, sketchExact, sketchValues } from '../../lambda/core/bottom-k';

const K = 64;
const build = (values: readonly string[], keep = 10) => {
  const s = emptySketch();
  for (const v of values) addToSketch(s, hashText(v), v, K, keep);
  return s;
};

describe('bottom-k sketch', () => {
  it('counts exactly below k and keeps every value', () => {
    const s = build(Array.from({ length: 40 }, (_, i) => `v${i}`), K);
    expect(sketchCount(s, K)).toBe(40);
    expect(sketchExact(s, K)).toBe(true);
    expect(sketchValues(s)).toHaveLength(40);
  });

  it('estimates large counts within 30 % and stays at k entries', () => {
    for (const n of [1_000, 20_000, 200_000]) {
      const s = build(Array.from({ length: n }, (_, i) => `flow-${n}-${i}`));
      expect(s.h).toHaveLength(K);
      expect(sketchExact(s, K)).toBe(false);
      expect(Math.abs(sketchCount(s, K) - n) / n).toBeLessThan(0.3);
    }
  });

  it('never collides on ports: 65,536 ports give 65,536 hashes', () => {
    const seen = new Set<number>();
    for (let p = 0; p < 65_536; p++) seen.add(hashInt(p));
    expect(seen.size).toBe(65_536);
  });

  it('is the same whatever the order, repeats or merges (payloads included)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 6 }), { maxLength: 150 }), fc.integer({ min: 0, max: 149 }), fc.nat(), (values, cut, seed) => {
        const reference = build(values);
        const shuffled = [...values, ...values.slice(0, cut)].sort((a, b) => hashText(`${seed}${a}`) - hashText(`${seed}${b}`));
        expect(build(shuffled)).toEqual(reference);
        const left = build(values.slice(0, cut));
        mergeSketch(left, build(values.slice(cut)), K, 10);
        expect(left).toEqual(reference);
      }),
    );
  });
});
