import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTransitMode, transitSteps } from '../../src/plan/transit-steps.js';
import { UsageError } from '../../src/errors.js';

test('transit encryption moves one mode at a time, in the requests AWS accepts', () => {
  assert.deepEqual(transitSteps('off', 'required'), [
    { to: 'preferred', input: { TransitEncryptionEnabled: true, TransitEncryptionMode: 'preferred' } },
    { to: 'required', input: { TransitEncryptionMode: 'required' } },
  ]);
  assert.deepEqual(transitSteps('required', 'off'), [
    { to: 'preferred', input: { TransitEncryptionMode: 'preferred' } },
    { to: 'off', input: { TransitEncryptionEnabled: false } },
  ]);
  assert.deepEqual(transitSteps('preferred', 'required'), [
    { to: 'required', input: { TransitEncryptionMode: 'required' } },
  ]);
  assert.deepEqual(transitSteps('required', 'required'), []);
});

test('--transit-encryption-mode names its values', () => {
  assert.equal(parseTransitMode('preferred'), 'preferred');
  assert.throws(
    () => parseTransitMode('on'),
    (error: Error) =>
      error instanceof UsageError && /must be one of off, preferred, required \(got on\)/.test(error.message),
  );
});
