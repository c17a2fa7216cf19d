/**
 * Generated flow-log traffic for the findings tests, benchmark and demo: a day (or any span) of
 * internet background scanning against a VPC's public-facing interfaces, with planted attacks whose
 * findings are known. Seeded, so the same arguments always give the same records (version 2 layout,
 * rejected flows, one interface per destination).
 */
import type { FindingType } from '../lambda/core/finding';

/** One generated record. */
export interface TrafficEvent {
  /** Event timestamp (the flow start), epoch ms. */
  readonly timestamp: number;
  readonly message: string;
}

/** An attack in the traffic and the finding it must produce (`null`: none, an allowlisted source). */
export interface PlantedAttack {
  readonly name: 'vertical_scan' | 'horizontal_sweep' | 'lateral_probe' | 'blocked_egress' | 'allowlisted_scanner';
  readonly src: string;
  readonly expect: { readonly type: FindingType; readonly dst?: string } | null;
}

export interface TrafficOptions {
  readonly seed?: number;
  /** Start of the traffic, epoch ms. */
  readonly startMs: number;
  readonly hours: number;
  /** Public-facing interfaces (each a private address behind a public one). */
  readonly interfaces?: number;
  /** Background probes per interface per hour. */
  readonly probesPerInterfaceHour?: number;
  /** Internet-wide scanners per hour that probe every interface (real sweeps, part of the background). */
  readonly sweepersPerHour?: number;
}

export const ACCOUNT = '123456789012';
/** The allowlisted range the planted `allowlisted_scanner` comes from. */
export const ALLOWLISTED_RANGE = '192.0.2.0/24';

/** The address and interface id of interface `i`. */
export function interfaceOf(i: number): { ip: string; eni: string } {
  return { ip: `10.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`, eni: `eni-${(0x1000 + i).toString(16).padStart(17, '0')}` };
}

/** A version 2 record. */
export function v2Record(f: { eni: string; src: string; dst: string; srcPort: number; dstPort: number; protocol?: number; startS: number; action?: 'REJECT' | 'ACCEPT' }): string {
  return `2 ${ACCOUNT} ${f.eni} ${f.src} ${f.dst} ${f.srcPort} ${f.dstPort} ${f.protocol ?? 6} 1 44 ${f.startS} ${f.startS + 30} ${f.action ?? 'REJECT'} OK`;
}

const COMMON_PORTS = [22, 23, 80, 443, 445, 3389, 8080, 5900, 1433, 3306, 6379, 21, 25, 53, 8443, 9200, 27017, 5432];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A public IPv4 address outside the documentation and private ranges. */
function publicIp(random: () => number): string {
  for (;;) {
    const a = 1 + Math.floor(random() * 222);
    if ([10, 100, 127, 169, 172, 192, 198, 203].includes(a)) continue;
    return `${a}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  }
}

/**
 * Background scanning: each probe comes from one of a few thousand internet sources (some far more
 * active than others), mostly to common ports; `sweepersPerHour` sources a hour probe every
 * interface on one port. Sorted by timestamp.
 */
export function backgroundTraffic(options: TrafficOptions): TrafficEvent[] {
  const random = rng(options.seed ?? 7);
  const interfaces = options.interfaces ?? 20;
  const perHour = options.probesPerInterfaceHour ?? 120;
  const pool = Array.from({ length: 4000 }, () => publicIp(random));
  const events: TrafficEvent[] = [];
  const push = (at: number, src: string, i: number, dstPort: number): void => {
    const { ip, eni } = interfaceOf(i);
    const startS = Math.floor(at / 1000);
    events.push({ timestamp: startS * 1000, message: v2Record({ eni, src, dst: ip, srcPort: 1024 + Math.floor(random() * 64_000), dstPort, startS }) });
  };
  for (let hour = 0; hour < options.hours; hour++) {
    const hourStart = options.startMs + hour * 3_600_000;
    for (let i = 0; i < interfaces; i++) {
      for (let n = 0; n < perHour; n++) {
        // Squaring skews the pick: a few sources are far busier than the rest, as on the internet.
        const src = pool[Math.floor(random() * random() * pool.length)] as string;
        const port = random() < 0.8 ? (COMMON_PORTS[Math.floor(random() * COMMON_PORTS.length)] as number) : 1 + Math.floor(random() * 65_535);
        push(hourStart + Math.floor(random() * 3_600_000), src, i, port);
      }
    }
    for (let s = 0; s < (options.sweepersPerHour ?? 2); s++) {
      const src = publicIp(random);
      const port = COMMON_PORTS[Math.floor(random() * COMMON_PORTS.length)] as number;
      const at = hourStart + Math.floor(random() * 3_000_000);
      for (let i = 0; i < interfaces; i++) push(at + i * 1000, src, i, port);
    }
  }
  return events.sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * The planted attacks, all starting at `atMs` and lasting under ten minutes, against the interfaces
 * of {@link interfaceOf}: a vertical scan of one host, a sweep of port 22, an instance probing its
 * neighbours, an instance blocked on its way to the internet, and an allowlisted scanner.
 */
export function plantedAttacks(atMs: number, interfaces = 20): { events: TrafficEvent[]; attacks: PlantedAttack[] } {
  const events: TrafficEvent[] = [];
  const at = (offsetS: number): number => Math.floor(atMs / 1000) + offsetS;
  const add = (f: Parameters<typeof v2Record>[0]): void => {
    events.push({ timestamp: f.startS * 1000, message: v2Record(f) });
  };
  const target = interfaceOf(2);
  for (let p = 0; p < 40; p++) add({ eni: target.eni, src: '198.51.100.23', dst: target.ip, srcPort: 40_000 + p, dstPort: 20 + p * 37, startS: at(p * 5) });
  for (let i = 0; i < Math.min(15, interfaces); i++) {
    const t = interfaceOf(i);
    add({ eni: t.eni, src: '203.0.113.77', dst: t.ip, srcPort: 50_000 + i, dstPort: 22, startS: at(30 + i * 3) });
  }
  const inside = interfaceOf(5);
  for (const [i, port] of [[6, 445], [7, 3389], [8, 445]] as const) {
    add({ eni: interfaceOf(i).eni, src: '10.0.9.50', dst: interfaceOf(i).ip, srcPort: 51_000 + port, dstPort: port, startS: at(120 + i) });
  }
  for (let n = 0; n < 3; n++) add({ eni: inside.eni, src: inside.ip, dst: '45.33.32.156', srcPort: 52_000 + n, dstPort: 4444, startS: at(200 + n * 60) });
  for (let p = 0; p < 30; p++) add({ eni: target.eni, src: '192.0.2.10', dst: target.ip, srcPort: 53_000 + p, dstPort: 1000 + p, startS: at(p * 7) });
  const attacks: PlantedAttack[] = [
    { name: 'vertical_scan', src: '198.51.100.23', expect: { type: 'port_scan', dst: target.ip } },
    { name: 'horizontal_sweep', src: '203.0.113.77', expect: { type: 'host_sweep' } },
    { name: 'lateral_probe', src: '10.0.9.50', expect: { type: 'lateral_blocked' } },
    { name: 'blocked_egress', src: inside.ip, expect: { type: 'egress_blocked' } },
    { name: 'allowlisted_scanner', src: '192.0.2.10', expect: null },
  ];
  return { events: events.sort((a, b) => a.timestamp - b.timestamp), attacks };
}
