/**
 * A small XML scanner that records where every element and attribute is, so the merge can
 * change one attribute value and leave every other byte alone. It understands what
 * web.config / App.config files contain: the declaration, comments, CDATA, processing
 * instructions, a DOCTYPE, both quote styles. Well-formedness is checked first by
 * fast-xml-parser's validator (errors name line and column); this scanner then only has
 * to find things, and still refuses anything it cannot place.
 */
import { XMLValidator } from 'fast-xml-parser';
import { ConfigParseError, parseErrorAt } from '../errors.js';

export interface XmlAttribute {
  name: string;
  /** Decoded value. */
  value: string;
  quote: '"' | "'";
  /** Offset of the attribute name. */
  start: number;
  /** Offsets of the raw value between the quotes. */
  valueStart: number;
  valueEnd: number;
  /** Just past the closing quote. */
  end: number;
}

export interface XmlElement {
  name: string;
  start: number;
  /** Just past the `>` of the start tag (or of `/>`). */
  openEnd: number;
  selfClosing: boolean;
  /** Offset of `</name>`; undefined when self-closing. */
  closeStart?: number;
  /** Just past the element. */
  end: number;
  attributes: XmlAttribute[];
  children: XmlElement[];
}

export function validateXml(text: string): void {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const result = XMLValidator.validate(body, { allowBooleanAttributes: false });
  if (result !== true) {
    throw new ConfigParseError(result.err.msg.replace(/\.$/, ''), result.err.line, result.err.col);
  }
}

/** The top-level element (validated first). */
export function scanXml(text: string): XmlElement {
  validateXml(text);
  const roots: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skipTo = (marker: string, from: number, what: string): number => {
    const at = text.indexOf(marker, from);
    if (at === -1) throw parseErrorAt(text, from, `${what} is never closed`);
    return at + marker.length;
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    checkReferences(text, i, lt === -1 ? text.length : lt);
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      i = skipTo('-->', lt + 4, 'a comment');
    } else if (text.startsWith('<![CDATA[', lt)) {
      i = skipTo(']]>', lt + 9, 'a CDATA section');
    } else if (text.startsWith('<?', lt)) {
      i = skipTo('?>', lt + 2, 'a processing instruction');
    } else if (text.startsWith('<!', lt)) {
      i = skipDeclaration(text, lt);
    } else if (text.startsWith('</', lt)) {
      const match = /^<\/([^\s>]+)\s*>/.exec(text.slice(lt, lt + 512));
      const open = stack.pop();
      if (!match || !open || match[1] !== open.name) throw parseErrorAt(text, lt, 'unexpected closing tag');
      open.closeStart = lt;
      open.end = lt + match[0].length;
      i = open.end;
    } else {
      const element = scanStartTag(text, lt);
      const parent = stack[stack.length - 1];
      (parent ? parent.children : roots).push(element);
      if (!element.selfClosing) stack.push(element);
      i = element.openEnd;
    }
  }
  if (stack.length > 0)
    throw parseErrorAt(text, stack[stack.length - 1]!.start, `<${stack[stack.length - 1]!.name}> is never closed`);
  if (roots.length !== 1) throw new ConfigParseError('expected exactly one root element');
  return roots[0]!;
}

function skipDeclaration(text: string, lt: number): number {
  // <!DOCTYPE …> may hold an internal subset in [ … ] with its own '>' characters.
  let depth = 0;
  for (let i = lt + 2; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close === -1) break;
      i = close;
    } else if (c === '>' && depth <= 0) return i + 1;
  }
  throw parseErrorAt(text, lt, 'a <! declaration is never closed');
}

function scanStartTag(text: string, lt: number): XmlElement {
  const nameMatch = /^<([^\s/>]+)/.exec(text.slice(lt, lt + 512));
  if (!nameMatch) throw parseErrorAt(text, lt, 'expected an element name after <');
  const attributes: XmlAttribute[] = [];
  let i = lt + nameMatch[0].length;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('/>', i)) {
      i += 2;
      return { name: nameMatch[1]!, start: lt, openEnd: i, selfClosing: true, end: i, attributes, children: [] };
    }
    if (text[i] === '>') {
      i += 1;
      return { name: nameMatch[1]!, start: lt, openEnd: i, selfClosing: false, end: i, attributes, children: [] };
    }
    const attr = /^([^\s=/>]+)\s*=\s*(["'])/.exec(text.slice(i, i + 512));
    if (!attr) throw parseErrorAt(text, i, 'expected an attribute name="value"');
    const quote = attr[2] as '"' | "'";
    const valueStart = i + attr[0].length;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd === -1) throw parseErrorAt(text, valueStart, 'an attribute value is never closed');
    checkReferences(text, valueStart, valueEnd);
    if (text.slice(valueStart, valueEnd).includes('<'))
      throw parseErrorAt(
        text,
        valueStart + text.slice(valueStart, valueEnd).indexOf('<'),
        "'<' is not allowed in an attribute value (write &lt;)",
      );
    attributes.push({
      name: attr[1]!,
      value: decodeXml(text.slice(valueStart, valueEnd)),
      quote,
      start: i,
      valueStart,
      valueEnd,
      end: valueEnd + 1,
    });
    i = valueEnd + 1;
  }
}

/** Every & must start a reference (the validator lets a bare & through). */
function checkReferences(text: string, from: number, to: number): void {
  for (let at = text.indexOf('&', from); at !== -1 && at < to; at = text.indexOf('&', at + 1)) {
    if (!/^&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/.test(text.slice(at, at + 16))) {
      throw parseErrorAt(text, at, "a bare '&' (write &amp;)");
    }
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXml(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return NAMED[entity] ?? all;
  });
}

/** An attribute value, escaped for the quote character around it (line breaks and tabs survive attribute normalisation). */
export function escapeXmlAttribute(value: string, quote: '"' | "'" = '"'): string {
  let out = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  out = out.replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
  return quote === '"' ? out.replace(/"/g, '&quot;') : out.replace(/'/g, '&apos;');
}

export function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}
