import { gzipSync } from 'node:zlib';
import { admitFlow } from '../../lambda/core/admit-flow';
import type { Alert } from '../../lambda/core/alert';
import { findingsOfState } from '../../lambda/core/close-window';
import type { FindingAlert, FindingSettings } from '../../lambda/core/finding';
import { encodeState } from '../../lambda/core/finding-codec';
import { enforceLimit, stateCells } from '../../lambda/core/finding-limits';
import type { DetectorState } from '../../lambda/core/finding-state';
import { emptyState, LIMITS, mergeState } from '../../lambda/core/finding-state';
import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import { interfaceOf, v2Record } from '../../local/flow-traffic';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const FORMAT = compileFormat();
const SETTINGS: FindingSettings = { alertMode: 'findings', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs: HOUR, allowlist: [] };

interface Flow { readonly alert: Alert; readonly time: number }
function flow(src: string, i: number, port: number, at: number, id: string, dst = interfaceOf(i).ip): Flow {
  const startS = Math.floor(at / 1000);
  return { alert: messageToAlert(v2Record({ eni: interfaceOf(i).eni, src, dst, srcPort: 40_000, dstPort: port, startS }), FORMAT, { eventId: id, timestamp: at, logGroup: 'g' }) as Alert, time: at };
}
function feed(flows: readonly Flow[], state: DetectorState = emptyState()): DetectorState {
  for (const f of flows) admitFlow(state, f.alert, f.time, SETTINGS);
  return state;
}
const kinds = (findings: readonly FindingAlert[]): string[] => findings.map((f) => `${f.finding_type} ${f.severity} ${f.src_ip ?? ''} ${f.dst_ip ?? ''} ${f.flow_count}`).sort();

describe('the per-source destination limit', () => {
  const src = '198.51.100.9';
  const sweep = Array.from({ length: 64 }, (_, d) => flow(src, d, 22, T0 + 60_000 + d * 1000, `s${d}`));
  const scan = Array.from({ length: 30 }, (_, p) => flow(src, 100, 1000 + p, T0 + 600_000 + p * 1000, `p${p}`));

  it('keeps the same destinations whatever the order of flows or merges', () => {
    const reference = kinds(findingsOfState(feed([...scan, ...sweep]), 'g', SETTINGS));
    expect(kinds(findingsOfState(feed([...sweep, ...scan]), 'g', SETTINGS))).toEqual(reference);
    for (const [a, b] of [[sweep, scan], [scan, sweep]] as const) {
      const merged = emptyState();
      mergeState(merged, feed(a));
      mergeState(merged, feed(b));
      expect(kinds(findingsOfState(merged, 'g', SETTINGS))).toEqual(reference);
    }
  });
});

describe('letting sources go', () => {
  it('keeps every flow in a finding: flows to untracked destinations go to the shared bucket', () => {
    const src = '198.51.100.9';
    const flows: Flow[] = [];
    for (let d = 0; d < 64; d++) for (let r = 0; r < 2; r++) flows.push(flow(src, d, 22 + r, T0 + 60_000 + d * 1000 + r, `a${d}-${r}`));
    for (let d = 64; d < 164; d++) flows.push(flow(src, d, 3389, T0 + 900_000 + d * 1000, `b${d}`));
    const state = feed(flows);
    enforceLimit(state, stateCells(state) - 1);
    const findings = findingsOfState(state, 'g', SETTINGS);
    expect(findings.every((f) => f.finding_type === 'inbound_summary')).toBe(true);
    const shared = findings.find((f) => f.cloud_resource === null && f.dst_ip === null);
    expect(shared?.sample_ports).toContain(3389);
    expect(shared?.title).toContain('to other interfaces');
    const total = findings.reduce((n, f) => n + f.flow_count, 0);
    expect(Math.abs(total - flows.length) / flows.length).toBeLessThan(0.3);
  });

  it('keeps a private source\'s lateral and egress findings (high) while it can', () => {
    const lateral = [6, 7, 8].map((i) => flow('10.0.9.50', i, 445, T0 + 120_000 + i, `l${i}`));
    const flood = Array.from({ length: 3000 }, (_, i) => flow(`${20 + (i % 80)}.${(i >> 8) & 255}.${i & 255}.1`, i % 20, 22, T0 + 200_000 + i, `f${i}`));
    const state = feed([...lateral, ...flood]);
    enforceLimit(state, 2000);
    expect(stateCells(state)).toBeLessThanOrEqual(2000);
    const findings = findingsOfState(state, 'g', SETTINGS);
    expect(findings.filter((f) => f.finding_type === 'lateral_blocked')).toEqual([expect.objectContaining({ severity: 'high', src_ip: '10.0.9.50', flow_count: 3 })]);
  });

  it('brings any state within bounds: hundreds of interfaces and many open windows, and the stored form stays under the item limit', () => {
    const state = emptyState();
    for (let w = 0; w < 40; w++) {
      for (let i = 0; i < 4000; i++) {
        const eni = i % 300;
        const f = flow(`${20 + (i % 80)}.${(i >> 8) & 255}.${i & 255}.${1 + (w % 200)}`, eni, 1 + (i % 1000), T0 + w * HOUR + i * 100, `w${w}-${i}`, `10.1.${eni >> 8}.${eni & 255}`);
        admitFlow(state, f.alert, f.time, SETTINGS);
      }
      enforceLimit(state);
    }
    expect(state.windows.size).toBe(40);
    expect(stateCells(state)).toBeLessThanOrEqual(LIMITS.cells);
    expect(gzipSync(encodeState(state)).length).toBeLessThan(380_000);
    const findings = findingsOfState(state, 'g', SETTINGS);
    const counted = findings.reduce((n, f) => n + (f.finding_type === 'inbound_summary' ? f.flow_count : 0), 0);
    expect(Math.abs(counted - 160_000) / 160_000).toBeLessThan(0.3);
  });

  it('sends a flow on its own rather than open one window too many', () => {
    const state = emptyState();
    for (let w = 0; w < LIMITS.openWindows; w++) expect(admitFlow(state, flow('198.51.100.1', 1, 22, T0 + w * HOUR, `w${w}`).alert, T0 + w * HOUR, SETTINGS)).toBe('held');
    const extra = flow('198.51.100.1', 1, 22, T0 + LIMITS.openWindows * HOUR, 'extra');
    expect(admitFlow(state, extra.alert, extra.time, SETTINGS)).toBe('late');
  });
});
