// The body of `POST {web}/resource/file/{type}/save`, as the web editor sends it. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api at v2.2.2.

/** ROT13 of the ASCII letters; every other character as it is. */
function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (letter) => {
    const base = letter <= 'Z' ? 65 : 97;
    return String.fromCharCode(((letter.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/**
 * The editor's encoding of a saved entity (`ROT13Utils.encrypt`, utils/ROT13Utils.java:35-42): Base64 of the UTF-8
 * JSON, then ROT13. The server reverses it (`ROT13Utils.decrypt`, lines 50-57, called by
 * `MagicResourceController#saveFile`) and falls back to the body as it came when that fails — which is why plain
 * JSON saves too. We send what the editor sends, so a server behaves for us as it does for its own editor.
 */
export function encodeSaveBody(entity: Record<string, unknown>): string {
  return rot13(Buffer.from(JSON.stringify(entity), 'utf8').toString('base64'));
}
