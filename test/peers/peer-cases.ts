/**
 * Turns each peer's fixtures into cases: one input line (or message) per case, our core run on
 * it, and the peer's stated output compared through that peer's mapping table.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Alert, EventMeta } from '../../lambda/core/alert';
import type { FlowFieldSpec } from '../../lambda/core/flow-fields';
import { lookupField } from '../../lambda/core/flow-fields';
import type { CompiledFormat } from '../../lambda/core/log-format';
import { compileFormat } from '../../lambda/core/log-format';
import type { Comparison, PeerCase, PeerFields, PeerOutcome } from './harness';
import {
  asArray, asNumber, asOptionalText, asRecord, asText, bothRecords, compareFields, compareOutcome, fixturePath,
  flatten, isRecord, readJson, readText, runOurs, snake, sourceFieldOf, splitLines,
} from './harness';
import { AWS_DOCS, BEATS_ECS, BEATS_ORIGINAL, ELASTIC, FLOWLOGS_READER, OTEL, VECTOR } from './peer-mappings';

export function allCases(): PeerCase[] {
  return [
    ...vectorCases(),
    ...awsDocsCases(),
    ...awsDocsFieldCases(),
    ...elasticCases(),
    ...beatsCases(),
    ...otelCases(),
    ...flowlogsReaderCases(),
  ];
}

/** Outcome, then (when both sides have a record) the mapped fields. */
function lineComparisons(
  peer: PeerOutcome,
  message: string,
  alert: Alert | null,
  doc: Readonly<Record<string, unknown>> | undefined,
  fields: PeerFields,
  layout: readonly FlowFieldSpec[],
  mode: 'full' | 'subset' = 'full',
): Comparison[] {
  const outcome = compareOutcome(peer, message, alert);
  if (doc === undefined || !bothRecords(peer, alert)) return [outcome];
  return [outcome, ...compareFields(doc, alert, fields, layout, mode)];
}

// ---------------------------------------------------------------------------------------------
// Vector: {source, format (underscore names) | null, input, expected, expected_origin}.

