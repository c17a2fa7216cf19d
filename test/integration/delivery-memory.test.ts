/**
 * Push mode's memory for any payload: each delivery is handled in a process of its own, whose peak
 * RSS must stay under the function's 512 MB. Hostile floods stop at the decompressed-size cap; the
 * largest delivery accepted (both caps reached) is processed whole.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Shape } from '../../bench/delivery-memory';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const FUNCTION_MEMORY_MIB = 512;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'delivery-memory-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Record<string, unknown> {
  const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bench', 'delivery-memory.ts'), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`delivery-memory ${args.join(' ')} failed: ${result.stderr}`);
  const last = result.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Record<string, unknown>;
}

it.each<[Shape, Record<string, unknown>]>([
  ['flood-795k', { kind: 'corrupt', alertsSent: 1 }],
  ['tiny-1.5m', { kind: 'corrupt', alertsSent: 1 }],
  ['largest-accepted', { kind: 'data', alertsSent: 50_000 }],
])('handles the %s delivery within the function memory', (shape, outcome) => {
  const file = join(dir, `${shape}.b64`);
  run('make', shape, file);
  const measured = run('measure', file);
  expect(measured).toMatchObject(outcome);
  if (outcome['kind'] === 'corrupt') expect(measured['reason']).toMatch(/at most 16777216 bytes/);
  expect(measured['peakRssMiB']).toBeLessThan(FUNCTION_MEMORY_MIB);
});
