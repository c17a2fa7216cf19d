import type { FlowAlertKey } from './flow-fields';
import type { Direction, Scope } from './flow-context';
import type { Severity } from './severity';

/** How the original message was read. */
export const RECORD_FORMATS = ['v2', 'custom', 'json', 'unparsed'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Where the alert came from, and the original message, always. */
export interface RawEvent {
  /** The original CloudWatch Logs message, byte for byte (see `truncated`). */
  message: string;
  record_format: RecordFormat;
  log_group?: string;
  log_stream?: string;
  event_id?: string;
  /** CloudWatch Logs event timestamp, ISO-8601. */
  event_time?: string;
  /** When CloudWatch Logs ingested the event, ISO-8601. */
  ingestion_time?: string;
  /** Why the message could not be parsed (`record_format: unparsed` only). */
  parse_error?: string;
  /** Set when the alert was cut to fit the queue; `original_bytes` is the raw message's full UTF-8 size. */
  truncated?: true;
  original_bytes?: number;
  /** Why it was cut (see {@link TRUNCATION_REASONS}); present exactly when `truncated` is. */
  truncation_reason?: TruncationReason;
  /** Where a record read from S3 came from: the object, and its line (text) or row (Parquet), from 1. */
  s3?: S3Origin;
}

/** A record's place in an S3 object. */
export interface S3Origin {
  bucket: string;
  key: string;
  line?: number;
  row?: number;
}

/**
 * Why an alert was cut, mildest first: `message_too_large` only `raw_event.message` (and `extra`)
 * was cut; `fields_too_large` other text fields were cut too; `extra_unserializable` `extra` could
 * not be serialized (too deep) and was dropped; `minimal` only the flow fields that fit were kept;
 * `refused_by_queue` the queue refused the full alert, and this minimal form was sent instead.
 */
export const TRUNCATION_REASONS = ['message_too_large', 'fields_too_large', 'extra_unserializable', 'minimal', 'refused_by_queue'] as const;
export type TruncationReason = (typeof TRUNCATION_REASONS)[number];

/** Properties every alert carries, `null` when the record does not say. */
export interface AlertCore {
  /** The native contract's version (semantic; see docs/alert-contract.md, "Versions"). */
  schema_version: string;
  source: 'aws_vpc_flow';
  category: 'network';
  severity: Severity;
  /**
   * Stable id, 1-128 printable ASCII characters (a valid FIFO deduplication id): the CloudWatch Logs
   * event id when it is one, `sha256:` + a hash of an odd event id, or of where and what the message is.
   */
  alert_id: string;
  /** Flow start (ISO-8601); the event time when the record has no start. */
  timestamp: string | null;
  action: string | null;
  log_status: string | null;
  src_ip: string | null;
  dst_ip: string | null;
  src_port: number | null;
  dst_port: number | null;
  /** IANA keyword (`tcp`), or `null` when the number is unknown or absent. */
  protocol: string | null;
  protocol_number: number | null;
  packets: number | null;
  bytes: number | null;
  start: number | null;
  end: number | null;
  aws_account_id: string | null;
  /** The network interface (ENI) id. */
  cloud_resource: string | null;
  /** `private` or `public` (see docs/alert-contract.md); of the packet-level addresses when logged. */
  src_scope: Scope | null;
  dst_scope: Scope | null;
  /** `inbound` (public → private), `outbound`, `internal` or `external`; `null` when an address is missing. */
  direction: Direction | null;
  /** Well-known name of the TCP/UDP destination port (`ssh`), or `null`. */
  service: string | null;
  raw_event: RawEvent;
}

/** Flow fields an alert carries only when its layout has them (vpc_id, tcp_flags, ...). */
export type AlertOptionalFields = { [K in Exclude<FlowAlertKey, keyof AlertCore>]?: string | number | null };

/** The alert contract: one object per flow record, as sent to the queue (docs/alert-contract.md). */
export type Alert = AlertCore &
  AlertOptionalFields & {
    /** Decoded `tcp_flags` (`['SYN', 'ACK']`), present when `tcp_flags` is. */
    tcp_flag_names?: string[];
    /** JSON keys that are not flow-log fields, kept as they came. */
    extra?: Readonly<Record<string, unknown>>;
  };

/** What the log source knows about a message besides its text. All optional: the CLI may know none of it. */
export interface EventMeta {
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly eventId?: string;
  /** Event timestamp, epoch milliseconds. */
  readonly timestamp?: number;
  /** Ingestion time, epoch milliseconds. */
  readonly ingestionTime?: number;
  /** The S3 object and line or row the record came from (the S3 source). */
  readonly s3?: Readonly<S3Origin>;
}
