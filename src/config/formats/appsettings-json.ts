/**
 * .NET `appsettings.json`: one section (default `ElastiCache`, `--section`; `A:B` nests as
 * .NET configuration paths do) holding the walkthrough's keys:
 *
 *   "ElastiCache": { "MasterNodes": "host:6379", "SlaveNodes": "host:6379,host:6379", "Port": 6379, "Tls": false }
 *
 * Merging edits the text in place: an owned key's value is replaced, a missing key or
 * section is added after the last member with the file's own indentation. Other keys
 * (inside the section too), comments, order and formatting stay byte for byte. Keys are
 * matched case-insensitively, as .NET configuration does.
 */
import { ConfigParseError, positionOf } from '../errors.js';
import { parseJsonWithPositions, type JsonMember, type JsonObject } from './json-scanner.js';
import { indentBefore, indentUnitOf, lineEndOf, lineIndentOf, newlineOf, splice } from './text-edit.js';
import type { KeySettings, RenderInput } from './types.js';
import type { EndpointValues } from '../values.js';

type Scalar = string | number | boolean;

export function sectionEntries(values: EndpointValues, keys: KeySettings): [string, Scalar][] {
  const entries: [string, Scalar][] = [];
  if (values.kind === 'serverless') {
    entries.push(['Endpoint', values.endpoint ?? '']);
    entries.push(['ReaderEndpoint', values.reader ?? '']);
    entries.push(['Tls', true]);
    entries.push(['ClusterProtocol', true]);
    if (values.user !== undefined) entries.push(['User', values.user]);
    if (values.environment !== undefined) entries.push(['Environment', values.environment]);
    if (values.authToken !== undefined) entries.push(['AuthToken', values.authToken]);
    return entries;
  }
  if (values.clusterMode) {
    entries.push(['ConfigurationEndpoint', values.configuration ?? '']);
    entries.push(['ClusterMode', true]);
  } else {
    entries.push([keys.keyPrimary, values.primary ?? '']);
    entries.push([keys.keyReplicas, values.replicas.join(',')]);
  }
  entries.push(['Port', values.port]);
  entries.push(['Tls', values.tls]);
  if (values.environment !== undefined) entries.push(['Environment', values.environment]);
  if (values.authToken !== undefined) entries.push(['AuthToken', values.authToken]);
  return entries;
}

export function sectionPath(section: string): string[] {
  return section.split(':');
}

export function render(input: RenderInput): string {
  return merge('{}\n', input);
}

export function merge(existing: string, { values, keys }: RenderInput): string {
  const entries = sectionEntries(values, keys);
  const path = sectionPath(keys.section);
  let text = existing.trim() === '' ? '{}\n' : existing;
  for (const [key, value] of entries) text = setValue(text, [...path, key], value);
  // The other kind's keys, when an earlier run wrote them, are emptied rather than left stale.
  for (const [key, empty] of staleKeys(entries, keys)) {
    if (memberAt(text, [...path, key])) text = setValue(text, [...path, key], empty);
  }
  return text;
}

/** Keys that describe the group's shape (one pair per kind) that these entries do not write. */
function staleKeys(entries: [string, Scalar][], keys: KeySettings): [string, Scalar][] {
  const shape: [string, Scalar][] = [
    [keys.keyPrimary, ''],
    [keys.keyReplicas, ''],
    ['ConfigurationEndpoint', ''],
    ['ClusterMode', false],
  ];
  const written = new Set(entries.map(([key]) => key.toLowerCase()));
  return shape.filter(([key]) => !written.has(key.toLowerCase()));
}

/** The member at a path of objects, if the file has it. */
function memberAt(text: string, path: string[]): JsonMember | undefined {
  let object: JsonObject = topLevelObject(text);
  for (let depth = 0; depth < path.length; depth++) {
    const member = lastMember(object, path[depth]!);
    if (!member || depth === path.length - 1) return member;
    if (member.value.kind !== 'object') return undefined;
    object = member.value;
  }
  return undefined;
}

/** Throws ConfigParseError (naming the line) unless the text is a JSON object we can merge into. */
export function check(existing: string): void {
  if (existing.trim() !== '') topLevelObject(existing);
}

