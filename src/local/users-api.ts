/**
 * RBAC users and user groups (ElastiCache 2015-02-02): CreateUser, DescribeUsers,
 * ModifyUser, DeleteUser, CreateUserGroup, DescribeUserGroups, ModifyUserGroup,
 * DeleteUserGroup, with the service's wire error codes. Each region has AWS's built-in
 * `default` user (no password, `on ~* +@all`). A user group must hold a user named
 * `default`. Changes to a user or a group reach the nodes of every serverless cache that
 * uses it (ACL SETUSER, through `onUsersChanged`). Passwords are kept only as SHA-256.
 */
import { ACCOUNT_ID } from './ec2-network.js';
import { mergeTags } from './ec2-api.js';
import { checkAccessString, passwordHash, type AclUser } from './acl.js';
import type { Taggable } from './elasticache-api.js';
import { paginate } from './paging.js';
import { ApiError, type QueryParams } from './query-protocol.js';
import { checkIdentifier, parseTags } from './replication-group-rules.js';
import type { PersistedState, UserGroupRecord, UserRecord } from './state.js';
import { xmlList, type XmlNode, type XmlNodes } from './xml.js';

type Result = (XmlNode | undefined)[] | undefined;
type Handler = (params: QueryParams, context: { region: string }) => Result;

export interface UsersDependencies {
  state: PersistedState;
  save(): void;
  /** Names of the serverless caches (and replication groups) that use a user group. */
  userGroupUsers(region: string, userGroupId: string): { serverlessCaches: string[]; replicationGroups: string[] };
  /** A user group's members changed (or one of its users did): re-apply it where it is used. */
  onUsersChanged(region: string, userGroupId: string): void;
}

const DEFAULT_USER_ID = 'default';
const MINIMUM_ENGINE_VERSION = '6.0';

export class UsersApi {
  private readonly handlers: Record<string, Handler> = {
    CreateUser: (p, c) => this.createUser(p, c.region),
    DescribeUsers: (p, c) => this.describeUsers(p, c.region),
    ModifyUser: (p, c) => this.modifyUser(p, c.region),
    DeleteUser: (p, c) => this.deleteUser(p, c.region),
    CreateUserGroup: (p, c) => this.createUserGroup(p, c.region),
    DescribeUserGroups: (p, c) => this.describeUserGroups(p, c.region),
    ModifyUserGroup: (p, c) => this.modifyUserGroup(p, c.region),
    DeleteUserGroup: (p, c) => this.deleteUserGroup(p, c.region),
  };

  constructor(private readonly deps: UsersDependencies) {
    deps.state.users ??= [];
    deps.state.userGroups ??= [];
  }

  handles(action: string): boolean {
    return Object.hasOwn(this.handlers, action);
  }

  handle(action: string, params: QueryParams, context: { region: string }): Result {
    return this.handlers[action]!(params, context);
  }

  /** A user group, or UserGroupNotFound (404). */
  findGroup(region: string, rawId: string): UserGroupRecord {
    const id = rawId.toLowerCase();
    const group = this.deps.state.userGroups!.find((g) => g.region === region && g.userGroupId === id);
    if (!group) throw new ApiError('UserGroupNotFound', `User group ${rawId} not found.`, 404);
    return group;
  }

  /** The user or user group an ARN names, for the tag actions. */
  taggable(kind: 'user' | 'usergroup', region: string, id: string): Taggable {
    if (kind === 'user' && id.toLowerCase() === DEFAULT_USER_ID)
      throw new ApiError('InvalidParameterValue', 'The built-in default user cannot be tagged.');
    const found = kind === 'user' ? this.findUser(region, id) : this.findGroup(region, id);
    return { tags: found.tags, set: (tags) => (found.tags = tags) };
  }

  /** The group's users as the nodes enforce them. */
  aclUsers(region: string, userGroupId: string): AclUser[] {
    return this.findGroup(region, userGroupId).userIds.map((userId) => this.findUser(region, userId));
  }

  // ---- users ---------------------------------------------------------------------------

