/** The README's cost table is the cost model's, and the model adds up as it says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimate, MODEL, UNIT_PRICES, withCostTable } from '../scripts/cost-estimate';

describe('monthly cost estimate', () => {
  it('is what scripts/cost-estimate.ts computes (run npm run gen:docs)', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(withCostTable(readme)).toBe(readme);
  });

  it('prices 10,000 flows a month as the model states, by hand', () => {
    const e = estimate(10_000);
    const runs = 8760;
    expect(e.lambda).toBeCloseTo(0.5 * (runs * 0.6 + 10_000 * 0.00013) * 0.0000133334 + runs * 0.2e-6, 6);
    expect(e.sqs).toBeCloseTo((3 * 1000 + 131_400) * 0.4e-6, 6);
    // A seen-set of 10,000 / 2,700 windows * 12 bytes fits in one 1 KB write unit with the item.
    expect(e.dynamodb).toBeCloseTo(runs * (3 * 1 * 0.625e-6 + 1 * 0.125e-6), 6);
    expect(e.cloudwatch).toBeCloseTo(14 * 0.3 + 9 * 0.1 + 3 + (runs * 2048 / 1024 ** 3) * 0.5, 6);
    expect(e.total).toBeCloseTo(e.lambda + e.sqs + e.dynamodb + e.cloudwatch + e.kms, 9);
    expect(e.maxEventsPerRun).toBe(MODEL.defaultMaxEventsPerRun);
  });

  it('says when a volume needs more than the default alerts per run', () => {
    expect(estimate(40_000_000).maxEventsPerRun).toBe(5000);
    expect(estimate(100_000_000).maxEventsPerRun).toBe(12_000);
    expect(estimate(100_000_000).sqs).toBeGreaterThan(estimate(1_000_000).sqs * 50);
    expect(UNIT_PRICES.dashboardMonth).toBe(3);
  });
});