function topLevelObject(text: string): JsonObject {
  const root = parseJsonWithPositions(text);
  if (root.kind !== 'object') {
    const { line, column } = positionOf(text, root.start);
    throw new ConfigParseError('the top level must be a JSON object { … }', line, column);
  }
  return root;
}

/** Sets one scalar at a path of objects, creating the objects that are missing. */
export function setValue(text: string, path: string[], value: Scalar): string {
  let object: JsonObject = topLevelObject(text);
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth]!;
    const member = lastMember(object, key);
    const last = depth === path.length - 1;
    if (!member) {
      const nested = path.slice(depth + 1).reduceRight<unknown>((inner, name) => ({ [name]: inner }), value);
      return insertMember(text, object, key, nested);
    }
    if (last) return splice(text, member.value.start, member.value.end, JSON.stringify(value));
    if (member.value.kind !== 'object') {
      const { line, column } = positionOf(text, member.value.start);
      throw new ConfigParseError(
        `"${path.slice(0, depth + 1).join(':')}" is ${member.value.kind === 'array' ? 'an array' : `a ${member.value.kind}`}; expected an object to hold the settings`,
        line,
        column,
      );
    }
    object = member.value;
  }
  return text;
}

/** .NET configuration keys are case-insensitive, and the last duplicate wins. */
function lastMember(object: JsonObject, key: string): JsonMember | undefined {
  const wanted = key.toLowerCase();
  for (let i = object.members.length - 1; i >= 0; i--) {
    if (object.members[i]!.key.toLowerCase() === wanted) return object.members[i];
  }
  return undefined;
}

function insertMember(text: string, object: JsonObject, key: string, value: unknown): string {
  const nl = newlineOf(text);
  const unit = indentUnitOf(text);
  const objectIndent = lineIndentOf(text, object.start);
  const last = object.members[object.members.length - 1];

  if (!last) {
    // `{}` (possibly with blanks or comments inside): open it up over lines.
    const memberIndent = objectIndent + unit;
    const inside = text.slice(object.start + 1, object.end - 1);
    const body = `${nl}${memberIndent}${memberText(key, value, memberIndent, unit, nl)}`;
    if (inside.trim() === '') return splice(text, object.start + 1, object.end - 1, body + nl + objectIndent);
    // Keep comments that were inside: the member goes right before the closing brace.
    return splice(text, object.end - 1, object.end - 1, body + nl + objectIndent);
  }

  const memberIndent = indentBefore(text, last.keyStart);
  const afterValue = last.value.end;
  if (memberIndent === undefined) {
    // One-line object (`{ "a": 1 }`): stay on the line.
    const comma = object.trailingComma ? ' ' : ', ';
    const at = object.trailingComma ? text.indexOf(',', afterValue) + 1 : afterValue;
    return splice(text, at, at, `${comma}${memberText(key, value, '', '', '')}`);
  }
  // Multi-line: a comma after the last value (unless there is one), the new member on a
  // line of its own after the rest of that line (a trailing // comment stays where it was).
  const lineEnd = lineEndOf(text, afterValue);
  const restOfLine = text.slice(afterValue, lineEnd);
  const onlyTrivia = /^\s*,?\s*(\/\/.*|\/\*.*?\*\/\s*)?$/.test(restOfLine) && !restOfLine.includes('}');
  const newMember = `${nl}${memberIndent}${memberText(key, value, memberIndent, unit, nl)}`;
  if (onlyTrivia) {
    const withMember = splice(text, lineEnd, lineEnd, newMember + (object.trailingComma ? ',' : ''));
    return object.trailingComma ? withMember : splice(withMember, afterValue, afterValue, ',');
  }
  // Something else follows on the same line (e.g. the closing brace): insert right after the value.
  return splice(text, afterValue, afterValue, ',' + newMember);
}

/** `"key": value`, nested objects laid out with the file's indentation. */
function memberText(key: string, value: unknown, indent: string, unit: string, nl: string): string {
  return `${JSON.stringify(key)}: ${valueText(value, indent, unit, nl)}`;
}

function valueText(value: unknown, indent: string, unit: string, nl: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = indent + unit;
  const members = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${inner}${memberText(k, v, inner, unit, nl)}`,
  );
  if (nl === '') return `{ ${members.map((m) => m.trim()).join(', ')} }`;
  return `{${nl}${members.join(',' + nl)}${nl}${indent}}`;
}
