import fc from 'fast-check';
import { admitFlow } from '../../lambda/core/admit-flow';
import type { Alert } from '../../lambda/core/alert';
import { findingsOfState } from '../../lambda/core/close-window';
import type { FindingAlert, FindingSettings } from '../../lambda/core/finding';
import { FINDING_TYPES, findingId } from '../../lambda/core/finding';
import type { DetectorState } from '../../lambda/core/finding-state';
import { decodeState, encodeState, FindingStateError } from '../../lambda/core/finding-codec';
import { enforceLimit, stateCells } from '../../lambda/core/finding-limits';
import { emptyState, LIMITS, mergeState } from '../../lambda/core/finding-state';
import { cidrs } from '../../lambda/core/ip-address';
import { compileFormat } from '../../lambda/core/log-format';
import { DEFAULT_CLASSIFY, messageToAlert } from '../../lambda/core/normalize';
import { ALLOWLISTED_RANGE, interfaceOf, plantedAttacks, v2Record } from '../../local/flow-traffic';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const FORMAT = compileFormat();
const SETTINGS: FindingSettings = { alertMode: 'findings', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs: HOUR, allowlist: cidrs(ALLOWLISTED_RANGE) };

interface Flow { readonly alert: Alert; readonly time: number }

const flowOf = (message: string, time: number, eventId: string): Flow => ({ alert: messageToAlert(message, FORMAT, { eventId, timestamp: time, logGroup: 'g' }, DEFAULT_CLASSIFY) as Alert, time });

function feed(flows: readonly Flow[], state: DetectorState = emptyState(), settings = SETTINGS): DetectorState {
  for (const f of flows) admitFlow(state, f.alert, f.time, settings);
  return state;
}

function close(state: DetectorState, settings = SETTINGS): FindingAlert[] {
  return findingsOfState(state, 'g', settings);
}

const planted = plantedAttacks(T0 + 10 * 60_000);
const plantedFlows = planted.events.map((e, i) => flowOf(e.message, e.timestamp, `p${i}`));

describe('findings from planted attacks', () => {
  const findings = close(feed(plantedFlows));
  const of = (type: string, src: string | null) => findings.filter((f) => f.finding_type === type && f.src_ip === src);

  it('finds the vertical scan: one port_scan, medium, with its ports and evidence', () => {
    const [scan] = of('port_scan', '198.51.100.23');
    expect(scan).toMatchObject({ severity: 'medium', dst_ip: interfaceOf(2).ip, cloud_resource: interfaceOf(2).eni, distinct_ports: 40, flow_count: 40, counts_exact: true });
    expect(scan?.sample_ports).toEqual(Array.from({ length: 20 }, (_, p) => 20 + p * 37));
    expect(scan?.evidence).toHaveLength(10);
    expect(of('port_scan', '198.51.100.23')).toHaveLength(1);
  });

  it('finds the sweep, the lateral probe (high) and the blocked egress (high)', () => {
    expect(of('host_sweep', '203.0.113.77')[0]).toMatchObject({ severity: 'medium', distinct_hosts: 15, distinct_ports: 1, sample_ports: [22] });
    expect(of('lateral_blocked', '10.0.9.50')[0]).toMatchObject({ severity: 'high', distinct_hosts: 3, flow_count: 3, sample_ports: [445, 3389] });
    expect(of('egress_blocked', interfaceOf(5).ip)[0]).toMatchObject({ severity: 'high', distinct_hosts: 1, flow_count: 3, sample_hosts: ['45.33.32.156'] });
  });

  it('ignores the allowlisted scanner entirely', () => {
    expect(findings.filter((f) => f.src_ip === '192.0.2.10' || f.top_sources.some((s) => s.ip === '192.0.2.10'))).toEqual([]);
    const state = emptyState();
    const scanner = plantedFlows.filter((f) => f.alert.src_ip === '192.0.2.10');
    expect(scanner.map((f) => admitFlow(state, f.alert, f.time, SETTINGS))).toEqual(scanner.map(() => 'allowlisted'));
    expect(state.windows.size).toBe(0);
  });

  it('gives every finding an id that is a pure function of type, group, subject and window', () => {
    for (const f of findings) expect(f.alert_id).toMatch(/^finding-[0-9a-f]{40}$/);
    expect(new Set(findings.map((f) => f.alert_id)).size).toBe(findings.length);
    fc.assert(fc.property(fc.constantFrom(...FINDING_TYPES), fc.string(), fc.string(), fc.nat(), fc.integer({ min: 1, max: 1e7 }), (type, group, subject, start, length) => {
      const id = findingId(type, group, subject, start, length);
      expect(findingId(type, group, subject, start, length)).toBe(id);
      expect(findingId(type, group, subject, start + 1, length)).not.toBe(id);
      expect(findingId(type, `${group}x`, subject, start, length)).not.toBe(id);
      expect(findingId(type, group, `${subject}x`, start, length)).not.toBe(id);
    }));
  });
});

