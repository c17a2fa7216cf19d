import type { FindingAlert } from './finding';

/** Steps that make a finding smaller, mildest first: fewer evidence ids, samples and rankings. */
const TRIMS: ReadonlyArray<(f: FindingAlert) => FindingAlert> = [
  (f) => f,
  (f) => ({ ...f, evidence: f.evidence.slice(0, 3), sample_hosts: f.sample_hosts.slice(0, 5) }),
  (f) => ({ ...f, evidence: f.evidence.slice(0, 1), sample_hosts: f.sample_hosts.slice(0, 1), sample_ports: f.sample_ports.slice(0, 5), top_sources: f.top_sources.slice(0, 2), top_ports: f.top_ports.slice(0, 2) }),
];

/**
 * The queue body of a finding in the form `render` gives, within `maxBytes`: whole when it fits
 * (it almost always does: a few KB at most), else with fewer evidence ids, samples and rankings.
 * The last step is under 2 KB for any finding, so a finding always fits a queue that takes 3 KB.
 * Findings are ASCII JSON (addresses, ids, interface ids and log group names are all ASCII), which
 * SQS never refuses for its characters.
 */
export function findingBody(finding: FindingAlert, maxBytes: number, render: (f: FindingAlert) => unknown = (f) => f): string {
  let body = '';
  for (const trim of TRIMS) {
    body = JSON.stringify(render(trim(finding)));
    if (Buffer.byteLength(body) <= maxBytes) return body;
  }
  return body;
}
