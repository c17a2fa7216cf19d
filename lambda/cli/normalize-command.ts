/**
 * `npm run --silent normalize -- [--format '<LogFormat>'] [--log-group NAME] [FILE]`
 *
 * Reads flow-log messages (one per line, or the JSON `aws logs filter-log-events` prints) from
 * FILE or stdin and writes one alert JSON object per line: the bodies the Lambda sends.
 * Diagnostics go to stderr. Exit 0 on success, 1 when the input cannot be read, 2 on bad usage
 * or a bad `--format`.
 */
import { readFileSync } from 'node:fs';
import { LogFormatError } from '../core/errors';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';
import { normalize } from '../core/normalize';
import { parseMessage } from '../core/record-parser';
import { readInputEvents } from './cli-input';

const USAGE = "usage: normalize [--format '<LogFormat>'] [--log-group NAME] [FILE]";
const MAX_REPORTED_UNPARSED = 20;

interface CliOptions {
  format?: string;
  logGroup?: string;
  file?: string;
}

function parseArgs(argv: readonly string[]): CliOptions | string {
  const options: CliOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--format' || flag === '--log-group') {
      const value = inline ?? argv[++i];
      if (value === undefined) return `${flag} needs a value`;
      if (flag === '--format') options.format = value;
      else options.logGroup = value;
    } else if (flag === '-h' || flag === '--help') {
      return '';
    } else if (flag.startsWith('-') && flag !== '-') {
      return `unknown option ${flag}`;
    } else if (options.file === undefined) {
      options.file = arg;
    } else {
      return `only one FILE may be given (got "${options.file}" and "${arg}")`;
    }
  }
  return options;
}

function main(): number {
  const options = parseArgs(process.argv.slice(2));
  if (typeof options === 'string') {
    process.stderr.write(options === '' ? `${USAGE}\n` : `normalize: ${options}\n${USAGE}\n`);
    return options === '' ? 0 : 2;
  }

  let format: CompiledFormat;
  try {
    format = compileFormat(options.format);
  } catch (error) {
    if (error instanceof LogFormatError) {
      process.stderr.write(`normalize: bad --format: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  let text: string;
  try {
    text = readFileSync(options.file === undefined || options.file === '-' ? 0 : options.file, 'utf8');
  } catch (error) {
    process.stderr.write(`normalize: cannot read ${options.file ?? 'stdin'}: ${(error as Error).message}\n`);
    return 1;
  }

  // Without --format, a header line (S3 exports) sets the layout of the lines after it.
  const adoptHeaders = options.format === undefined;
  let alerts = 0;
  let unparsed = 0;
  let headers = 0;
  const out: string[] = [];
  for (const event of readInputEvents(text, options.logGroup)) {
    const outcome = parseMessage(event.message, format);
    if (outcome.kind === 'header') {
      headers++;
      if (adoptHeaders) format = compileFormat(outcome.fields.map((f) => f.name).join(' '));
      continue;
    }
    if (outcome.kind === 'unparsed' && ++unparsed <= MAX_REPORTED_UNPARSED) {
      process.stderr.write(`normalize: input ${event.position}: passed through unparsed: ${outcome.reason}\n`);
    }
    out.push(JSON.stringify(normalize(event.message, outcome, event.meta)));
    alerts++;
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join('\n')}\n`);
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  process.stderr.write(`normalize: ${alerts} alerts (${unparsed} unparsed), ${headers} header lines skipped\n`);
  return 0;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // A closed pipe (`| head`) is a normal way to stop reading.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = main();