function vectorCases(): PeerCase[] {
  return asArray(readJson('vector-parse-aws-vpc-flow-log.json'), 'vector').map((item, i): PeerCase => {
    const v = asRecord(item, `vector #${i + 1}`);
    const formatText = asOptionalText(v['format'], 'format');
    const input = asText(v['input'], 'input');
    const expected = asRecord(v['expected'], 'expected');
    const origin = asText(v['expected_origin'], 'expected_origin').startsWith('asserted') ? 'asserted' : 'derived';
    return {
      peer: 'vector',
      id: `#${i + 1}`,
      title: `${origin}, ${formatText === null ? 'default format' : `${formatText.split(' ').length}-field format`}`,
      run: () => {
        const format = compileFormat(formatText);
        return lineComparisons('record', input, runOurs(input, format), expected, VECTOR, format.fields);
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// AWS documentation examples: sections {title, source, format | null, records[]}.

function awsDocsCases(): PeerCase[] {
  const cases: PeerCase[] = [];
  for (const [s, item] of asArray(readJson('aws-docs-examples.json'), 'aws-docs').entries()) {
    const section = asRecord(item, `aws-docs section ${s + 1}`);
    const title = asText(section['title'], 'title');
    // The page anchor names the section: "...#flow-log-example-nat" → "nat".
    const anchor = asText(section['source'], 'source').split('#')[1]?.replace(/^flow-log-example-/, '') ?? `section-${s + 1}`;
    const formatText = asOptionalText(section['format'], 'format');
    for (const [r, recordItem] of asArray(section['records'], 'records').entries()) {
      const doc = asRecord(recordItem, `${anchor} #${r + 1}`);
      const line = asText(doc['record'], 'record');
      const run = (message: string) => (): Comparison[] => {
        const format = compileFormat(formatText);
        return lineComparisons('record', message, runOurs(message, format), doc, AWS_DOCS, format.fields, 'subset');
      };
      cases.push({ peer: 'aws-docs', id: `${anchor} #${r + 1}`, title, run: run(line) });
      // The page publishes some lines with a trailing "#comment"; the page still calls them records.
      const published = asOptionalText(doc['doc_raw_line'], 'doc_raw_line');
      if (published !== null && published !== line) {
        cases.push({ peer: 'aws-docs', id: `${anchor} #${r + 1} as published`, title, run: run(published) });
      }
    }
  }
  return cases;
}

/** The "Available fields" table: each field must compile, and its Parquet type must match ours. */
function awsDocsFieldCases(): PeerCase[] {
  const parquetToOurs: Readonly<Record<string, string>> = { INT_32: 'int', INT_64: 'int', STRING: 'string' };
  return asArray(readJson('aws-docs-fields.json'), 'aws-docs-fields').map((item, i): PeerCase => {
    const row = asRecord(item, `aws-docs-fields #${i + 1}`);
    const name = asText(row['field'], 'field');
    const parquet = asText(row['parquet_type'], 'parquet_type');
    return {
      peer: 'aws-docs-fields',
      id: name,
      title: `v${asNumber(row['version'], 'version')} ${parquet}`,
      run: () => {
        let compiles: string;
        try {
          compileFormat(`\${${name}}`);
          compiles = 'yes';
        } catch (error) {
          compiles = `no: ${error instanceof Error ? error.message : String(error)}`;
        }
        const type = lookupField(name)?.type ?? '(unknown field)';
        const documented = parquetToOurs[parquet] ?? parquet;
        return [
          { field: '(compiles)', peer: 'yes', ours: compiles, same: compiles === 'yes' },
          { field: '(type)', peer: documented, ours: type, same: documented === type },
        ];
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Elastic integration: X.log + X.log-expected.json; the field order comes from the token count.

const ELASTIC_DIR = 'elastic-aws-vpcflow';
const ELASTIC_HISTORY = `${ELASTIC_DIR}/history/013f7d5/test-tcp-flag-sequence.log`;

/** Token count → AWS field order, from formats-by-token-count.json (pipeline patterns plus the inferred newer orders). */
function elasticFormats(): Map<number, readonly string[]> {
  const doc = asRecord(readJson(`${ELASTIC_DIR}/formats-by-token-count.json`), 'formats-by-token-count');
  const byCount = new Map<number, readonly string[]>();
  for (const [count, names] of Object.entries(asRecord(doc['token_count_formats'], 'token_count_formats'))) {
    byCount.set(Number(count), asArray(names, count).map((n) => asText(n, count)));
  }
  // The newer orders are described in words: an optional "<N>-token order" they extend, then
  // field names; parenthesised remarks are notes. The result must have exactly <count> fields.
  const inferred = asRecord(doc['token_counts_seen_in_newer_tests_but_not_in_this_pipeline_revision'], 'inferred orders');
  for (const [count, prose] of Object.entries(inferred).sort(([a], [b]) => Number(a) - Number(b))) {
    const body = asText(prose, count).replace(/\([^)]*\)/g, ' ');
    const base = /(\d+)-token/.exec(body)?.[1];
    const names = [
      ...(base === undefined ? [] : (byCount.get(Number(base)) ?? [])),
      ...body.split(/[\s:+]+/).filter((token) => lookupField(token) !== undefined),
    ];
    if (names.length !== Number(count)) throw new Error(`inferred Elastic order for ${count} tokens has ${names.length} fields`);
    byCount.set(Number(count), names);
  }
  return byCount;
}

/** Elastic unwraps `{"message": "..."}` and splits on single spaces to pick the field order. */
function elasticFormatFor(line: string, formats: ReadonlyMap<number, readonly string[]>): CompiledFormat {
  let inner = line;
  if (line.trimStart().startsWith('{')) {
    const json: unknown = JSON.parse(line);
    if (isRecord(json) && typeof json['message'] === 'string') inner = json['message'];
  }
  const count = inner.split(' ').length;
  const names = formats.get(count);
  if (names === undefined) throw new Error(`Elastic has no field order for ${count} tokens`);
  return compileFormat(names.join(' '));
}

function elasticCases(): PeerCase[] {
  const formats = elasticFormats();
  const cases: PeerCase[] = [];
  const logs = fs.readdirSync(fixturePath(ELASTIC_DIR)).filter((f) => f.endsWith('.log')).sort();
  for (const file of logs) {
    const lines = splitLines(readText(`${ELASTIC_DIR}/${file}`));
    const expected = asArray(asRecord(readJson(`${ELASTIC_DIR}/${file}-expected.json`), file)['expected'], file);
    if (expected.length !== lines.length) throw new Error(`${file}: ${lines.length} lines but ${expected.length} expected docs`);
    lines.forEach((line, i) => {
      const doc = flatten(asRecord(expected[i], `${file} #${i + 1}`));
      cases.push({
        peer: 'elastic',
        id: `${file} #${i + 1}`,
        run: () => {
          const format = elasticFormatFor(line, formats);
          return lineComparisons('record', line, runOurs(line, format), doc, ELASTIC, format.fields);
        },
      });
    });
  }
  // An older input with S3 header lines; its expected file was not copied. The pipeline drops
  // lines starting with "version" or "instance-id" and emits a document for every other line.
  splitLines(readText(ELASTIC_HISTORY)).forEach((line, i) => {
    const peer: PeerOutcome = line.startsWith('version') || line.startsWith('instance-id') ? 'no output' : 'record';
    cases.push({
      peer: 'elastic',
      id: `history/013f7d5/test-tcp-flag-sequence.log #${i + 1}`,
      title: peer === 'record' ? 'record' : 'header line',
      run: () => [compareOutcome(peer, line, runOurs(line, elasticFormatFor(line, formats)))],
    });
  });
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Beats processor: groups {format, mode?, samples[]} in the yml; goldens per group when copied.

const BEATS_DIR = 'beats-aws-vpcflow-processor';

function beatsCases(): PeerCase[] {
  // `<<: *anchor` merge keys are YAML 1.1; the test file relies on them.
  const groups = asRecord(parseYaml(readText(`${BEATS_DIR}/aws-vpc-flow-logs.yml`), { merge: true }) as unknown, 'beats yml');
  const cases: PeerCase[] = [];
  for (const [group, value] of Object.entries(groups)) {
    const spec = asRecord(value, group);
    const formatText = asText(spec['format'], `${group}.format`);
    const mode = asOptionalText(spec['mode'], `${group}.mode`) ?? 'ecs';
    const samples = asArray(spec['samples'], `${group}.samples`).map((s) => asText(s, `${group} sample`));
    const goldenFile = `${BEATS_DIR}/${group}.golden.json`;
    const golden = fs.existsSync(fixturePath(goldenFile)) ? asArray(readJson(goldenFile), goldenFile) : undefined;
    if (golden !== undefined && golden.length !== samples.length) throw new Error(`${group}: golden length differs from samples`);
    const fields = mode === 'original' ? BEATS_ORIGINAL : BEATS_ECS;
    samples.forEach((sample, i) => {
      const doc = golden === undefined ? undefined : flatten(asRecord(golden[i], `${group} golden #${i + 1}`));
      cases.push({
        peer: 'beats',
        id: `${group} #${i + 1}`,
        // Without a copied golden only the outcome is compared: Beats' own test parses every sample.
        title: golden === undefined ? `${mode} mode, no golden: outcome only` : `${mode} mode`,
        run: () => {
          const format = compileFormat(formatText);
          return lineComparisons('record', sample, runOurs(sample, format), doc, fields, format.fields);
        },
      });
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// OpenTelemetry: S3 text objects (header line first), CloudWatch payloads, handleAddresses maps.

function otelCases(): PeerCase[] {
  const cases: PeerCase[] = [];
  for (const [n, item] of asArray(readJson('otel-awslogsencoding-vpcflow.json'), 'otel').entries()) {
    const c = asRecord(item, `otel #${n + 1}`);
    const id = `#${n + 1}`;
    const title = asText(c['name'], 'name');

    if (c['in'] !== undefined) {
      // A field map handed to the address logic: give it to our parser as a JSON record.
      const fieldMap = asRecord(c['in'], `${id} in`);
      const message = JSON.stringify(fieldMap);
      const layout = Object.keys(fieldMap).map((k) => lookupField(k)).filter((f): f is FlowFieldSpec => f !== undefined);
      const doc = asRecord(c['expected'], `${id} expected`);
      cases.push({ peer: 'otel', id, title, run: () => lineComparisons('record', message, runOurs(message, compileFormat()), doc, OTEL, layout) });
      continue;
    }

    const input = asText(c['input'], `${id} input`);
    const formatText = asOptionalText(asRecord(c['config'], `${id} config`)['format'], `${id} config.format`);
    const failing = typeof c['expected_error'] === 'string';
    const expected = failing ? undefined : asRecord(c['expected'], `${id} expected`);
    const resource = expected === undefined ? {} : asRecord(expected['resource_attributes'], `${id} resource_attributes`);
    const records = expected === undefined ? [] : asArray(expected['records'], `${id} records`);
    const docOf = (k: number): Record<string, unknown> | undefined => {
      if (records[k] === undefined) return undefined;
      const rec = asRecord(records[k], `${id} record ${k + 1}`);
      const doc: Record<string, unknown> = { ...resource, ...flatten(asRecord(rec['attributes'], 'attributes')) };
      if ('timeUnixNano' in rec) doc['timeUnixNano'] = rec['timeUnixNano'];
      return doc;
    };
    const peerOf = (k: number): PeerOutcome => {
      if (failing) return 'error';
      if (records[k] === undefined) throw new Error(`${id}: no expected record ${k + 1}`);
      return 'record';
    };

    if (input.trimStart().startsWith('{')) {
      // A CloudWatch Logs subscription payload: each log event is one message, with its metadata.
      const payload = asRecord(JSON.parse(input) as unknown, `${id} payload`);
      const events = asArray(payload['logEvents'], `${id} logEvents`);
      events.forEach((eventItem, k) => {
        const event = asRecord(eventItem, `${id} event ${k + 1}`);
        const message = asText(event['message'], 'message');
        const meta: EventMeta = {
          logGroup: asText(payload['logGroup'], 'logGroup'),
          logStream: asText(payload['logStream'], 'logStream'),
          eventId: asText(event['id'], 'id'),
          timestamp: asNumber(event['timestamp'], 'timestamp'),
        };
        cases.push({
          peer: 'otel',
          id: `${id} event ${k + 1}`,
          title,
          run: () => {
            const format = compileFormat(formatText);
            return lineComparisons(peerOf(k), message, runOurs(message, format, meta), docOf(k), OTEL, format.fields);
          },
        });
      });
      continue;
    }

    // A plain-text S3 object: its first line is the header, which is the layout (our LogFormat).
    const lines = splitLines(input);
    const header = lines[0] ?? '';
    lines.forEach((line, i) => {
      cases.push({
        peer: 'otel',
        id: `${id} line ${i + 1}`,
        title: i === 0 ? `${title} (header)` : title,
        run: () => {
          const format = compileFormat(formatText ?? header);
          const alert = runOurs(line, format);
          return i === 0
            ? [compareOutcome('no output', line, alert)]
            : lineComparisons(peerOf(i - 1), line, alert, docOf(i - 1), OTEL, format.fields);
        },
      });
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// flowlogs-reader: CloudWatch messages, S3 objects with (alphabetical) headers, a LogFormat string.

function flowlogsReaderCases(): PeerCase[] {
  const data = asRecord(readJson('flowlogs-reader.json'), 'flowlogs-reader');
  const cases: PeerCase[] = [];
  for (const [n, item] of asArray(data['cases'], 'cases').entries()) {
    const c = asRecord(item, `flowlogs-reader #${n + 1}`);
    const title = asText(c['name'], 'name');
    // Upstream test method names are short and unique: "FlowRecordTestCase.test_parse (…)" → test_parse.
    const method = /\.(test_\w+)/.exec(title)?.[1] ?? `#${n + 1}`;
    const kind = asText(c['input_kind'], `${method} input_kind`);
    const add = (id: string, run: () => Comparison[]): void => {
      cases.push({ peer: 'flowlogs-reader', id, title, run });
    };

    if (kind === 'cwl-message') {
      const input = asText(c['input'], 'input');
      // to_dict() (full), str() rendered "k: v, …" (full), or a few keys only (subset).
      const [doc, mode] =
        c['expected'] !== undefined
          ? [asRecord(c['expected'], 'expected'), 'full' as const]
          : c['expected_str'] !== undefined
            ? [parseStrRendering(asText(c['expected_str'], 'expected_str')), 'full' as const]
            : [asRecord(c['expected_subset'], 'expected_subset'), 'subset' as const];
      add(method, () => {
        const format = compileFormat();
        return lineComparisons('record', input, runOurs(input, format), doc, FLOWLOGS_READER, format.fields, mode);
      });
    } else if (kind === 'cwl-messages') {
      const messages = asArray(c['input'], 'input').map((m) => asText(m, 'message'));
      const kept = asNumber(c['expected_records'], 'expected_records');
      const skipped = asNumber(c['expected_skipped_records'], 'expected_skipped_records');
      if (kept + skipped !== messages.length) throw new Error(`${method}: record counts do not add up`);
      // Records come out in input order; the messages past the kept count are the skipped ones.
      messages.forEach((message, k) => {
        add(`${method} #${k + 1}`, () => [compareOutcome(k < kept ? 'record' : 'no output', message, runOurs(message, compileFormat()))]);
      });
    } else if (kind === 's3-text-with-header') {
      const lines = splitLines(asText(c['input'], 'input'));
      const expected = asArray(c['expected'], 'expected');
      const header = lines[0] ?? '';
      lines.forEach((line, i) => {
        // Line 1 is the header; records follow in order; lines past them were skipped.
        const doc = i === 0 ? undefined : expected[i - 1];
        const peer: PeerOutcome = doc === undefined ? 'no output' : 'record';
        add(`${method} #${i + 1}`, () => {
          const format = compileFormat(header);
          const record = doc === undefined ? undefined : asRecord(doc, `${method} #${i + 1}`);
          return lineComparisons(peer, line, runOurs(line, format), record, FLOWLOGS_READER, format.fields);
        });
      });
    } else if (kind === 'log-format-string') {
      const input = asText(c['input'], 'input');
      const fields = asArray(c['expected_fields'], 'expected_fields').map((f) => asText(f, 'field'));
      add(method, () => {
        // Compare the AWS fields both sides read from the LogFormat, through the mapping table.
        const peer = fields.map((f) => awsFieldOfPeerName(f)).join(' ');
        const ours = compileFormat(input).fields.map((f) => f.name).join(' ');
        return [{ field: '(fields)', peer, ours, same: peer === ours }];
      });
    } else {
      throw new Error(`flowlogs-reader ${method}: unknown input_kind ${kind}`);
    }
  }
  return cases;
}

/** `version: 2, account_id: 1234, …, start: 2015-08-12 13:47:43, …` → `{version: '2', …}`. */
function parseStrRendering(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(', ')) {
    const colon = part.indexOf(': ');
    if (colon < 0) throw new Error(`str() rendering part without "key: value": ${part}`);
    out[part.slice(0, colon)] = part.slice(colon + 2);
  }
  return out;
}

/** A flowlogs-reader field name → the AWS field our mapped property is read from. */
function awsFieldOfPeerName(name: string): string {
  const entry = FLOWLOGS_READER.table[name];
  if (entry === undefined) return `(unmapped ${name})`;
  const ours = typeof entry === 'string' ? entry : entry.ours;
  return sourceFieldOf(ours) ?? `(no source for ${snake(ours)})`;
}
