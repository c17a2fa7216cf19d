import { readFileSync } from 'node:fs';
import { buildAlertSchema, exampleFindings } from '../scripts/alert-contract';
import { FINDING_TYPES } from '../lambda/core/finding';
import { expectValidAlert } from './helpers/alert-schema';
import { DOC_PATH, SCHEMA_PATH, withFieldTable } from '../scripts/gen-contract';

describe('the documented contract', () => {
  it('docs/alert-contract.schema.json is what the field table generates (run npm run gen:contract)', () => {
    expect(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'))).toEqual(buildAlertSchema());
  });

  it('docs/alert-contract.md lists exactly the fields of the field table (run npm run gen:contract)', () => {
    const doc = readFileSync(DOC_PATH, 'utf8');
    expect(withFieldTable(doc)).toBe(doc);
  });
});

describe('finding examples', () => {
  it('are made by the detectors, one of each type, and satisfy the schema', () => {
    const examples = exampleFindings();
    expect(examples.map((f) => f.finding_type)).toEqual([...FINDING_TYPES]);
    for (const finding of examples) expectValidAlert(finding);
  });
});
