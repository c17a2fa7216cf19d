import { compileFormat } from '../../lambda/core/log-format';
import { cidrs } from '../../lambda/core/ip-address';
import { DEFAULT_CLASSIFY } from '../../lambda/core/normalize';
import type { PollerConfig } from '../../lambda/app/config';
import { replayCommand } from '../../lambda/handlers/poll-handler';
import { readArgs } from '../../lambda/cli/replay-command';

/** Splits a shell command line of plain words and single-quoted strings. */
function words(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : (m[2] as string)));
}

describe('the replay command a CatchUpGaps log prints', () => {
  it('carries the finding settings and the output format, and replay reads them back as the stack has them', () => {
    const config: PollerConfig = {
      logGroups: [{ name: '/aws/vpc/flowlogs', format: compileFormat(), filterPattern: '?REJECT ?SKIPDATA' }],
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', fifo: false,
      quarantineQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q-quarantine', checkpointTable: 't',
      lookbackMs: 900_000, maxEventsPerRun: 5000, maxCatchUpMs: 86_400_000, maxMessageBytes: 262_144, filterRequestsPerSecond: 4,
      classify: DEFAULT_CLASSIFY,
      outputFormat: 'ocsf',
      findings: { alertMode: 'findings', scanPortThreshold: 12, sweepHostThreshold: 30, windowMs: 1_800_000, allowlist: cidrs('192.0.2.0/24', '2001:db8::/32') },
    };
    const command = replayCommand(config, '/aws/vpc/flowlogs', '2026-11-24T00:00:00.000Z', '2026-11-24T06:00:00.000Z');
    const args = readArgs(words(command).slice(5));
    if (typeof args === 'string') throw new Error(args);
    expect(args.findings).toEqual(config.findings);
    expect(args.outputFormat).toBe('ocsf');
  });
});
