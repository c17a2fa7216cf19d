import type { BottomK } from './bottom-k';
import { addToSketch, emptySketch, hashText, mergeSketch, sketchCount, sketchExact, sketchValues } from './bottom-k';
import type { FindingAlert, FindingSettings, FindingType } from './finding';
import { findingId, SAMPLE_SIZE, TOP_SIZE } from './finding';
import type { BranchState, DetectorState, PairState, Span, WindowState } from './finding-state';
import { bucketKey, dropClosed, LIMITS } from './finding-state';
import { SERVICES } from './flow-context';
import type { Scope } from './flow-context';
import { isoFromMillis } from './iso-time';
import { NATIVE_SCHEMA_VERSION } from './contract-version';
import type { Severity } from './severity';

/** Where the findings are: the log group and the window. */
export interface WindowPlace {
  readonly logGroup: string | null;
  readonly start: number;
  readonly windowMs: number;
}

/**
 * The findings of one closed window, ordered by id. Per source: a `port_scan` for each destination
 * that rejected it on at least `scanPortThreshold` distinct ports, a `host_sweep` when at least
 * `sweepHostThreshold` distinct destinations rejected it, a `lateral_blocked` when private
 * destinations did (private source), an `egress_blocked` when public ones did. Every other
 * rejected flow — inbound, external, or of a source the state had to let go — is counted in the
 * `inbound_summary` of its destination interface. So every observed flow is in at least one finding.
 */
export function findingsOfWindow(window: WindowState, place: WindowPlace, settings: FindingSettings): FindingAlert[] {
  const out: FindingAlert[] = [];
  const summaries = new Map<string, Summary>();
  const k = LIMITS.exact;
  for (const [ip, source] of window.sources) {
    const sweep = sketchCount(source.hosts, k) >= settings.sweepHostThreshold;
    const scanSeverity: Severity = source.scope === 'private' ? 'high' : 'medium';
    for (const [dst, pair] of source.pairs) {
      const scanned = sketchCount(pair.ports, k) >= settings.scanPortThreshold;
      if (scanned) {
        out.push(finding('port_scan', `${ip}>${dst}`, place, pair, {
          severity: scanSeverity, src_ip: ip, src_scope: source.scope, dst_ip: dst, cloud_resource: pair.eni,
          title: `${ip} was rejected on ${sketchCount(pair.ports, k)} ports of ${dst}${pair.eni === null ? '' : ` (${pair.eni})`}: a port scan`,
        }, { flows: pair.flows, ports: pair.ports, hosts: sketchOf(dst) }));
      }
      // Internal and outbound flows are in the source's lateral or egress finding.
      const explained = scanned || sweep || pair.direction === 'internal' || pair.direction === 'outbound';
      if (!explained) addToSummary(summaries, bucketKey(pair.eni, dst), ip, dst, pair);
    }
    if (sweep) {
      out.push(finding('host_sweep', ip, place, source, {
        severity: scanSeverity, src_ip: ip, src_scope: source.scope,
        title: `${ip} was rejected by ${sketchCount(source.hosts, k)} hosts: a host sweep`,
      }, source));
    }
    for (const [type, branch] of [['lateral_blocked', source.lateral], ['egress_blocked', source.egress]] as const) {
      if (branch === undefined) continue;
      out.push(branchFinding(type, ip, source.scope, branch, place));
    }
  }
  for (const [key, o] of window.overflow) {
    const summary = summaryFor(summaries, key, o);
    mergeSketch(summary.flows, o.flows, k, LIMITS.evidence);
    mergeSketch(summary.sources, o.sources, k, 0);
    mergeSketch(summary.ports, o.ports, k);
    for (const port of sketchValues(o.ports)) summary.portSources.set(Number(port), (summary.portSources.get(Number(port)) ?? 0) + 1);
  }
  for (const [key, s] of summaries) out.push(summaryFinding(key, s, place));
  return out.sort((a, b) => (a.alert_id < b.alert_id ? -1 : a.alert_id > b.alert_id ? 1 : 0));
}

/**
 * The findings of every window of `state` that ends at or before `boundary` (every window when
 * absent), oldest window first: what closing them would send.
 */
export function findingsOfState(state: DetectorState, logGroup: string | null, settings: FindingSettings, boundary = Number.POSITIVE_INFINITY): FindingAlert[] {
  return [...state.windows]
    .filter(([start, window]) => start + window.length <= boundary)
    .sort((a, b) => a[0] - b[0])
    .flatMap(([start, window]) => findingsOfWindow(window, { logGroup, start, windowMs: window.length }, settings));
}

/**
 * Closes, in memory, every window of `state` that ends at or before `boundary`: returns their
 * findings and marks them closed (later flows for them are late). For the commands, which own
 * their state and print or send what this returns.
 */
export function closeUpTo(state: DetectorState, boundary: number, logGroup: string | null, settings: FindingSettings): FindingAlert[] {
  const findings = findingsOfState(state, logGroup, settings, boundary);
  let closedThrough = state.closedBefore;
  for (const [start, window] of state.windows) if (start + window.length <= boundary) closedThrough = Math.max(closedThrough, start + window.length);
  state.closedBefore = closedThrough;
  dropClosed(state);
  return findings;
}

interface Sketches {
  readonly flows: BottomK;
  readonly ports: BottomK;
  readonly hosts: BottomK;
}

type Subject = Pick<FindingAlert, 'severity' | 'title' | 'src_ip' | 'src_scope'> & Partial<Pick<FindingAlert, 'dst_ip' | 'cloud_resource'>>;