/** The findings that hold a flow, by the rules of docs/alert-contract.md. */
function holders(findings: readonly FindingAlert[], flow: Alert, time: number): FindingAlert[] {
  return findings.filter((f) => {
    if (time < Date.parse(f.window_start) || time >= Date.parse(f.window_end)) return false;
    switch (f.finding_type) {
      case 'port_scan': return f.src_ip === flow.src_ip && f.dst_ip === flow.dst_ip;
      case 'host_sweep': return f.src_ip === flow.src_ip;
      case 'lateral_blocked': return f.src_ip === flow.src_ip && flow.direction === 'internal';
      case 'egress_blocked': return f.src_ip === flow.src_ip && flow.direction === 'outbound';
      case 'inbound_summary': return f.cloud_resource === flow.cloud_resource || (f.cloud_resource === null && f.dst_ip === flow.dst_ip);
    }
  });
}

const arbitraryFlows = fc.array(
  fc.record({
    src: fc.constantFrom('198.51.100.1', '198.51.100.2', '203.0.113.9', '10.0.0.7', '10.0.0.8', '2001:db8::1'),
    dst: fc.integer({ min: 0, max: 14 }),
    public: fc.boolean(),
    port: fc.integer({ min: 1, max: 14 }),
    minute: fc.integer({ min: 0, max: 179 }),
    protocol: fc.constantFrom(6, 17, 1),
  }),
  { maxLength: 120 },
).map((items) => items.map((x, i) => {
  const startS = Math.floor((T0 + x.minute * 60_000) / 1000);
  const dst = x.public ? `8.8.${x.dst}.1` : interfaceOf(x.dst).ip;
  return flowOf(v2Record({ eni: interfaceOf(x.dst).eni, src: x.src, dst, srcPort: 40_000, dstPort: x.port, protocol: x.protocol, startS }), startS * 1000, `e${i}`);
}));

const small: FindingSettings = { ...SETTINGS, scanPortThreshold: 3, sweepHostThreshold: 4 };

describe('findings properties', () => {
  it('hold every observed flow in at least one finding, and summaries count exactly the rest', () => {
    fc.assert(fc.property(arbitraryFlows, (flows) => {
      const findings = close(feed(flows, emptyState(), small), small);
      for (const { alert, time } of flows) expect(holders(findings, alert, time).length).toBeGreaterThan(0);
      const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((n, f) => n + f.flow_count, 0);
      const unexplained = flows.filter(({ alert, time }) => holders(findings, alert, time).every((f) => f.finding_type === 'inbound_summary'));
      expect(summarised).toBe(unexplained.length);
    }));
  });

  it('are the same when the flows come twice, in any order, or split across states and merged', () => {
    fc.assert(fc.property(arbitraryFlows, fc.nat(), fc.nat(), (flows, seed, cut) => {
      const reference = close(feed(flows, emptyState(), small), small);
      const shuffled = [...flows, ...flows].map((f, i) => ({ f, k: (i * 7919 + seed) % 1009 })).sort((a, b) => a.k - b.k).map((x) => x.f);
      expect(close(feed(shuffled, emptyState(), small), small)).toEqual(reference);
      const at = flows.length === 0 ? 0 : cut % flows.length;
      const left = feed(flows.slice(0, at), emptyState(), small);
      const right = feed(flows.slice(Math.max(0, at - 5)), emptyState(), small);
      mergeState(left, right);
      expect(close(left, small)).toEqual(reference);
      expect(close(decodeState(encodeState(left)), small)).toEqual(reference);
    }));
  });
});

