/**
 * The walkthrough's `<appSettings>` (web.config / App.config):
 *
 *   <appSettings>
 *     <add key="MasterNodes" value="primary:6379" />
 *     <add key="SlaveNodes" value="replica1:6379,replica2:6379" />
 *   </appSettings>
 *
 * With TLS each host:port gets `?ssl=true`, the connection-string form ServiceStack.Redis
 * reads. Merging into an existing file changes only the `value` of the owned
 * `<add key=…>` entries inside `<configuration><appSettings>` (or adds the entries, or the
 * section, with the file's own indentation); every other byte stays. Keys are matched
 * case-insensitively and the last duplicate wins, as .NET's appSettings does.
 */
import { CliError, UsageError } from '../../errors.js';
import { ConfigParseError, positionOf } from '../errors.js';
import type { EndpointValues } from '../values.js';
import { attribute, escapeXmlAttribute, scanXml, type XmlElement } from './xml-scanner.js';
import { indentBefore, indentUnitOf, lineEndOf, lineIndentOf, lineStartOf, newlineOf, splice } from './text-edit.js';
import type { KeySettings, RenderInput } from './types.js';

/** The formats that describe a cluster-mode-enabled group or a serverless cache. */
const CLUSTER_FORMATS = 'appsettings-json, stackexchange, url, dotenv, shell, github or json';

/**
 * ServiceStack.Redis's PooledRedisClientManager takes MasterNodes/SlaveNodes and has no
 * cluster client: a config naming one node of a cluster (or a serverless cache's endpoint,
 * which answers MOVED like a cluster) would send most keys to the wrong place, so nothing
 * is written. The one refusal for every cluster-protocol topology: one line, exit 2.
 */
export function refuseClusterProtocol(values: EndpointValues, keys: KeySettings): void {
  if (!values.clusterMode) return;
  const what =
    values.kind === 'serverless'
      ? `it is a serverless cache, which speaks only the cluster protocol`
      : 'it is cluster-mode enabled';
  throw new UsageError(
    `--format appsettings-xml cannot describe ${values.replicationGroupId}: ${what} and ServiceStack.Redis (${keys.keyPrimary}/${keys.keyReplicas}) has no cluster support; ` +
      `use --format ${CLUSTER_FORMATS} (they carry the ${values.kind === 'serverless' ? 'endpoint' : 'configuration endpoint'} ${values.configuration ?? ''} for a cluster-aware client)`,
  );
}

export function appSettingsEntries(values: EndpointValues, keys: KeySettings): [string, string][] {
  refuseClusterProtocol(values, keys);
  const hostPort = (value: string) => (values.tls ? `${value}?ssl=true` : value);
  const entries: [string, string][] = [
    [keys.keyPrimary, values.primary ? hostPort(values.primary) : ''],
    [keys.keyReplicas, values.replicas.map(hostPort).join(',')],
  ];
  if (values.environment !== undefined) entries.push(['Environment', values.environment]);
  if (values.authToken !== undefined) entries.push(['AuthToken', values.authToken]);
  return entries;
}

interface AddStyle {
  quote: '"' | "'";
  /** ' />' or '/>' */
  close: string;
}

const DEFAULT_STYLE: AddStyle = { quote: '"', close: ' />' };

function addText(key: string, value: string, style: AddStyle): string {
  const q = style.quote;
  return `<add key=${q}${escapeXmlAttribute(key, q)}${q} value=${q}${escapeXmlAttribute(value, q)}${q}${style.close}`;
}

function block(entries: [string, string][], indent: string, unit: string, nl: string, style = DEFAULT_STYLE): string {
  const adds = entries.map(([key, value]) => `${indent}${unit}${addText(key, value, style)}`);
  return `<appSettings>${nl}${adds.join(nl)}${nl}${indent}</appSettings>`;
}

/** What stdout shows: the block to paste into web.config. */
export function renderSnippet({ values, keys }: RenderInput): string {
  return block(appSettingsEntries(values, keys), '', '  ', '\n') + '\n';
}

