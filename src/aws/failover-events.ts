/**
 * What AWS's docs say to watch to know a TestFailover is complete: the replication group's
 * event "Failover from primary node X to replica node Y completed". In cluster mode this is
 * also the only place AWS names the shard's old and new primary (members carry no roles).
 */
import { paginateDescribeEvents, type Event } from '@aws-sdk/client-elasticache';
import type { AwsContext } from './clients.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { nonAwsAnswerStatus } from './non-aws-answer.js';
import { compareIds } from '../names.js';

export interface CompletedFailover {
  previous: string;
  promoted: string;
  /** The event's identity, to tell it from ones seen before the failover started. */
  key: string;
}

const COMPLETED = /^Failover from (?:primary|master) node (\S+) to replica node (\S+) completed/;

/**
 * The group's completed failovers since `since`, oldest first; undefined when the endpoint
 * does not offer DescribeEvents (then the caller falls back to the group's status).
 */
export async function completedFailovers(
  aws: AwsContext,
  replicationGroupId: string,
  since: Date,
): Promise<CompletedFailover[] | undefined> {
  const events: Event[] = [];
  try {
    for await (const page of paginateDescribeEvents(
      { client: aws.elasticache },
      { SourceType: 'replication-group', SourceIdentifier: replicationGroupId, StartTime: since },
    )) {
      events.push(...(page.Events ?? []));
    }
  } catch (error) {
    if (nonAwsAnswerStatus(error) !== undefined || awsErrorName(error) === 'InvalidAction') return undefined;
    throw explainAwsError(error, 'elasticache:DescribeEvents');
  }
  return events
    .flatMap((event) => {
      const match = COMPLETED.exec(event.Message ?? '');
      if (!match) return [];
      return [{ previous: match[1]!, promoted: match[2]!, key: `${event.Date?.toISOString()} ${event.Message}` }];
    })
    .sort((a, b) => compareIds(a.key, b.key));
}
