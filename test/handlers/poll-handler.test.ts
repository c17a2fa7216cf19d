/** The metrics and logs a poll run publishes, per log group, from its stats. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { PollerConfig } from '../../lambda/app/config';
import { LogSourceError } from '../../lambda/core/errors';
import { compileFormat } from '../../lambda/core/log-format';
import { DEFAULT_FINDING_SETTINGS } from '../../lambda/core/finding';
import { DEFAULT_CLASSIFY } from '../../lambda/core/normalize';
import { createPollHandler } from '../../lambda/handlers/poll-handler';
import { METRICS } from '../../lambda/settings/metric-names';
import { Clock, FakeCheckpoints, FakeLogSource, FakeQueue } from '../helpers/fakes';

const MIN = 60_000;
const T0 = 1_700_000_000_000;

/** Records what the handler publishes: one entry per publishStoredMetrics, by dimension and name. */
class RecordingMetrics {
  public readonly published: Array<{ dimensions: Record<string, string>; values: Record<string, number> }> = [];
  private dimensions: Record<string, string> = {};
  private values: Record<string, number> = {};
  public addDimension(name: string, value: string): void {
    this.dimensions[name] = value;
  }
  public addMetric(name: string, _unit: unknown, value: number): void {
    this.values[name] = value;
  }
  public publishStoredMetrics(): void {
    this.published.push({ dimensions: this.dimensions, values: this.values });
    this.dimensions = {};
    this.values = {};
  }
}

class RecordingLogger {
  public readonly lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  public info(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }
  public warn(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }
  public error(message: string, fields: Record<string, unknown> = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }
  public appendKeys(): void {}
  public removeKeys(): void {}
  public addContext(): void {}
}

function setup(checkpoints = new FakeCheckpoints()) {
  const clock = new Clock(T0);
  const source = new FakeLogSource(clock);
  const metrics = new RecordingMetrics();
  const logger = new RecordingLogger();
  const config: PollerConfig = {
    logGroups: [{ name: 'g', format: compileFormat(), filterPattern: '?REJECT ?SKIPDATA' }],
    queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', fifo: false,
    quarantineQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q-quarantine', checkpointTable: 't',
    lookbackMs: 15 * MIN, maxEventsPerRun: 5000, maxCatchUpMs: 24 * 60 * MIN, maxMessageBytes: 262_144, filterRequestsPerSecond: 4,
    classify: DEFAULT_CLASSIFY, findings: DEFAULT_FINDING_SETTINGS, outputFormat: 'native',
  };
  const handler = createPollHandler({
    config, source, publisher: new FakeQueue(), quarantine: new FakeQueue(), checkpoints, now: clock.now,
    logger: logger as unknown as Logger, metrics: metrics as unknown as Metrics,
  });
  let run = 0;
  const invoke = async () => {
    clock.advance(5 * MIN);
    return handler({}, { getRemainingTimeInMillis: () => 240_000, awsRequestId: `req-${++run}` });
  };
  return { clock, source, metrics, logger, invoke };
}

describe('poll handler metrics', () => {
  it('publishes each count of the run, the lag in seconds, and 0 for what did not happen', async () => {
    const { source, metrics, invoke, clock } = setup();
    await invoke();
    source.add('2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 1 40 1700000400 1700000460 REJECT OK', clock.ms + MIN);
    source.add('not a record REJECT', clock.ms + MIN);
    await invoke();
    const last = metrics.published.at(-1);
    expect(last?.dimensions).toEqual({ LogGroup: 'g' });
    expect(last?.values).toEqual({
      [METRICS.recordsRead]: 2, [METRICS.alertsSent]: 2, [METRICS.duplicatesSkipped]: 0, [METRICS.unparsedRecords]: 1,
      [METRICS.sendFailures]: 0, [METRICS.quarantined]: 0, [METRICS.pollErrors]: 0, [METRICS.throttles]: 0, [METRICS.pagesRead]: 1,
      [METRICS.lagSeconds]: 0, [METRICS.cappedRuns]: 0, [METRICS.catchUpGaps]: 0, [METRICS.checkpointConflicts]: 0,
    });
  });

  it('publishes no LagSeconds when the run could not tell (a false 0 would hide a stalled poll)', async () => {
    const unreachable = new FakeCheckpoints();
    unreachable.load = async () => {
      throw new Error('table unreachable');
    };
    const { metrics, logger, invoke } = setup(unreachable);
    await invoke();
    const last = metrics.published.at(-1)?.values ?? {};
    expect(last[METRICS.pollErrors]).toBe(1);
    expect(METRICS.lagSeconds in last).toBe(false);
    expect(logger.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ cause: 'internal', detail: 'Error: table unreachable' });
  });

  it('counts a run that found the group leased as a checkpoint conflict, with no lag', async () => {
    const leased = new FakeCheckpoints();
    await leased.acquireLease('g', 'other-run', T0 + 60 * MIN, T0);
    const { metrics, logger, invoke } = setup(leased);
    await invoke();
    const last = metrics.published.at(-1)?.values ?? {};
    expect(last[METRICS.checkpointConflicts]).toBe(1);
    expect(METRICS.lagSeconds in last).toBe(false);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message.includes('holds this log group\'s lease'))).toBe(true);
  });

  it('reports a read failure with its cause, and its throttles', async () => {
    const { source, metrics, logger, invoke } = setup();
    await invoke();
    source.failNext.push(new LogSourceError('still throttled', 'throttled', { throttles: 6 }));
    await invoke();
    expect(metrics.published.at(-1)?.values).toMatchObject({ [METRICS.pollErrors]: 1, [METRICS.throttles]: 6 });
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', fields: { cause: 'throttled', throttles: 6 } });
  });
});
