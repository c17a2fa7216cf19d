import Ajv from 'ajv';
import schema from '../../docs/alert-contract.schema.json';
import { bodyOf } from '../../lambda/app/send-alerts';
import type { Alert } from '../../lambda/core/alert';
import type { FindingAlert } from '../../lambda/core/finding';
import { toOcsfFinding } from '../../lambda/core/ocsf';
import { expectValidOcsf, OCSF_SCHEMA_DIR } from './ocsf-validator';

type Json = Record<string, unknown>;

/**
 * The published schema lets consumers meet what later minor versions add (properties, enum
 * values); the tests hold the product to exactly what is documented: the same schema with
 * additional properties closed and every open value list (`anyOf` known values or any string)
 * closed to the known values.
 */
function strict(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strict);
  if (typeof value !== 'object' || value === null) return value;
  const anyOf = (value as Json)['anyOf'];
  if (Array.isArray(anyOf) && anyOf.length === 2 && 'enum' in (anyOf[0] as Json)) return { enum: (anyOf[0] as Json)['enum'] };
  const out: Json = {};
  for (const [key, v] of Object.entries(value as Json)) out[key] = strict(v);
  if (out['type'] === 'object' && out['properties'] !== undefined && out['additionalProperties'] === true) out['additionalProperties'] = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(strict(schema) as Json);

/**
 * Fails the test with ajv's errors when `alert` does not satisfy docs/alert-contract.schema.json
 * (with no field beyond the documented ones). When ../shared/ocsf is there, the alert's OCSF form
 * (what `outputFormat: ocsf` sends for it) must also be valid OCSF 1.1.0.
 */
export function expectValidAlert(alert: unknown): void {
  if (!validate(alert)) {
    throw new Error(`alert violates the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(alert)}`);
  }
  if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(ocsfFormOf(alert as Alert | FindingAlert));
}

/** What the queue receives for `alert` with `outputFormat: ocsf`. */
export function ocsfFormOf(alert: Alert | FindingAlert): unknown {
  return alert.category === 'finding' ? toOcsfFinding(alert) : JSON.parse(bodyOf(alert, 262_144, 'ocsf'));
}
