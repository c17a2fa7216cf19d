import { readFileSync } from 'node:fs';
import { buildAlertSchema } from '../scripts/alert-contract';
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
