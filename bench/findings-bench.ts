/**
 * Findings: what `alertMode findings` sends against `flows` on a generated day of internet
 * background scanning with planted attacks, whether every planted attack is found, what the
 * detectors cost per record, and how large their state gets, for the day and for a hostile flood of
 * one-probe sources. The day runs through the detectors as the poller runs them (a window closes once
 * its hour and the lookback have passed). `npm run bench`.
 */
import { gzipSync } from 'node:zlib';
import { admitFlow } from '../lambda/core/admit-flow';
import type { Alert } from '../lambda/core/alert';
import { findingsOfState } from '../lambda/core/close-window';
import type { FindingAlert, FindingSettings } from '../lambda/core/finding';
import type { DetectorState } from '../lambda/core/finding-state';
import { encodeState } from '../lambda/core/finding-codec';
import { enforceLimit, stateCells } from '../lambda/core/finding-limits';
import { dropClosed, emptyState, windowStartOf } from '../lambda/core/finding-state';
import { cidrs } from '../lambda/core/ip-address';
import { compileFormat } from '../lambda/core/log-format';
import { messageToAlert } from '../lambda/core/normalize';
import type { PlantedAttack, TrafficEvent } from '../local/flow-traffic';
import { ALLOWLISTED_RANGE, backgroundTraffic, plantedAttacks, v2Record } from '../local/flow-traffic';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 25, 0, 0, 0);
const LOOKBACK = 16 * 60_000;
const SETTINGS: FindingSettings = { alertMode: 'findings', scanPortThreshold: 10, sweepHostThreshold: 10, windowMs: HOUR, allowlist: cidrs(ALLOWLISTED_RANGE) };
const FORMAT = compileFormat();

function normalizeAll(events: readonly TrafficEvent[]): Array<{ alert: Alert; time: number }> {
  return events.map((e, i) => ({ alert: messageToAlert(e.message, FORMAT, { eventId: `ev-${i}`, timestamp: e.timestamp, logGroup: '/aws/vpc/flowlogs' }) as Alert, time: e.timestamp }));
}

interface DayResult {
  readonly flowsSent: number;
  readonly findings: FindingAlert[];
  readonly maxStateBytes: number;
  readonly maxCells: number;
  /** Admission, state updates and window closing. */
  readonly detectSeconds: number;
  /** Shrinking to bounds and encoding for the store (gzip JSON), per save. */
  readonly saveMs: number;
}

/**
 * The day as the poller sees it: flows in time order, each window closed once its end and the
 * lookback have passed. With `saves`, the state is also shrunk and encoded as the store does every
 * 1,000 records (its size measured); without, only the detectors run (their time measured alone,
 * without the encoding's garbage).
 */
function runDay(flows: ReadonlyArray<{ alert: Alert; time: number }>, saves: boolean): DayResult {
  const state: DetectorState = emptyState();
  const findings: FindingAlert[] = [];
  let flowsSent = 0;
  let maxStateBytes = 0;
  let maxCells = 0;
  let nextClose = windowStartOf(START, HOUR) + HOUR + LOOKBACK;
  const closeUpTo = (now: number): void => {
    const boundary = windowStartOf(now - LOOKBACK, HOUR);
    findings.push(...findingsOfState(state, '/aws/vpc/flowlogs', SETTINGS, boundary));
    state.closedBefore = Math.max(state.closedBefore, boundary);
    dropClosed(state);
  };
  let detect = 0n;
  let store = 0n;
  let saved = 0;
  let sinceSave = 0;
  for (const { alert, time } of flows) {
    const t0 = process.hrtime.bigint();
    if (time >= nextClose) {
      closeUpTo(time);
      nextClose += HOUR;
    }
    const admission = admitFlow(state, alert, time, SETTINGS);
    if (admission === 'send' || admission === 'late') flowsSent++;
    const t1 = process.hrtime.bigint();
    detect += t1 - t0;
    // The poller saves the state once a page: every 5 minutes, or 10,000 records at most. The day
    // has about 200 records in 5 minutes; saving every 1,000 records over-counts saves fivefold.
    if (saves && ++sinceSave === 1000) {
      sinceSave = 0;
      enforceLimit(state);
      const bytes = gzipSync(encodeState(state)).length;
      store += process.hrtime.bigint() - t1;
      saved++;
      maxCells = Math.max(maxCells, stateCells(state));
      maxStateBytes = Math.max(maxStateBytes, bytes);
    }
  }
  closeUpTo(Number.MAX_SAFE_INTEGER);
  return { flowsSent, findings, maxStateBytes, maxCells, detectSeconds: Number(detect) / 1e9, saveMs: Number(store) / 1e6 / Math.max(1, saved) };
}

