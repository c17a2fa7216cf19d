/** Rewrites docs/alert-contract.schema.json and the generated table in docs/alert-contract.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAlertSchema, renderFieldTable } from './alert-contract';

export const SCHEMA_PATH = join(__dirname, '..', 'docs', 'alert-contract.schema.json');
export const DOC_PATH = join(__dirname, '..', 'docs', 'alert-contract.md');
export const BEGIN = '<!-- BEGIN GENERATED FIELD TABLE (npm run gen:contract) -->';
export const END = '<!-- END GENERATED FIELD TABLE -->';

/** The doc with its generated section replaced by the current table. */
export function withFieldTable(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`${DOC_PATH} lacks the generated-table markers`);
  return `${doc.slice(0, start + BEGIN.length)}\n${renderFieldTable()}\n${doc.slice(end)}`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_PATH, `${JSON.stringify(buildAlertSchema(), null, 2)}\n`);
  writeFileSync(DOC_PATH, withFieldTable(readFileSync(DOC_PATH, 'utf8')));
  process.stdout.write(`wrote ${SCHEMA_PATH} and ${DOC_PATH}\n`);
}
