/**
 * Number flags shared by every command, and the limits two commands share. One
 * definition each, so the same flag has the same range and the same message everywhere.
 */
import { UsageError } from './errors.js';

export interface IntegerRange {
  min: number;
  max: number;
  /** The value when the flag is absent. */
  fallback: number;
}

/** A whole number in [min, max] (underscores allowed as digit separators: 1_000_000). */
export function integerFlag(flag: string, raw: string | undefined, range: IntegerRange): number {
  if (raw === undefined) return range.fallback;
  const text = raw.trim();
  const value = Number(text.replace(/_/g, ''));
  if (text === '' || !/^-?[\d_]+$/.test(text) || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`${flag} must be an integer ${range.min}-${range.max} (got ${raw})`);
  }
  return value;
}

/** The emulator's simulated replication delay (`local start` and `demo`), in milliseconds. */
export const REPLICATION_DELAY_MS = { min: 0, max: 60_000 } as const;
/** local start --lifecycle-ms: how long creating/modifying/deleting last (at most an hour). */
export const LIFECYCLE_MS = { min: 0, max: 3_600_000 } as const;