function found(findings: readonly FindingAlert[], attack: PlantedAttack, hourStart: number): boolean {
  const inWindow = findings.filter((f) => f.window_start === new Date(hourStart).toISOString() && f.src_ip === attack.src);
  if (attack.expect === null) return inWindow.length === 0 && !findings.some((f) => f.top_sources.some((t) => t.ip === attack.src));
  return inWindow.some((f) => f.finding_type === attack.expect?.type && (attack.expect.dst === undefined || f.dst_ip === attack.expect.dst));
}

function day(): void {
  const background = backgroundTraffic({ startMs: START, hours: 24, interfaces: 20, probesPerInterfaceHour: 120, sweepersPerHour: 2 });
  // The attacks, planted at 03:10, 11:10 and 19:10; the 11:10 set straddles nothing, the 19:55 scan straddles 20:00.
  const plantedAt = [3, 11, 19].map((h) => START + h * HOUR + 10 * 60_000);
  const planted = plantedAt.map((at) => plantedAttacks(at));
  const straddling: TrafficEvent[] = Array.from({ length: 30 }, (_, p) => {
    const startS = Math.floor((START + 19 * HOUR + 55 * 60_000) / 1000) + p * 20;
    return { timestamp: startS * 1000, message: v2Record({ eni: 'eni-00000000000001003', src: '198.51.100.200', dst: '10.0.1.13', srcPort: 40_000 + p, dstPort: 2000 + p, startS }) };
  });
  const events = [...background, ...planted.flatMap((p) => p.events), ...straddling].sort((a, b) => a.timestamp - b.timestamp);
  const flows = normalizeAll(events);
  const result = runDay(flows, true);
  // The detectors alone, best of five runs.
  const detectSeconds = Math.min(...Array.from({ length: 5 }, () => runDay(flows, false).detectSeconds));

  const rejected = flows.filter((f) => f.alert.action === 'REJECT').length;
  const byType = new Map<string, number>();
  for (const f of result.findings) byType.set(f.finding_type, (byType.get(f.finding_type) ?? 0) + 1);
  const messages = result.findings.length + result.flowsSent;
  process.stdout.write('findings on a generated day (20 interfaces, 120 background probes an interface an hour, 2 internet sweepers an hour, 3 sets of planted attacks):\n');
  process.stdout.write(`  records ${events.length.toLocaleString('en-US')} (rejected ${rejected.toLocaleString('en-US')})\n`);
  process.stdout.write(`  messages, alertMode flows: ${events.length.toLocaleString('en-US')}; findings: ${messages.toLocaleString('en-US')} (${result.findings.length} findings + ${result.flowsSent} flows sent on their own): ${(events.length / messages).toFixed(1)}x fewer\n`);
  process.stdout.write(`  findings by type: ${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
  let missed = 0;
  planted.forEach((set, i) => {
    const hourStart = windowStartOf(plantedAt[i] as number, HOUR);
    for (const attack of set.attacks) {
      const ok = found(result.findings, attack, hourStart);
      if (!ok) missed++;
      process.stdout.write(`  ${new Date(hourStart).toISOString().slice(11, 16)} ${attack.name.padEnd(20)} ${attack.expect === null ? 'no finding (allowlisted)' : attack.expect.type}: ${ok ? 'found' : 'MISSED'}\n`);
    }
  });
  const split = result.findings.filter((f) => f.src_ip === '198.51.100.200' && f.finding_type === 'port_scan');
  process.stdout.write(`  scan across the 20:00 boundary: ${split.length} port_scan findings (${split.map((f) => `${f.window_start.slice(11, 16)} ${f.distinct_ports} ports`).join(', ')})\n`);
  process.stdout.write(`  detector time: ${((detectSeconds * 1e6) / events.length).toFixed(2)} µs a record (admission, state, window closing; normalization not included), ${detectSeconds.toFixed(2)} s for the day; ${result.saveMs.toFixed(1)} ms a state save (bounds and gzip JSON, before the DynamoDB write)\n`);
  process.stdout.write(`  state at page boundaries: at most ${result.maxCells.toLocaleString('en-US')} sketch entries, ${(result.maxStateBytes / 1024).toFixed(1)} KiB stored (gzip JSON; the item limit is 400 KB)\n`);
  if (missed > 0 || events.length / messages < 10) process.exitCode = 1;
}

function flood(): void {
  // One window, 1,000,000 one-probe sources (spoofed SYNs all look like this), and one real scan.
  const n = Number(process.env['BENCH_FLOOD'] ?? 1_000_000);
  const state = emptyState();
  const scan = plantedAttacks(START + 10 * 60_000).events.filter((e) => e.message.includes('198.51.100.23'));
  const scanFlows = normalizeAll(scan);
  for (const { alert, time } of scanFlows.slice(0, 20)) admitFlow(state, alert, time, SETTINGS);
  const started = process.hrtime.bigint();
  let maxBytes = 0;
  for (let i = 0; i < n; i++) {
    const startS = Math.floor(START / 1000) + 600 + (i % 3000);
    const src = `${20 + (i % 80)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    const message = v2Record({ eni: `eni-${(i % 20).toString(16).padStart(17, '0')}`, src, dst: `10.0.1.${10 + (i % 20)}`, srcPort: 1024 + (i % 60_000), dstPort: 22, startS });
    const alert = messageToAlert(message, FORMAT, { eventId: `flood-${i}`, timestamp: startS * 1000 }) as Alert;
    admitFlow(state, alert, startS * 1000, SETTINGS);
    if (i % 10_000 === 9_999) {
      enforceLimit(state);
      if (i % 100_000 === 99_999) maxBytes = Math.max(maxBytes, gzipSync(encodeState(state)).length);
    }
  }
  for (const { alert, time } of scanFlows.slice(20)) admitFlow(state, alert, time, SETTINGS);
  enforceLimit(state);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const findings = findingsOfState(state, '/aws/vpc/flowlogs', SETTINGS);
  const summarised = findings.filter((f) => f.finding_type === 'inbound_summary').reduce((s, f) => s + f.flow_count, 0);
  const scanFound = findings.some((f) => f.finding_type === 'port_scan' && f.src_ip === '198.51.100.23');
  process.stdout.write(`hostile flood: ${n.toLocaleString('en-US')} one-probe sources in one window, plus a 40-port scan split around them:\n`);
  process.stdout.write(`  ${((seconds * 1e6) / n).toFixed(2)} µs a record (normalization included); state held at ${stateCells(state).toLocaleString("en-US")} sketch entries, at most ${(maxBytes / 1024).toFixed(1)} KiB stored\n`);
  process.stdout.write(`  the scan: ${scanFound ? 'found' : 'MISSED'}; summaries count ${summarised.toLocaleString('en-US')} flows (estimate of ${n.toLocaleString('en-US')}: ${((100 * (summarised - n)) / n).toFixed(1)} %); ${findings.length} findings\n`);
  if (!scanFound) process.exitCode = 1;
}

day();
flood();
