/** Property-based tests: the parser never throws, and parse(render(record)) gives the record back. */
import fc from 'fast-check';
import type { FlowFieldSpec } from '../../lambda/core/flow-fields';
import { FLOW_FIELDS } from '../../lambda/core/flow-fields';
import type { FlowRecord } from '../../lambda/core/log-format';
import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import { parseMessage } from '../../lambda/core/record-parser';
import { expectValidAlert } from '../helpers/alert-schema';

const fields: readonly FlowFieldSpec[] = FLOW_FIELDS;

/** A non-empty ordered subset of all fields: any layout a user could configure. */
const layoutArb = fc.shuffledSubarray([...fields], { minLength: 1 });

/** A value as AWS writes it: `-` (null), an integer in range, or a token without whitespace. */
function valueArb(field: FlowFieldSpec): fc.Arbitrary<string | number | null> {
  if (field.type === 'int') {
    return fc.oneof(fc.constant(null), fc.integer({ min: 0, max: field.max ?? Number.MAX_SAFE_INTEGER }));
  }
  return fc.oneof(
    fc.constant(null),
    fc.stringMatching(/^[A-Za-z0-9.:_\-/]{1,40}$/).filter((s) => s !== '-'),
    fc.ipV4(),
    fc.ipV6(),
  );
}

const layoutAndRecordArb = layoutArb.chain((layout) =>
  fc.tuple(fc.constant(layout), fc.tuple(...layout.map(valueArb))),
);

const anyFormat = fc.oneof(fc.constant(undefined), layoutArb.map((l) => l.map((f) => `\${${f.name}}`).join(' ')));

describe('parser properties', () => {
  it('never throws, for any string in any layout, and every alert it makes fits the contract', () => {
    fc.assert(
      fc.property(anyFormat, fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json()), (logFormat, message) => {
        const format = compileFormat(logFormat);
        parseMessage(message, format);
        const alert = messageToAlert(message, format);
        if (alert !== null) {
          expectValidAlert(alert);
          expect(alert.raw_event.message).toBe(message);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parse(render(record)) equals the record, for any layout and field order', () => {
    fc.assert(
      fc.property(layoutAndRecordArb, fc.constantFrom(' ', '  ', '\t'), ([layout, values], separator) => {
        const format = compileFormat(layout.map((f) => f.name).join(' '));
        const line = values.map((v) => (v === null ? '-' : String(v))).join(separator);
        const expected: FlowRecord = {};
        layout.forEach((field, i) => {
          (expected as Record<string, unknown>)[field.alert] = values[i];
        });
        const outcome = parseMessage(line, format);
        // A line made only of field names is a header; a real record never is.
        fc.pre(outcome.kind !== 'header');
        expect(outcome).toEqual({ kind: 'record', recordFormat: format.isDefault ? 'v2' : 'custom', record: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('a JSON record with the same values parses to the same record', () => {
    fc.assert(
      fc.property(layoutAndRecordArb, fc.boolean(), ([layout, values], underscore) => {
        const json: Record<string, unknown> = {};
        const expected: Record<string, unknown> = {};
        layout.forEach((field, i) => {
          json[underscore ? field.name.replace(/-/g, '_') : field.name] = values[i];
          expected[field.alert] = values[i];
        });
        expect(parseMessage(JSON.stringify(json), compileFormat())).toEqual({ kind: 'record', recordFormat: 'json', record: expected });
      }),
      { numRuns: 1000 },
    );
  });
});
