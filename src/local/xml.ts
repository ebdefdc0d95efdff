/**
 * A small escaping XML writer for API responses. Values are plain trees so handlers can
 * describe a response as data; `undefined` members are left out, as AWS leaves out unset fields.
 */

export type XmlScalar = string | number | boolean | Date;
/** A child element: its name and its content (a scalar, nested children, or nothing). */
export type XmlNode = readonly [name: string, value: XmlValue];
export type XmlValue = XmlScalar | readonly (XmlNode | undefined)[] | undefined | null;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function scalarText(value: XmlScalar): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Serialises one element. Empty lists render as an empty element (`<NodeGroups/>`), as AWS does. */
export function renderElement(name: string, value: XmlValue, attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([key, text]) => ` ${key}="${escapeXml(text)}"`)
    .join('');
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const inner = (value as readonly (XmlNode | undefined)[])
      .filter((child): child is XmlNode => child !== undefined)
      .map(([childName, childValue]) => renderElement(childName, childValue))
      .join('');
    return inner === '' ? `<${name}${attrs}/>` : `<${name}${attrs}>${inner}</${name}>`;
  }
  return `<${name}${attrs}>${escapeXml(scalarText(value as XmlScalar))}</${name}>`;
}

/** A list element whose items each render as `<memberName>…</memberName>`. */
export function xmlList<T>(
  name: string,
  memberName: string,
  items: readonly T[] | undefined,
  render: (item: T) => XmlValue,
): XmlNode | undefined {
  if (items === undefined) return undefined;
  return [name, items.map((item) => [memberName, render(item)] as XmlNode)];
}

export function xmlDocument(rootName: string, value: XmlValue, attributes: Record<string, string> = {}): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + renderElement(rootName, value, attributes);
}

/** Children of an element; undefined entries (unset optional members) are skipped. */
export type XmlNodes = (XmlNode | undefined)[];