  /** Every user of the region, the built-in `default` first. */
  private users(region: string): UserRecord[] {
    const own = this.deps.state.users!.filter((user) => user.region === region);
    const builtIn: UserRecord = {
      userId: DEFAULT_USER_ID,
      userName: 'default',
      region,
      engine: 'redis',
      status: 'active',
      accessString: 'on ~* +@all',
      authenticationType: 'no-password-required',
      passwordHashes: [],
      tags: [],
    };
    return [builtIn, ...own.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))];
  }

  private findUser(region: string, rawId: string): UserRecord {
    const user = this.users(region).find((u) => u.userId === rawId.toLowerCase());
    if (!user) throw new ApiError('UserNotFound', `User ${rawId} not found.`, 404);
    return user;
  }

  private createUser(params: QueryParams, region: string): Result {
    const userId = checkIdentifier(params.string('UserId'), 'UserId', 'User id');
    const userName = params.required('UserName');
    if (/\s/.test(userName) || userName.length > 120)
      throw new ApiError('InvalidParameterValue', 'UserName must be 1-120 characters without spaces.');
    const engine = parseUserEngine(params.required('Engine'));
    const accessString = params.required('AccessString');
    checkAccessString(accessString);
    const auth = parseAuthentication(params);
    if (!auth) {
      throw new ApiError(
        'InvalidParameterValue',
        'A user needs Passwords, NoPasswordRequired=true or an AuthenticationMode.',
      );
    }
    if (auth.type === 'iam' && userName !== userId) {
      throw new ApiError('InvalidParameterValue', 'An IAM-authenticated user must have UserName equal to its UserId.');
    }
    if (this.users(region).some((user) => user.userId === userId))
      throw new ApiError('UserAlreadyExists', `User ${userId} already exists.`);
    // Names are unique, except `default`: a group's default user is another user named so.
    if (userName !== 'default' && this.users(region).some((user) => user.userName === userName))
      throw new ApiError('DuplicateUserName', `A user with the user name ${userName} already exists.`);
    const user: UserRecord = {
      userId,
      userName,
      region,
      engine,
      status: 'active',
      accessString: accessString.trim(),
      authenticationType: auth.type,
      passwordHashes: auth.passwords.map(passwordHash),
      tags: mergeTags([], parseTags(params.structs('Tags.Tag'))),
    };
    this.deps.state.users!.push(user);
    this.deps.save();
    return this.userXml(user);
  }

  private describeUsers(params: QueryParams, region: string): Result {
    const engine = params.string('Engine')?.toLowerCase();
    const userId = params.string('UserId');
    let users = userId !== undefined ? [this.findUser(region, userId)] : this.users(region);
    if (engine) users = users.filter((user) => user.engine === engine);
    for (const filter of params.structs('Filters.member')) {
      const name = filter.required('Name');
      const values = filter.list('Values.member');
      if (name !== 'user-id')
        throw new ApiError('InvalidParameterValue', `Filter name ${name} is not supported (supported: user-id).`);
      users = users.filter((user) => values.includes(user.userId));
    }
    const page = paginate(params, users, (user) => user.userId, false);
    return [xmlList('Users', 'member', page.items, (user) => this.userXml(user)), page.marker];
  }

  private modifyUser(params: QueryParams, region: string): Result {
    const user = this.findUser(region, params.required('UserId'));
    if (user.userId === DEFAULT_USER_ID)
      throw new ApiError('InvalidParameterValue', 'The built-in default user cannot be modified.');
    if (user.status !== 'active') throw new ApiError('InvalidUserState', `User ${user.userId} is not active.`);
    const accessString = params.string('AccessString');
    const append = params.string('AppendAccessString');
    if (accessString !== undefined && append !== undefined)
      throw new ApiError(
        'InvalidParameterCombination',
        'AccessString and AppendAccessString cannot be given together.',
      );
    const engine = params.string('Engine') !== undefined ? parseUserEngine(params.string('Engine')!) : undefined;
    const auth = parseAuthentication(params);
    if (accessString !== undefined) checkAccessString(accessString);
    if (append !== undefined) checkAccessString(append);
    if (accessString !== undefined) user.accessString = accessString.trim();
    if (append !== undefined) user.accessString = `${user.accessString} ${append.trim()}`;
    if (engine) user.engine = engine;
    if (auth) {
      user.authenticationType = auth.type;
      user.passwordHashes = auth.passwords.map(passwordHash);
    }
    this.deps.save();
    for (const group of this.groupsOf(user)) this.deps.onUsersChanged(region, group.userGroupId);
    return this.userXml(user);
  }

  private deleteUser(params: QueryParams, region: string): Result {
    const user = this.findUser(region, params.required('UserId'));
    if (user.userId === DEFAULT_USER_ID)
      throw new ApiError('InvalidParameterValue', 'The built-in default user cannot be deleted.');
    if (user.status !== 'active') throw new ApiError('InvalidUserState', `User ${user.userId} is not active.`);
    const groups = this.groupsOf(user);
    if (user.userName === 'default' && groups.length > 0) {
      throw new ApiError(
        'DefaultUserAssociatedToUserGroup',
        `User ${user.userId} is the default user of user group ${groups[0]!.userGroupId}.`,
      );
    }
    for (const group of groups) group.userIds = group.userIds.filter((id) => id !== user.userId);
    this.deps.state.users = this.deps.state.users!.filter((u) => u !== user);
    this.deps.save();
    for (const group of groups) this.deps.onUsersChanged(region, group.userGroupId);
    user.status = 'deleting';
    return this.userXml(user, groups);
  }

  private groupsOf(user: UserRecord): UserGroupRecord[] {
    return this.deps.state.userGroups!.filter(
      (group) => group.region === user.region && group.userIds.includes(user.userId),
    );
  }

  private userXml(user: UserRecord, groups = this.groupsOf(user)): XmlNodes {
    return [
      ['UserId', user.userId],
      ['UserName', user.userName],
      ['Status', user.status],
      ['Engine', user.engine],
      ['MinimumEngineVersion', MINIMUM_ENGINE_VERSION],
      ['AccessString', user.accessString],
      xmlList('UserGroupIds', 'member', groups, (group) => group.userGroupId),
      [
        'Authentication',
        [
          ['Type', user.authenticationType === 'no-password-required' ? 'no-password' : user.authenticationType],
          ['PasswordCount', user.passwordHashes.length],
        ],
      ],
      ['ARN', `arn:aws:elasticache:${user.region}:${ACCOUNT_ID}:user:${user.userId}`],
    ];
  }

  // ---- user groups ----------------------------------------------------------------------

  private groups(region: string): UserGroupRecord[] {
    return this.deps.state
      .userGroups!.filter((group) => group.region === region)
      .sort((a, b) => (a.userGroupId < b.userGroupId ? -1 : a.userGroupId > b.userGroupId ? 1 : 0));
  }

  /** The members, each known, with exactly one named `default` and no name twice. */
  private checkMembers(region: string, userIds: string[]): string[] {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const users = ids.map((id) => this.findUser(region, id));
    const names = new Set<string>();
    for (const user of users) {
      if (names.has(user.userName))
        throw new ApiError('DuplicateUserName', `Two users of the group have the user name ${user.userName}.`);
      names.add(user.userName);
    }
    if (!names.has('default'))
      throw new ApiError('DefaultUserRequired', 'A user group must contain a user with the user name default.');
    return ids;
  }

  private createUserGroup(params: QueryParams, region: string): Result {
    const userGroupId = checkIdentifier(params.string('UserGroupId'), 'UserGroupId', 'User group id');
    const engine = parseUserEngine(params.required('Engine'));
    if (this.groups(region).some((group) => group.userGroupId === userGroupId))
      throw new ApiError('UserGroupAlreadyExists', `User group ${userGroupId} already exists.`);
    const userIds = this.checkMembers(region, params.list('UserIds.member'));
    const group: UserGroupRecord = {
      userGroupId,
      region,
      engine,
      status: 'active',
      userIds,
      tags: mergeTags([], parseTags(params.structs('Tags.Tag'))),
    };
    this.deps.state.userGroups!.push(group);
    this.deps.save();
    return this.groupXml(group);
  }

  private describeUserGroups(params: QueryParams, region: string): Result {
    const id = params.string('UserGroupId');
    const groups = id !== undefined ? [this.findGroup(region, id)] : this.groups(region);
    const page = paginate(params, groups, (group) => group.userGroupId);
    return [xmlList('UserGroups', 'member', page.items, (group) => this.groupXml(group)), page.marker];
  }

  private modifyUserGroup(params: QueryParams, region: string): Result {
    const group = this.findGroup(region, params.required('UserGroupId'));
    if (group.status !== 'active')
      throw new ApiError('InvalidUserGroupState', `User group ${group.userGroupId} is not active.`);
    const toAdd = params.list('UserIdsToAdd.member').map((id) => id.toLowerCase());
    const toRemove = new Set(params.list('UserIdsToRemove.member').map((id) => id.toLowerCase()));
    if (toAdd.some((id) => toRemove.has(id)))
      throw new ApiError('InvalidParameterCombination', 'A user cannot be both added to and removed from a group.');
    for (const id of toRemove) {
      if (!group.userIds.includes(id))
        throw new ApiError('UserNotFound', `User ${id} is not in user group ${group.userGroupId}.`, 404);
    }
    const engine = params.string('Engine');
    if (engine !== undefined) group.engine = parseUserEngine(engine);
    group.userIds = this.checkMembers(region, [...group.userIds.filter((id) => !toRemove.has(id)), ...toAdd]);
    this.deps.save();
    this.deps.onUsersChanged(region, group.userGroupId);
    return this.groupXml(group);
  }

  private deleteUserGroup(params: QueryParams, region: string): Result {
    const group = this.findGroup(region, params.required('UserGroupId'));
    const users = this.deps.userGroupUsers(region, group.userGroupId);
    const inUse = [...users.serverlessCaches, ...users.replicationGroups];
    if (inUse.length > 0 || group.status !== 'active') {
      throw new ApiError(
        'InvalidUserGroupState',
        inUse.length > 0
          ? `User group ${group.userGroupId} is in use by ${inUse.join(', ')}.`
          : `User group ${group.userGroupId} is not active.`,
      );
    }
    this.deps.state.userGroups = this.deps.state.userGroups!.filter((g) => g !== group);
    this.deps.save();
    group.status = 'deleting';
    return this.groupXml(group);
  }

  private groupXml(group: UserGroupRecord): XmlNodes {
    const users = this.deps.userGroupUsers(group.region, group.userGroupId);
    return [
      ['UserGroupId', group.userGroupId],
      ['Status', group.status],
      ['Engine', group.engine],
      xmlList('UserIds', 'member', group.userIds, (id) => id),
      ['MinimumEngineVersion', MINIMUM_ENGINE_VERSION],
      xmlList('ReplicationGroups', 'member', users.replicationGroups, (id) => id),
      xmlList('ServerlessCaches', 'member', users.serverlessCaches, (id) => id),
      ['ARN', `arn:aws:elasticache:${group.region}:${ACCOUNT_ID}:usergroup:${group.userGroupId}`],
    ];
  }
}

