import { DOMParser } from '@xmldom/xmldom';
import type { SamlRefusal } from './types.ts';

type Screened<T> = { ok: true; value: T } | { ok: false; reason: SamlRefusal; detail: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a base64 form field strictly: Buffer.from(…, 'base64') skips bad characters silently, so a
 * mangled message would otherwise reach the parser as something else. Line breaks are allowed
 * because some IdPs wrap the field at 76 columns.
 */
export function decodeBase64Strict(b64: string, maxBytes: number): Screened<Buffer> {
  const compact = b64.replace(/[\r\n\t ]/g, '');
  // Checked before decoding, so an oversized field costs no allocation.
  if (Math.floor(compact.length / 4) * 3 > maxBytes + 2) return { ok: false, reason: 'too_large', detail: `more than ${maxBytes} bytes` };
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) {
    return { ok: false, reason: 'malformed', detail: 'not valid base64' };
  }
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) return { ok: false, reason: 'too_large', detail: `${bytes.length} bytes, more than ${maxBytes}` };
  return { ok: true, value: bytes };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Screens XML text before any parser sees it. A DOCTYPE brings entities (billion laughs, external
 * entities) and nothing legitimate in SAML needs one; processing instructions have no place in a
 * protocol message either, apart from the leading XML declaration. The checks are on the raw text,
 * so they hold whatever the parser would have done; a "<!DOCTYPE" inside CDATA is refused too,
 * which fails closed.
 */
export function screenXmlText(bytes: Uint8Array | string): Screened<string> {
  let text: string;
  try {
    text = typeof bytes === 'string' ? bytes : utf8.decode(bytes);
  } catch {
    return { ok: false, reason: 'malformed', detail: 'not UTF-8' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!DOCTYPE/i.test(text)) return { ok: false, reason: 'unsafe_xml', detail: 'DOCTYPE is not allowed' };
  if (/<!ENTITY/i.test(text)) return { ok: false, reason: 'unsafe_xml', detail: 'entity declarations are not allowed' };
  const declaration = /^<\?xml\s[^?]*\?>/.exec(text);
  const rest = declaration ? text.slice(declaration[0].length) : text;
  if (rest.includes('<?')) return { ok: false, reason: 'unsafe_xml', detail: 'processing instructions are not allowed' };
  return { ok: true, value: text };
}

/**
 * Parses screened text with xmldom, treating its warnings as errors: xmldom 0.8 recovers from
 * unclosed tags and a second root element with only a warning, and a recovered document is not the
 * one the IdP signed.
 */
export function parseXmlStrictly(text: string): Screened<{ doc: Document; root: Element }> {
  const problems: string[] = [];
  const record = (message: string) => {
    problems.push(message.replace(/\s+/g, ' ').trim());
  };
  let doc: Document;
  try {
    doc = new DOMParser({ errorHandler: { warning: record, error: record, fatalError: record } }).parseFromString(text, 'text/xml');
  } catch (error) {
    return { ok: false, reason: 'malformed', detail: `XML does not parse: ${(error as Error).message}` };
  }
  if (problems.length > 0) return { ok: false, reason: 'malformed', detail: `XML does not parse: ${problems[0]}` };
  let root: Element | undefined;
  for (let node = doc.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE) {
      if (root) return { ok: false, reason: 'malformed', detail: 'more than one root element' };
      root = node as Element;
    } else if (node.nodeType === node.TEXT_NODE) {
      if ((node.nodeValue ?? '').trim() !== '') return { ok: false, reason: 'malformed', detail: 'text outside the root element' };
    } else if (node.nodeType === node.COMMENT_NODE) {
      continue;
    } else if (!(node.nodeType === node.PROCESSING_INSTRUCTION_NODE && node.nodeName === 'xml')) {
      return { ok: false, reason: 'unsafe_xml', detail: `unexpected ${node.nodeName} outside the root element` };
    }
  }
  if (!root) return { ok: false, reason: 'malformed', detail: 'no root element' };
  return { ok: true, value: { doc, root } };
}
