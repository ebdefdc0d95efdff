/**
 * In-transit encryption on an existing group moves in AWS's steps: off → preferred → required,
 * and back required → preferred → off (ModifyReplicationGroup refuses a jump). This plans
 * the ModifyReplicationGroup requests from the current mode to the wanted one. Pure.
 */
import { UsageError } from '../errors.js';

export type TransitMode = 'off' | 'preferred' | 'required';
export const TRANSIT_MODES: readonly TransitMode[] = ['off', 'preferred', 'required'];

/** One ModifyReplicationGroup request: the fields to send and the mode it leads to. */
export interface TransitStep {
  to: TransitMode;
  input: { TransitEncryptionEnabled?: boolean; TransitEncryptionMode?: 'preferred' | 'required' };
}

export function parseTransitMode(raw: string): TransitMode {
  if ((TRANSIT_MODES as readonly string[]).includes(raw)) return raw as TransitMode;
  throw new UsageError(`--transit-encryption-mode must be one of ${TRANSIT_MODES.join(', ')} (got ${raw})`);
}

/** The steps from `current` to `wanted`, one mode at a time; [] when already there. */
export function transitSteps(current: TransitMode, wanted: TransitMode): TransitStep[] {
  const from = TRANSIT_MODES.indexOf(current);
  const to = TRANSIT_MODES.indexOf(wanted);
  const direction = Math.sign(to - from);
  const steps: TransitStep[] = [];
  for (let at = from; at !== to; at += direction) {
    const next = TRANSIT_MODES[at + direction]!;
    steps.push({
      to: next,
      input:
        next === 'off'
          ? { TransitEncryptionEnabled: false }
          : current === 'off' && next === 'preferred' && direction > 0
            ? { TransitEncryptionEnabled: true, TransitEncryptionMode: 'preferred' }
            : { TransitEncryptionMode: next },
    });
  }
  return steps;
}
