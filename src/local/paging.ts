/**
 * Paging as the ElastiCache Describe* actions do it: a page size (MaxRecords 20-100 by
 * default, as the service enforces; some actions call it MaxResults) and an opaque token
 * (Marker / NextToken). The token names the first key of the next page, so deletions
 * between pages skip nothing.
 */
import { ApiError, type QueryParams } from './query-protocol.js';
import type { XmlNode } from './xml.js';

export interface PageNames {
  /** The page-size parameter, e.g. MaxRecords or MaxResults. */
  size: string;
  /** The token parameter and response element, e.g. Marker or NextToken. */
  token: string;
  min: number;
  max: number;
}

export const MARKER_PAGING: PageNames = { size: 'MaxRecords', token: 'Marker', min: 20, max: 100 };

export function paginate<T>(
  params: QueryParams,
  items: T[],
  keyOf: (item: T) => string,
  sorted = true,
  names: PageNames = MARKER_PAGING,
): { items: T[]; marker: XmlNode | undefined } {
  const max = params.integer(names.size) ?? names.max;
  if (max < names.min || max > names.max) {
    throw new ApiError(
      'InvalidParameterValue',
      `The parameter ${names.size} must be between ${names.min} and ${names.max} (got ${max}).`,
    );
  }
  const marker = params.string(names.token);
  let start = 0;
  if (marker !== undefined && marker !== '') {
    const key = Buffer.from(marker, 'base64url').toString('utf8');
    if (!key.startsWith('k:')) throw new ApiError('InvalidParameterValue', `Invalid ${names.token}.`);
    const wanted = key.slice(2);
    start = sorted
      ? items.findIndex((item) => keyOf(item) >= wanted)
      : items.findIndex((item) => keyOf(item) === wanted);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const next = items[start + max];
  return {
    items: page,
    marker: next !== undefined ? [names.token, Buffer.from('k:' + keyOf(next)).toString('base64url')] : undefined,
  };
}
