/**
 * The save body decoding of MagicResourceController.saveFile (core/web/MagicResourceController.java:76-78):
 * the body is read as UTF-8 and passed through ROT13Utils.decrypt (utils/ROT13Utils.java:50-57), which strips
 * one leading and one trailing `"`, applies ROT13 to ASCII letters, then Base64-decodes with
 * java.util.Base64.getDecoder() — and on ANY failure returns the body unchanged. That fallback is why a plain
 * JSON body also saves: `{` is not a Base64 character, so decoding throws and the text is used as it came.
 * The editor encodes the other way round (ROT13Utils.encrypt, lines 35-42): Base64 first, then ROT13.
 */

export function rot13(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 97 && code <= 122) out += String.fromCharCode(((code - 97 + 13) % 26) + 97);
    else if (code >= 65 && code <= 90) out += String.fromCharCode(((code - 65 + 13) % 26) + 65);
    else out += ch;
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * java.util.Base64.getDecoder().decode, which is strict where Node's Buffer is lenient: any character outside
 * the alphabet (whitespace included), a lone trailing character, `=` in the wrong place, or anything after the
 * padding throws IllegalArgumentException. Padding itself is optional. Returns undefined where Java throws.
 */
export function javaBase64Decode(text: string): Buffer | undefined {
  const bytes: number[] = [];
  let bits = 0;
  let shift = 18;
  let pos = 0;
  while (pos < text.length) {
    const ch = text[pos++] as string;
    if (ch === '=') {
      // "xx=" must be followed by a second "=", and a "=" may not start a unit (Base64.Decoder#decode0).
      if ((shift === 6 && (pos === text.length || text[pos++] !== '=')) || shift === 18) return undefined;
      break;
    }
    const value = ALPHABET.indexOf(ch);
    if (value < 0) return undefined;
    bits |= value << shift;
    shift -= 6;
    if (shift < 0) {
      bytes.push((bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff);
      shift = 18;
      bits = 0;
    }
  }
  if (shift === 6) bytes.push((bits >> 16) & 0xff);
  else if (shift === 0) bytes.push((bits >> 16) & 0xff, (bits >> 8) & 0xff);
  else if (shift === 12) return undefined; // a dangling single character
  if (pos < text.length) return undefined; // anything after the padding
  return Buffer.from(bytes);
}

/** ROT13Utils.decrypt: the decoded text, or the input itself where Java's decoding throws. */
export function decryptSaveBody(body: string): string {
  // Java's `$` also matches before a final line terminator, so `"…"\n` loses its closing quote too.
  const unquoted = body.replace(/^"/, '').replace(/"(?=(?:\r\n|[\n\r\u0085\u2028\u2029])?$)/, '');
  const decoded = javaBase64Decode(rot13(unquoted));
  // `new String(bytes)` with the platform charset (UTF-8 on the servers we model): invalid sequences become U+FFFD.
  return decoded === undefined ? body : decoded.toString('utf8');
}

/** What the editor sends (ROT13Utils.encrypt): Base64 of the UTF-8 text, then ROT13. */
export function encryptSaveBody(text: string): string {
  return rot13(Buffer.from(text, 'utf8').toString('base64'));
}
