/**
 * Peer conformance: runs our parser + normalizer on other projects' VPC flow-log test vectors
 * (../shared/peer-fixtures) and compares the fields that mean the same thing. One jest test per
 * case; differences must be listed in DELIBERATE_DIFFERENCES, and listed ones must still occur.
 */
import fs from 'node:fs';
import type { DeliberateDifference } from './deliberate-differences';
import { DELIBERATE_DIFFERENCES } from './deliberate-differences';
import type { Comparison, PeerCase, PeerName } from './harness';
import { FIXTURES, PEERS, show } from './harness';
import { allCases } from './peer-cases';

interface Tally {
  cases: number;
  agree: number;
  deliberate: number;
  failed: number;
}

/** For each listed difference that applied: observed values → the cases that showed them. */
const observed = new Map<DeliberateDifference, Map<string, string[]>>();

function observe(d: DeliberateDifference, caseId: string, comparisons: readonly Comparison[]): void {
  const values = comparisons
    .filter((x) => !x.same && d.fields.includes(x.field))
    .map((x) => `${x.field}: peer ${show(x.peer)}, ours ${show(x.ours)}`)
    .join('; ');
  const byValues = observed.get(d) ?? new Map<string, string[]>();
  byValues.set(values, [...(byValues.get(values) ?? []), caseId]);
  observed.set(d, byValues);
}

function summary(tallies: ReadonlyMap<PeerName, Tally>): string {
  const lines = ['', 'Peer conformance summary'];
  for (const [peer, t] of tallies) {
    const failed = t.failed > 0 ? `, FAILED ${t.failed}` : '';
    lines.push(`  ${peer}: agree ${t.agree} / cases ${t.cases}, deliberate differences ${t.deliberate}${failed}`);
  }
  lines.push('Deliberate differences:');
  for (const d of DELIBERATE_DIFFERENCES) {
    const byValues = observed.get(d);
    if (byValues === undefined) continue;
    lines.push(`  ${d.peer} [${d.fields.join(', ')}]: ${d.reason}`);
    for (const [values, ids] of byValues) lines.push(`    ${ids.join(', ')}: ${values}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Checks a case's comparisons against the list; returns the problems and the entries that applied. */
function judge(c: PeerCase, comparisons: readonly Comparison[]): { problems: string[]; applied: DeliberateDifference[] } {
  const differing = comparisons.filter((x) => !x.same);
  const applied = DELIBERATE_DIFFERENCES.filter((d) => d.peer === c.peer && d.cases.includes(c.id));
  const listed = new Set(applied.flatMap((d) => d.fields));
  const problems: string[] = [];
  if (comparisons.length === 0) problems.push('nothing was compared');
  for (const d of differing) {
    if (!listed.has(d.field)) problems.push(`unlisted difference in ${d.field}: peer ${show(d.peer)}, ours ${show(d.ours)}`);
  }
  for (const field of listed) {
    if (!differing.some((d) => d.field === field)) {
      problems.push(`listed difference in ${field} no longer occurs: remove it from DELIBERATE_DIFFERENCES`);
    }
  }
  return { problems, applied };
}

if (!fs.existsSync(FIXTURES)) {
  // Reported as skipped, not passed: nothing was compared.
  test.skip(`peer conformance: no peer fixtures at ${FIXTURES}`, () => undefined);
} else {
  const cases = allCases();
  const tallies = new Map<PeerName, Tally>(PEERS.map((p) => [p, { cases: 0, agree: 0, deliberate: 0, failed: 0 }]));

  // process.stdout.write, not console.log: jest shows it as is, after the run.
  afterAll(() => process.stdout.write(summary(tallies)));

  test('case ids are unique and every listed deliberate difference names a case', () => {
    const ids = cases.map((c) => `${c.peer} ${c.id}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const unknown = DELIBERATE_DIFFERENCES.flatMap((d) => d.cases.map((id) => `${d.peer} ${id}`)).filter((id) => !ids.includes(id));
    expect(unknown).toEqual([]);
  });

  for (const peer of PEERS) {
    describe(peer, () => {
      for (const c of cases.filter((x) => x.peer === peer)) {
        test(`${c.peer} ${c.id}${c.title === undefined ? '' : ` (${c.title})`}`, () => {
          const tally = tallies.get(peer) as Tally;
          tally.cases++;
          let problems: string[];
          try {
            const comparisons = c.run();
            const verdict = judge(c, comparisons);
            problems = verdict.problems;
            if (problems.length === 0 && verdict.applied.length === 0) tally.agree++;
            if (problems.length === 0 && verdict.applied.length > 0) {
              tally.deliberate++;
              for (const d of verdict.applied) observe(d, c.id, comparisons);
            }
          } catch (error) {
            problems = [`case threw: ${error instanceof Error ? error.message : String(error)}`];
          }
          if (problems.length > 0) tally.failed++;
          expect(problems).toEqual([]);
        });
      }
    });
  }
}
