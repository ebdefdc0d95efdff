/**
 * ElastiCache events and DescribeEvents (2015-02-02), for what the emulator does that AWS
 * reports as events: the TestFailover sequence AWS's docs tell callers to watch to know a
 * failover is complete ("Test Failover API called for node group …", then "Failover from
 * primary node … to replica node … completed"). Kept in memory, oldest first; AWS keeps 14
 * days, the emulator its own lifetime (capped).
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import { xmlList, type XmlNodes } from './xml.js';

const SOURCE_TYPES = [
  'cache-cluster',
  'cache-parameter-group',
  'cache-security-group',
  'cache-subnet-group',
  'replication-group',
  'serverless-cache',
  'serverless-cache-snapshot',
  'user',
  'user-group',
] as const;
export type EventSourceType = (typeof SOURCE_TYPES)[number];

interface RecordedEvent {
  region: string;
  sourceType: EventSourceType;
  sourceId: string;
  message: string;
  date: Date;
}

/** The most events kept; older ones are dropped first. */
const CAPACITY = 10_000;
/** DescribeEvents without StartTime or Duration looks back this far, as AWS does. */
const DEFAULT_DURATION_MINUTES = 60;

export class EventLog {
  private readonly events: RecordedEvent[] = [];

  record(region: string, sourceType: EventSourceType, sourceId: string, message: string): void {
    this.events.push({ region, sourceType, sourceId, message, date: new Date() });
    if (this.events.length > CAPACITY) this.events.shift();
  }

  /** TestFailover's events, in AWS's order: the call, then per node and per group the completion. */
  failoverStarted(region: string, replicationGroupId: string, nodeGroupId: string): void {
    this.record(
      region,
      'replication-group',
      replicationGroupId,
      `Test Failover API called for node group ${nodeGroupId}`,
    );
  }

  failoverCompleted(region: string, replicationGroupId: string, previous: string | undefined, promoted: string): void {
    const message = `Failover from primary node ${previous ?? 'unknown'} to replica node ${promoted} completed`;
    this.record(region, 'cache-cluster', promoted, message);
    this.record(region, 'replication-group', replicationGroupId, message);
  }

  /** DescribeEvents: filtered by source and time window, MaxRecords 20-100, Marker paging. */
  describe(params: QueryParams, region: string): XmlNodes {
    const sourceType = params.string('SourceType');
    if (sourceType !== undefined && !(SOURCE_TYPES as readonly string[]).includes(sourceType)) {
      throw new ApiError(
        'InvalidParameterValue',
        `Invalid value for SourceType: ${sourceType} (valid: ${SOURCE_TYPES.join(', ')}).`,
      );
    }
    const sourceId = params.string('SourceIdentifier');
    const end = timeParam(params, 'EndTime') ?? new Date();
    const duration = params.integer('Duration');
    const start =
      timeParam(params, 'StartTime') ?? new Date(end.getTime() - (duration ?? DEFAULT_DURATION_MINUTES) * 60_000);
    const max = params.integer('MaxRecords') ?? 100;
    if (max < 20 || max > 100) {
      throw new ApiError('InvalidParameterValue', `The parameter MaxRecords must be between 20 and 100 (got ${max}).`);
    }
    const matching = this.events.filter(
      (event) =>
        event.region === region &&
        (sourceType === undefined || event.sourceType === sourceType) &&
        (sourceId === undefined || event.sourceId === sourceId) &&
        event.date >= start &&
        event.date <= end,
    );
    const offset = markerOffset(params.string('Marker'));
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? Buffer.from(`e:${offset + max}`).toString('base64url') : undefined;
    return [
      next !== undefined ? ['Marker', next] : undefined,
      xmlList('Events', 'Event', page, (event) => [
        ['SourceIdentifier', event.sourceId],
        ['SourceType', event.sourceType],
        ['Message', event.message],
        ['Date', event.date],
      ]),
    ];
  }
}

function timeParam(params: QueryParams, name: string): Date | undefined {
  const raw = params.string(name);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime()))
    throw new ApiError('InvalidParameterValue', `Invalid value for parameter ${name}: ${raw} is not a timestamp`);
  return date;
}

function markerOffset(marker: string | undefined): number {
  if (marker === undefined || marker === '') return 0;
  const match = /^e:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!match) throw new ApiError('InvalidParameterValue', 'Invalid Marker.');
  return Number(match[1]);
}
