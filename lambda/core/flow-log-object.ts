/**
 * What an S3 object key says: whether it is a flow-log file (plain text, gzip-compressed, or
 * Parquet) and which day it holds. VPC Flow Logs write `AWSLogs/<account>/vpcflowlogs/<region>/
 * <yyyy>/<mm>/<dd>/<account>_vpcflowlogs_<region>_<flow-log-id>_<yyyymmddThhmmZ>_<hash>.log.gz`
 * (or `.parquet`), or with Hive-compatible prefixes `AWSLogs/aws-account-id=<account>/aws-service=
 * vpcflowlogs/aws-region=<region>/year=<yyyy>/month=<mm>/day=<dd>/[hour=<hh>/]...`.
 */

/** How an object is read; `ignored` objects (manifests, other logs) are counted and skipped. */
export type ObjectKind = 'log-gzip' | 'log-text' | 'parquet' | 'ignored';

/** The reading of an object key. */
export interface FlowLogKey {
  readonly kind: ObjectKind;
  /** Start of the day (UTC, epoch ms) the key's date path names, when it names one. */
  readonly day?: number;
}

const PLAIN = /\/vpcflowlogs\/[a-z0-9-]+\/(\d{4})\/(\d{2})\/(\d{2})\//;
const HIVE = /\/aws-service=vpcflowlogs\/aws-region=[a-z0-9-]+\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\//;

/**
 * The key prefixes of each day from `start` to `end` (epoch ms) under `prefix`, when `prefix` ends
 * at a flow log's region (`.../vpcflowlogs/<region>/` or `.../aws-region=<region>/`): a backfill then
 * lists only those days. `undefined` for any other prefix (the backfill lists it all and filters).
 */
export function dayPrefixes(prefix: string, start: number, end: number): string[] | undefined {
  const plain = /\/vpcflowlogs\/[a-z0-9-]+\/$/.test(prefix);
  const hive = /\/aws-region=[a-z0-9-]+\/$/.test(prefix);
  if (!plain && !hive) return undefined;
  const out: string[] = [];
  for (let day = Math.floor(start / 86_400_000) * 86_400_000; day <= end && out.length < 3660; day += 86_400_000) {
    const d = new Date(day);
    const [y, m, dd] = [d.getUTCFullYear(), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0')];
    out.push(plain ? `${prefix}${y}/${m}/${dd}/` : `${prefix}year=${y}/month=${m}/day=${dd}/`);
  }
  return out;
}

/** The time a flow-log file name says its records end (`..._20261125T0135Z_...`), epoch ms. */
export function fileTime(key: string): number | undefined {
  const match = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(key.slice(key.lastIndexOf('/') + 1));
  if (match === null) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Reads `key` (as S3 gives it, already URL-decoded). */
export function readFlowLogKey(key: string): FlowLogKey {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const kind: ObjectKind = name.endsWith('.log.gz') ? 'log-gzip' : name.endsWith('.log') ? 'log-text' : name.endsWith('.parquet') ? 'parquet' : 'ignored';
  const date = PLAIN.exec(key) ?? HIVE.exec(key);
  if (date === null) return { kind };
  const day = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
  return Number.isFinite(day) ? { kind, day } : { kind };
}

/**
 * The time an object's flows count at in the detectors' windows: the time in the flow-log file's
 * name (its delivery period, minutes before the upload; it survives copies and restores of an
 * archive, which reset LastModified), never later than `lastModified` (epoch ms), which S3 sets and
 * no writer can: a file named in the future counts when it was written, not held open until then.
 */
export function flowTime(key: string, lastModified: number): number {
  return Math.min(fileTime(key) ?? lastModified, lastModified);
}
