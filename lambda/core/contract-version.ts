/**
 * Which contract a message follows. Native messages carry `schema_version` (semantic versioning,
 * docs/alert-contract.md "Versions"); every message carries the attribute `schema`:
 * `native/<version>` or `ocsf/1.1.0`.
 */

/** The native contract's version (docs/alert-contract.md, "Versions"): 1.3.0 added `raw_event.s3`. */
export const NATIVE_SCHEMA_VERSION = '1.3.0';
/** The OCSF version OCSF output follows (Amazon Security Lake's source version 2). */
export const OCSF_VERSION = '1.1.0';

/** What the queue receives: the native contract or OCSF. */
export const OUTPUT_FORMATS = ['native', 'ocsf'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The `schema` message attribute of a message in `format`. */
export function schemaAttribute(format: OutputFormat): string {
  return format === 'ocsf' ? `ocsf/${OCSF_VERSION}` : `native/${NATIVE_SCHEMA_VERSION}`;
}
