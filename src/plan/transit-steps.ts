/**
 * In-transit encryption on an existing group moves in AWS's steps: off → preferred → required,
 * and back required → preferred → off (ModifyReplicationGroup refuses a jump). This plans
 * the ModifyReplicationGroup requests from the current mode to the wanted one. Pure.
 */
import { parseChoice } from '../flags.js';

export type TransitMode = 'off' | 'preferred' | 'required';
export const TRANSIT_MODES: readonly TransitMode[] = ['off', 'preferred', 'required'];

/** One ModifyReplicationGroup request: the fields to send and the mode it leads to. */
export interface TransitStep {
  to: TransitMode;
  input: { TransitEncryptionEnabled?: boolean; TransitEncryptionMode?: 'preferred' | 'required' };
}

/** As AWS spells them (TransitEncryptionMode is case-sensitive). */
export function parseTransitMode(raw: string): TransitMode {
  return parseChoice('--transit-encryption-mode', raw, TRANSIT_MODES, { ignoreCase: false });
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