function parseUserEngine(raw: string): 'redis' | 'valkey' {
  const engine = raw.toLowerCase();
  if (engine === 'redis' || engine === 'valkey') return engine;
  throw new ApiError('InvalidParameterValue', `Invalid engine ${raw}: users are for valkey or redis.`);
}

/**
 * Passwords / NoPasswordRequired / AuthenticationMode → one authentication; undefined
 * when none is given. Messages never echo a password.
 */
function parseAuthentication(
  params: QueryParams,
): { type: UserRecord['authenticationType']; passwords: string[] } | undefined {
  const passwords = params.list('Passwords.member');
  const noPassword = params.boolean('NoPasswordRequired');
  const modeType = params.string('AuthenticationMode.Type');
  const modePasswords = params.list('AuthenticationMode.Passwords.member');
  const given = [passwords.length > 0, noPassword !== undefined, modeType !== undefined].filter(Boolean).length;
  if (given === 0) return undefined;
  if (given > 1 && !(noPassword === false && passwords.length > 0)) {
    throw new ApiError(
      'InvalidParameterCombination',
      'Give only one of Passwords, NoPasswordRequired and AuthenticationMode.',
    );
  }
  let result: { type: UserRecord['authenticationType']; passwords: string[] };
  if (modeType !== undefined) {
    if (modeType !== 'password' && modeType !== 'no-password-required' && modeType !== 'iam') {
      throw new ApiError(
        'InvalidParameterValue',
        `AuthenticationMode.Type must be password, no-password-required or iam (got ${modeType}).`,
      );
    }
    if ((modeType === 'password') !== modePasswords.length > 0) {
      throw new ApiError(
        'InvalidParameterCombination',
        'AuthenticationMode.Passwords is required with Type password, and only then.',
      );
    }
    result = { type: modeType, passwords: modePasswords };
  } else if (noPassword === true) {
    result = { type: 'no-password-required', passwords: [] };
  } else {
    if (passwords.length === 0) throw new ApiError('InvalidParameterValue', 'Passwords must not be empty.');
    result = { type: 'password', passwords };
  }
  if (result.passwords.length > 2) throw new ApiError('InvalidParameterValue', 'A user can have at most 2 passwords.');
  for (const password of result.passwords) checkUserPassword(password);
  return result;
}

/** 16-128 printable ASCII characters without spaces; the message never shows the password. */
function checkUserPassword(password: string): void {
  if (password.length < 16 || password.length > 128 || !/^[\x21-\x7e]+$/.test(password)) {
    throw new ApiError('InvalidParameterValue', 'Passwords must be 16-128 printable ASCII characters without spaces.');
  }
}
