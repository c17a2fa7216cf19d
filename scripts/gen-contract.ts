/** Rewrites docs/alert-contract.schema.json and the generated table in docs/alert-contract.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAlertSchema, renderFieldTable, renderFindingExamples, renderFindingTable, renderMessageExamples } from './alert-contract';

export const SCHEMA_PATH = join(__dirname, '..', 'docs', 'alert-contract.schema.json');
export const DOC_PATH = join(__dirname, '..', 'docs', 'alert-contract.md');
export const BEGIN = '<!-- BEGIN GENERATED FIELD TABLE (npm run gen:contract) -->';
export const END = '<!-- END GENERATED FIELD TABLE -->';

export const FINDING_BEGIN = '<!-- BEGIN GENERATED FINDING TABLE (npm run gen:contract) -->';
export const FINDING_END = '<!-- END GENERATED FINDING TABLE -->';
export const MESSAGES_BEGIN = '<!-- BEGIN GENERATED MESSAGE EXAMPLES (npm run gen:contract) -->';
export const MESSAGES_END = '<!-- END GENERATED MESSAGE EXAMPLES -->';
export const EXAMPLES_BEGIN = '<!-- BEGIN GENERATED FINDING EXAMPLES (npm run gen:contract) -->';
export const EXAMPLES_END = '<!-- END GENERATED FINDING EXAMPLES -->';

/** The doc with its generated sections replaced by the current tables. */
export function withFieldTable(doc: string): string {
  const tables = replaceBetween(replaceBetween(doc, BEGIN, END, renderFieldTable()), FINDING_BEGIN, FINDING_END, renderFindingTable());
  return replaceBetween(replaceBetween(tables, EXAMPLES_BEGIN, EXAMPLES_END, renderFindingExamples()), MESSAGES_BEGIN, MESSAGES_END, renderMessageExamples());
}

function replaceBetween(doc: string, begin: string, end: string, content: string): string {
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start === -1 || stop === -1) throw new Error(`${DOC_PATH} lacks the markers ${begin} ... ${end}`);
  return `${doc.slice(0, start + begin.length)}\n${content}\n${doc.slice(stop)}`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_PATH, `${JSON.stringify(buildAlertSchema(), null, 2)}\n`);
  writeFileSync(DOC_PATH, withFieldTable(readFileSync(DOC_PATH, 'utf8')));
  process.stdout.write(`wrote ${SCHEMA_PATH} and ${DOC_PATH}\n`);
}