/** A new App.config / web.config holding just the settings. */
export function render({ values, keys }: RenderInput): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  ${block(appSettingsEntries(values, keys), '  ', '  ', '\n')}\n</configuration>\n`;
}

export function merge(existing: string, input: RenderInput): string {
  const entries = appSettingsEntries(input.values, input.keys);
  if (existing.trim() === '') return render(input);
  let text = existing;
  for (const [key, value] of entries) text = setAppSetting(text, key, value);
  return text;
}

/** Throws ConfigParseError (naming the line) unless the text is a config file we can merge into. */
export function check(existing: string): void {
  if (existing.trim() !== '') configurationRoot(existing);
}

function configurationRoot(text: string): XmlElement {
  const root = scanXml(text);
  if (root.name !== 'configuration') {
    const { line, column } = positionOf(text, root.start);
    throw new ConfigParseError(
      `the root element is <${root.name}>; a .NET config file has <configuration>`,
      line,
      column,
    );
  }
  return root;
}

/** Sets one `<add key value>` (one edit, then the caller rescans: files are small). */
export function setAppSetting(text: string, key: string, value: string): string {
  const root = configurationRoot(text);
  if (root.selfClosing) return setAppSetting(openUp(text, root), key, value);
  const appSettings = root.children.find((child) => child.name === 'appSettings');
  const nl = newlineOf(text);
  const unit = indentUnitOf(text);
  if (!appSettings) {
    return insertChild(text, root, (indent) => block([[key, value]], indent, unit, nl), unit);
  }
  const source = attribute(appSettings, 'configSource');
  if (source) {
    throw new CliError(
      `<appSettings> here is read from ${source.value} (configSource): write there instead (--out ${source.value})`,
    );
  }
  if (appSettings.selfClosing) return setAppSetting(openUp(text, appSettings), key, value);

  const adds = appSettings.children.filter((child) => child.name === 'add');
  const wanted = key.toLowerCase();
  const existing = adds.filter((add) => attribute(add, 'key')?.value.toLowerCase() === wanted).pop();
  if (existing) {
    const valueAttribute = attribute(existing, 'value');
    if (valueAttribute) {
      return splice(
        text,
        valueAttribute.valueStart,
        valueAttribute.valueEnd,
        escapeXmlAttribute(value, valueAttribute.quote),
      );
    }
    const keyAttribute = attribute(existing, 'key')!;
    const q = keyAttribute.quote;
    return splice(text, keyAttribute.end, keyAttribute.end, ` value=${q}${escapeXmlAttribute(value, q)}${q}`);
  }
  const style = styleOf(text, adds[adds.length - 1]);
  return insertChild(text, appSettings, () => addText(key, value, style), unit);
}

/** Quote and `/>` spacing of the existing entries, so added ones look like their neighbours. */
function styleOf(text: string, add: XmlElement | undefined): AddStyle {
  if (!add) return DEFAULT_STYLE;
  const tag = text.slice(add.start, add.openEnd);
  return { quote: add.attributes[0]?.quote ?? '"', close: add.selfClosing && !tag.endsWith(' />') ? '/>' : ' />' };
}

/** `<x a="1"/>` → `<x a="1">` + newline + `</x>`, so children can go inside. */
function openUp(text: string, element: XmlElement): string {
  const tag = text.slice(element.start, element.openEnd).replace(/\s*\/>$/, '>');
  return splice(
    text,
    element.start,
    element.openEnd,
    `${tag}${newlineOf(text)}${lineIndentOf(text, element.start)}</${element.name}>`,
  );
}

/** Adds a child element after the last one, on its own line, indented like its siblings. */
function insertChild(text: string, parent: XmlElement, child: (indent: string) => string, unit: string): string {
  const nl = newlineOf(text);
  const parentIndent = lineIndentOf(text, parent.start);
  const last = parent.children[parent.children.length - 1];
  const siblingIndent = last ? indentBefore(text, last.start) : undefined;
  const indent = siblingIndent ?? parentIndent + unit;
  if (last) {
    const lineEnd = lineEndOf(text, last.end);
    const rest = text.slice(last.end, lineEnd);
    // A comment trailing the last sibling on its line stays with it.
    const at = /^\s*(<!--.*?-->\s*)*$/.test(rest) && siblingIndent !== undefined ? lineEnd : last.end;
    return splice(text, at, at, `${nl}${indent}${child(indent)}`);
  }
  const close = parent.closeStart!;
  if (indentBefore(text, close) !== undefined) {
    const lineStart = lineStartOf(text, close);
    return splice(text, lineStart, lineStart, `${indent}${child(indent)}${nl}`);
  }
  return splice(text, close, close, `${nl}${indent}${child(indent)}${nl}${parentIndent}`);
}