describe('bounded state', () => {
  it('stays within its cell limit under a flood of one-probe sources, and still finds the planted scan', () => {
    const flood = Array.from({ length: 60_000 }, (_, i) => {
      const startS = Math.floor(T0 / 1000) + (i % 3000);
      const src = `${20 + (i % 80)}.${(i >> 8) & 255}.${i & 255}.${1 + (i % 250)}`;
      return flowOf(v2Record({ eni: interfaceOf(i % 20).eni, src, dst: interfaceOf(i % 20).ip, srcPort: 1, dstPort: 22, startS }), startS * 1000, `f${i}`);
    });
    const state = emptyState();
    feed(plantedFlows.slice(0, 60), state);
    for (let i = 0; i < flood.length; i += 5000) {
      feed(flood.slice(i, i + 5000), state);
      enforceLimit(state);
    }
    expect(stateCells(state)).toBeLessThanOrEqual(LIMITS.cells);
    expect(Buffer.byteLength(encodeState(state))).toBeLessThan(2_000_000);
    const findings = close(state);
    expect(findings.some((f) => f.finding_type === 'port_scan' && f.src_ip === '198.51.100.23')).toBe(true);
    const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((n, f) => n + f.flow_count, 0);
    // Let-go sources are estimated beyond 64 flows an interface: the total is within the estimate's error.
    expect(Math.abs(summarised - 60_000) / 60_000).toBeLessThan(0.25);
  });

  it('refuses stored state that is out of shape', () => {
    for (const bad of ['', '{}', '{"v":2,"closedBefore":0,"windows":[[1,3600000,[["1.2.3.4",{}]],[]]]}', '{"v":3,"closedBefore":0,"windows":[]}', '{"v":2,"closedBefore":0,"windows":[[1,0,[],[]]]}', '{"v":2,"closedBefore":0,"windows":[[1,3600000,[["1.2.3.4",{"scope":"public","first":1,"last":1,"hosts":{"h":[2,1],"v":[1,1]},"ports":{"h":[],"v":[]},"flows":{"h":[],"v":[]},"pairs":[]}]],[]]]}']) {
      expect(() => decodeState(bad)).toThrow(FindingStateError);
    }
  });
});

describe('what is sent', () => {
  const scan = plantedFlows.find((f) => f.alert.src_ip === '198.51.100.23') as Flow;
  const allowlisted = plantedFlows.find((f) => f.alert.src_ip === '192.0.2.10') as Flow;
  const accept = flowOf(v2Record({ eni: 'eni-1', src: '8.8.8.8', dst: '10.0.0.1', srcPort: 1, dstPort: 2, startS: T0 / 1000, action: 'ACCEPT' }), T0, 'acc');
  const unparsed = flowOf('garbage that is not a record', T0, 'bad');

  it.each([
    ['flows', ['send', 'send', 'send', 'send']],
    ['findings', ['held', 'allowlisted', 'counted', 'send']],
    ['both', ['send', 'send', 'send', 'send']],
  ] as const)('in %s mode', (alertMode, expected) => {
    const state = emptyState();
    const settings = { ...SETTINGS, alertMode };
    expect([scan, allowlisted, accept, unparsed].map((f) => admitFlow(state, f.alert, f.time, settings))).toEqual(expected);
  });

  it('sends high flows in findings mode, and flows whose window is already closed', () => {
    const state = emptyState();
    expect(admitFlow(state, { ...scan.alert, severity: 'high' }, scan.time, SETTINGS)).toBe('send');
    expect(admitFlow(emptyState(scan.time + HOUR), scan.alert, scan.time, SETTINGS)).toBe('late');
  });
});
