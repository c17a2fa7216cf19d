import { backoffDelay } from '../../lambda/adapters/retry';

describe('backoffDelay', () => {
  it('draws from the whole exponential range, capped', () => {
    expect(backoffDelay(1, 100, 2000, () => 0.5)).toBe(100);
    expect(backoffDelay(3, 100, 2000, () => 0.999)).toBe(799);
    expect(backoffDelay(10, 100, 2000, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, 100, 2000, () => 0)).toBe(0);
  });
});
