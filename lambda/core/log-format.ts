import { LogFormatError } from './errors';
import type { FlowAlertKey, FlowFieldSpec } from './flow-fields';
import { DEFAULT_FORMAT_FIELDS, DEFAULT_LOG_FORMAT, lookupField } from './flow-fields';

/** A parsed flow record: alert property name → value; `-` in the log becomes `null`. */
export type FlowRecord = { [K in FlowAlertKey]?: string | number | null };

/** Why a line did not fit the layout; never thrown, always returned. */
export class LineMismatch {
  public constructor(public readonly reason: string) {}
}

/** A `LogFormat` compiled once into a line parser. */
export interface CompiledFormat {
  /** The layout written as AWS writes it: `${version} ${account-id} ...`. */
  readonly logFormat: string;
  readonly fields: readonly FlowFieldSpec[];
  /** True when the layout is exactly the default version 2 layout. */
  readonly isDefault: boolean;
  /** Parses one line in this layout. Never throws. */
  parseLine(line: string): FlowRecord | LineMismatch;
}

const AWS_TOKEN = /^\$\{([^}]*)\}$/;

/**
 * Compiles a flow log's `LogFormat` (`${version} ${account-id} ...`, or the bare names
 * `version account-id ...` in hyphen or underscore spelling) into a line parser.
 * No format, or a blank one, means the default version 2 layout.
 *
 * @throws LogFormatError naming the field when a field is unknown or repeated.
 */
export function compileFormat(logFormat?: string | null): CompiledFormat {
  const text = logFormat?.trim() ?? '';
  if (text === '') return compileFields(DEFAULT_FORMAT_FIELDS.map(mustLookup));

  const fields: FlowFieldSpec[] = [];
  const seen = new Set<string>();
  for (const token of text.split(/\s+/)) {
    const name = AWS_TOKEN.exec(token)?.[1] ?? token;
    if (name.includes('$') || name.includes('{') || name.includes('}')) {
      throw new LogFormatError(
        `LogFormat token "${token}" is not a field: write each field as \${field-name}, separated by spaces`,
        token,
      );
    }
    const field = lookupField(name);
    if (field === undefined) {
      throw new LogFormatError(
        `LogFormat field "${name}" is not a VPC flow log field: check its spelling against docs/alert-contract.md`,
        name,
      );
    }
    if (seen.has(field.name)) {
      throw new LogFormatError(`LogFormat field "${name}" appears more than once: list each field once`, name);
    }
    seen.add(field.name);
    fields.push(field);
  }
  return compileFields(fields);
}

function mustLookup(name: string): FlowFieldSpec {
  const field = lookupField(name);
  if (field === undefined) throw new LogFormatError(`unknown default field ${name}`, name);
  return field;
}

type Reader = (token: string, record: FlowRecord) => LineMismatch | undefined;

function compileFields(fields: readonly FlowFieldSpec[]): CompiledFormat {
  const count = fields.length;
  const readers: Reader[] = fields.map(makeReader);
  const isDefault =
    count === DEFAULT_FORMAT_FIELDS.length && fields.every((f, i) => f.name === DEFAULT_FORMAT_FIELDS[i]);

  const parseLine = (line: string): FlowRecord | LineMismatch => {
    let tokens = line.split(' ');
    // Fast path is one split; runs of spaces, tabs and edge whitespace take the slow path, so a
    // tab separates fields on both paths (never hides inside one).
    if (tokens.length !== count || tokens.includes('') || line.includes('\t')) {
      const trimmed = line.trim();
      tokens = trimmed === '' ? [] : trimmed.split(/[ \t]+/);
      if (tokens.length !== count) {
        return new LineMismatch(`expected ${count} fields, found ${tokens.length}`);
      }
    }
    const record: FlowRecord = {};
    for (let i = 0; i < count; i++) {
      const mismatch = (readers[i] as Reader)(tokens[i] as string, record);
      if (mismatch !== undefined) return mismatch;
    }
    return record;
  };

  return {
    logFormat: isDefault ? DEFAULT_LOG_FORMAT : fields.map((f) => `\${${f.name}}`).join(' '),
    fields,
    isDefault,
    parseLine,
  };
}

function makeReader(field: FlowFieldSpec): Reader {
  const key = field.alert as FlowAlertKey;
  if (field.type === 'string') {
    return (token, record) => {
      record[key] = token === '-' ? null : token;
      return undefined;
    };
  }
  const max = field.max ?? Number.MAX_SAFE_INTEGER;
  return (token, record) => {
    if (token === '-') {
      record[key] = null;
      return undefined;
    }
    const value = parseNonNegativeInt(token);
    if (value === undefined || value > max) {
      return new LineMismatch(`field ${field.name}: "${clip(token)}" is not an integer from 0 to ${max}`);
    }
    record[key] = value;
    return undefined;
  };
}

/** Decimal digits only, within the safe-integer range; `undefined` otherwise. */
export function parseNonNegativeInt(token: string): number | undefined {
  const length = token.length;
  if (length === 0 || length > 16) return undefined;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = token.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value <= Number.MAX_SAFE_INTEGER ? value : undefined;
}

/** Keeps diagnostics short when a token is huge. */
function clip(token: string): string {
  return token.length > 64 ? `${token.slice(0, 64)}…` : token;
}