function finding(type: FindingType, subject: string, place: WindowPlace, span: Span, who: Subject, counts: Sketches, extra: Partial<FindingAlert> = {}): FindingAlert {
  const k = LIMITS.exact;
  const first = isoFromMillis(span.first) ?? isoFromMillis(place.start) ?? '';
  return {
    schema_version: NATIVE_SCHEMA_VERSION,
    source: 'aws_vpc_flow',
    category: 'finding',
    finding_type: type,
    severity: who.severity,
    alert_id: findingId(type, place.logGroup ?? '', subject, place.start, place.windowMs),
    title: who.title,
    timestamp: first,
    first_seen: first,
    last_seen: isoFromMillis(span.last) ?? first,
    window_start: isoFromMillis(place.start) ?? '',
    window_end: isoFromMillis(place.start + place.windowMs) ?? '',
    log_group: place.logGroup,
    src_ip: who.src_ip,
    src_scope: who.src_scope,
    dst_ip: who.dst_ip ?? null,
    cloud_resource: who.cloud_resource ?? null,
    flow_count: sketchCount(counts.flows, k),
    distinct_ports: sketchCount(counts.ports, k),
    distinct_hosts: sketchCount(counts.hosts, k),
    distinct_sources: who.src_ip === null ? 0 : 1,
    counts_exact: sketchExact(counts.flows, k) && sketchExact(counts.ports, k) && sketchExact(counts.hosts, k),
    sample_ports: smallestPorts(counts.ports),
    sample_hosts: sketchValues(counts.hosts).map(String).sort().slice(0, SAMPLE_SIZE),
    top_sources: [],
    top_ports: [],
    evidence: sketchValues(counts.flows).map(String).sort(),
    ...extra,
  };
}

function branchFinding(type: 'lateral_blocked' | 'egress_blocked', ip: string, scope: Scope, branch: BranchState, place: WindowPlace): FindingAlert {
  const hosts = sketchCount(branch.hosts, LIMITS.exact);
  const where = type === 'lateral_blocked' ? 'private' : 'public';
  return finding(type, ip, place, branch, {
    severity: 'high', src_ip: ip, src_scope: scope,
    title: `${ip} was rejected by ${hosts} ${where} ${hosts === 1 ? 'address' : 'addresses'}${type === 'lateral_blocked' ? ': blocked lateral movement' : ': blocked egress'}`,
  }, branch);
}

/** Rejected flows to one interface that no other finding holds. */
interface Summary extends Span {
  readonly flows: BottomK;
  readonly sources: BottomK;
  readonly ports: BottomK;
  readonly hosts: BottomK;
  /** Flows per tracked source. */
  readonly sourceFlows: Map<string, number>;
  /** Sources per port. */
  readonly portSources: Map<number, number>;
}

function summaryFor(summaries: Map<string, Summary>, key: string, span: Span): Summary {
  let s = summaries.get(key);
  if (s === undefined) {
    s = { first: span.first, last: span.last, flows: emptySketch(), sources: emptySketch(), ports: emptySketch(), hosts: emptySketch(), sourceFlows: new Map(), portSources: new Map() };
    summaries.set(key, s);
  }
  if (span.first < s.first) s.first = span.first;
  if (span.last > s.last) s.last = span.last;
  return s;
}

function addToSummary(summaries: Map<string, Summary>, key: string, src: string, dst: string, pair: PairState): void {
  const k = LIMITS.exact;
  const s = summaryFor(summaries, key, pair);
  addToSketch(s.hosts, hashText(dst), dst, k);
  mergeSketch(s.flows, pair.flows, k, LIMITS.evidence);
  mergeSketch(s.ports, pair.ports, k);
  addToSketch(s.sources, hashText(src), '', k, 0);
  s.sourceFlows.set(src, (s.sourceFlows.get(src) ?? 0) + sketchCount(pair.flows, k));
  for (const port of sketchValues(pair.ports)) s.portSources.set(Number(port), (s.portSources.get(Number(port)) ?? 0) + 1);
}

function summaryFinding(key: string, s: Summary, place: WindowPlace): FindingAlert {
  const k = LIMITS.exact;
  const flows = sketchCount(s.flows, k);
  const sources = sketchCount(s.sources, k);
  // The bucket key names the interface (`eni X`), the address of a destination without one (`ip X`), or the shared bucket.
  const eni = key.startsWith('eni ') ? key.slice(4) : null;
  const dstIp = key.startsWith('ip ') ? key.slice(3) : null;
  const target = eni ?? dstIp ?? 'other interfaces';
  const topSources = [...s.sourceFlows].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_SIZE).map(([ip, n]) => ({ ip, flow_count: n }));
  const topPorts = [...s.portSources].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, TOP_SIZE).map(([port, n]) => ({ port, service: SERVICES[port] ?? null, sources: n }));
  const summary = finding('inbound_summary', key, place, s, {
    severity: 'info', src_ip: null, src_scope: null, dst_ip: dstIp, cloud_resource: eni,
    title: `${flows} rejected ${flows === 1 ? 'flow' : 'flows'} from ${sources} ${sources === 1 ? 'source' : 'sources'} to ${target}`,
  }, { flows: s.flows, ports: s.ports, hosts: s.hosts }, { top_sources: topSources, top_ports: topPorts, distinct_sources: sources });
  summary.counts_exact = summary.counts_exact && sketchExact(s.sources, k);
  return summary;
}

function sketchOf(value: string): BottomK {
  const sketch = emptySketch();
  addToSketch(sketch, hashText(value), value, LIMITS.exact);
  return sketch;
}

function smallestPorts(ports: BottomK): number[] {
  return sketchValues(ports).map(Number).sort((a, b) => a - b).slice(0, SAMPLE_SIZE);
}
