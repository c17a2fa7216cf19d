import { readFileSync } from 'node:fs';
import { buildAlertSchema, exampleFindings, exampleMessages } from '../scripts/alert-contract';
import Ajv from 'ajv';
import { NATIVE_SCHEMA_VERSION } from '../lambda/core/contract-version';
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

describe('message examples', () => {
  it('show every kind of flow alert, as the code makes them, and satisfy the schema', () => {
    const examples = exampleMessages();
    const formats = examples.map((e) => (e.body['raw_event'] as { record_format: string }).record_format);
    expect(formats).toEqual(['v2', 'custom', 'json', 'unparsed', 'json', 'v2']);
    expect(examples[4]?.body).toMatchObject({ raw_event: { truncated: true, truncation_reason: 'message_too_large' } });
    expect(examples[5]?.body['raw_event']).not.toHaveProperty('ingestion_time');
    for (const { body } of examples) {
      expectValidAlert(body);
      expect(body['schema_version']).toBe(NATIVE_SCHEMA_VERSION);
    }
  });

  it('the published schema accepts properties a later minor version adds, and the tests refuse them', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    const validate = ajv.compile(buildAlertSchema());
    const [first] = exampleMessages();
    const later = { ...first?.body, added_in_1_3: 'x', raw_event: { ...(first?.body['raw_event'] as object), added_too: 1 } };
    expect(validate(later)).toBe(true);
    expect(() => expectValidAlert(later)).toThrow(/must NOT have additional properties/);
    // New enum values and finding types, too.
    const newSeverity = { ...first?.body, severity: 'critical', direction: 'sideways' };
    expect(validate(newSeverity)).toBe(true);
    expect(() => expectValidAlert(newSeverity)).toThrow(/must be equal to one of the allowed values/);
    const [finding] = exampleFindings();
    expect(validate({ ...finding, finding_type: 'beaconing', top_sources: [{ ip: '192.0.2.1', flow_count: 1, asn: 64496 }] })).toBe(true);
  });
});
