/**
 * RBAC users as the nodes enforce them: an ElastiCache access string is Redis ACL rule
 * syntax (`on ~* +@all`), so a user becomes one `ACL SETUSER <name> reset <passwords>
 * <rules>`. Passwords travel as their SHA-256 (`#<hex>`), the only form the emulator keeps.
 * Pure: validation and argument lists, unit-tested.
 */
import { createHash } from 'node:crypto';
import { ApiError } from './query-protocol.js';

export interface AclUser {
  userName: string;
  accessString: string;
  authenticationType: 'password' | 'no-password-required' | 'iam';
  passwordHashes: string[];
}

/** The `default` user of a node whose cache has no user group: anyone, everything, no AUTH. */
export const OPEN_DEFAULT_USER: AclUser = {
  userName: 'default',
  accessString: 'on ~* &* +@all',
  authenticationType: 'no-password-required',
  passwordHashes: [],
};

export function passwordHash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/**
 * One ACL rule token: on/off, key and channel patterns, command and category rules,
 * the all/reset shorthands. Passwords (`>`, `<`, `#`, `!`, nopass) are not allowed in an
 * access string; ElastiCache sets them from Passwords / AuthenticationMode.
 */
const RULE =
  /^(on|off|allkeys|allchannels|allcommands|nocommands|resetkeys|resetchannels|~\S+|%R?W?~\S+|&\S+|[+-]@?[a-z0-9|_-]+)$/i;

export function checkAccessString(accessString: string): void {
  const tokens = accessString.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw new ApiError('InvalidParameterValue', 'AccessString must not be empty.');
  const bad = tokens.find((token) => !RULE.test(token));
  if (bad !== undefined) {
    throw new ApiError(
      'InvalidParameterValue',
      `Invalid access string: ${JSON.stringify(bad)} is not an access rule (use on|off, ~keys, &channels, +command, -command, +@category, -@category).`,
    );
  }
}

/** `ACL SETUSER` for one user: everything reset, then its passwords and its rules. */
export function aclSetUserArgs(user: AclUser): string[] {
  const passwords =
    user.authenticationType === 'no-password-required' ? ['nopass'] : user.passwordHashes.map((hash) => `#${hash}`);
  const rules = user.accessString.trim().split(/\s+/).filter(Boolean);
  return ['ACL', 'SETUSER', user.userName, 'reset', ...passwords, ...rules];
}
