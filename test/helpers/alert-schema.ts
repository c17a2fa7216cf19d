import Ajv from 'ajv';
import schema from '../../docs/alert-contract.schema.json';

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** Fails the test with ajv's errors when `alert` does not satisfy docs/alert-contract.schema.json. */
export function expectValidAlert(alert: unknown): void {
  if (!validate(alert)) {
    throw new Error(`alert violates the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(alert)}`);
  }
}
