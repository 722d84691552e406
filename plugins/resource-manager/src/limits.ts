import { constants } from 'node:buffer';

/**
 * The longest string V8 can make: 2^29 − 24 = 536,870,888 UTF-16 code units on 64-bit Node 20
 * (`buffer.constants.MAX_STRING_LENGTH`). A JSON-RPC reply is one such string: the SDK's stdio framing
 * is `JSON.stringify(message) + "\n"`, its HTTP framing one `data:` line of the same JSON.
 */
export const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

/**
 * Kept for the rest of a reply around one content item: the JSON-RPC envelope, the URI (at most
 * `MAX_URI_LENGTH`, each character escaped to at most 6), the MIME type, the request id.
 */
const ENVELOPE_RESERVE = 1024 * 1024;

/**
 * The worst case of one content byte in that JSON string. A binary body grows to base64's 4/3 characters per
 * byte; a text body decoded from UTF-8 is at most one UTF-16 unit per byte, but JSON escapes a control character
 * as `\u00XX`: a (valid UTF-8, NUL-free, so "text") file of control characters is 6 characters per byte.
 */
const WORST_CHARACTERS_PER_BYTE = 6;

/**
 * The largest `maxFileBytes`/`maxResponseBytes` the options accept: 85 MiB (89,128,960 bytes), the round
 * figure under (MAX_STRING_LENGTH − 1 MiB) / 6 = 89,303,718. Any file up to it fits one reply whatever its
 * bytes; past it, a reply could fail with a raw V8 "Invalid string length" and no `reason`.
 */
export const MAX_CONTENT_BYTES = 85 * 1024 * 1024;

// The derivation, checked when the module loads (the figure above is a constant the README quotes).
if (MAX_CONTENT_BYTES * WORST_CHARACTERS_PER_BYTE + ENVELOPE_RESERVE > MAX_STRING_LENGTH) {
  throw new Error(`MAX_CONTENT_BYTES (${MAX_CONTENT_BYTES}) does not fit a V8 string of ${MAX_STRING_LENGTH} in the worst case`);
}

/**
 * A URI a source owns is refused as `invalid-uri` past this many characters. A file path is at most 4095
 * bytes on Linux (PATH_MAX), 12 KiB once every byte is percent-encoded; 16 KiB leaves room for the root
 * and for non-file prefixes, and keeps every URI we echo in an error small.
 */
export const MAX_URI_LENGTH = 16 * 1024;

/** Longest path (bytes, without the terminating NUL) and file name the kernel accepts (Linux PATH_MAX, NAME_MAX). */
export const MAX_PATH_BYTES = 4095;
export const MAX_NAME_BYTES = 255;
