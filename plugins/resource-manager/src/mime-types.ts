/**
 * MIME types by file extension, and which of them are served as `text` rather than a base64 `blob`.
 * A short table of what shows up in documentation and code trees; anything else is sniffed at read time.
 */

const TYPES: Record<string, string> = {
  // text
  txt: 'text/plain', text: 'text/plain', log: 'text/plain', conf: 'text/plain', cfg: 'text/plain', ini: 'text/plain', env: 'text/plain',
  md: 'text/markdown', markdown: 'text/markdown', mdx: 'text/markdown', rst: 'text/x-rst', adoc: 'text/asciidoc', tex: 'text/x-tex',
  html: 'text/html', htm: 'text/html', css: 'text/css', csv: 'text/csv', tsv: 'text/tab-separated-values', ics: 'text/calendar',
  xml: 'application/xml', xsd: 'application/xml', xsl: 'application/xml', svg: 'image/svg+xml', rss: 'application/rss+xml', atom: 'application/atom+xml',
  json: 'application/json', jsonl: 'application/jsonl', ndjson: 'application/x-ndjson', map: 'application/json', webmanifest: 'application/manifest+json',
  yaml: 'application/yaml', yml: 'application/yaml', toml: 'application/toml',
  // code
  js: 'text/javascript', mjs: 'text/javascript', cjs: 'text/javascript', jsx: 'text/javascript',
  ts: 'text/x-typescript', mts: 'text/x-typescript', cts: 'text/x-typescript', tsx: 'text/x-typescript',
  py: 'text/x-python', rb: 'text/x-ruby', go: 'text/x-go', rs: 'text/x-rust', java: 'text/x-java', kt: 'text/x-kotlin', swift: 'text/x-swift',
  c: 'text/x-c', h: 'text/x-c', cc: 'text/x-c++', cpp: 'text/x-c++', hpp: 'text/x-c++', cs: 'text/x-csharp', php: 'text/x-php',
  sh: 'text/x-shellscript', bash: 'text/x-shellscript', zsh: 'text/x-shellscript', ps1: 'text/x-powershell', bat: 'text/x-bat',
  sql: 'application/sql', graphql: 'application/graphql', proto: 'text/x-protobuf', lua: 'text/x-lua', pl: 'text/x-perl',
  vue: 'text/x-vue', svelte: 'text/x-svelte', scss: 'text/x-scss', less: 'text/x-less', diff: 'text/x-diff', patch: 'text/x-diff',
  // binary
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', ico: 'image/x-icon', bmp: 'image/bmp', tif: 'image/tiff', tiff: 'image/tiff',
  pdf: 'application/pdf', zip: 'application/zip', gz: 'application/gzip', tgz: 'application/gzip', tar: 'application/x-tar', '7z': 'application/x-7z-compressed',
  wasm: 'application/wasm', bin: 'application/octet-stream', exe: 'application/octet-stream', dll: 'application/octet-stream', so: 'application/octet-stream',
  mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime',
  woff: 'font/woff', woff2: 'font/woff2', ttf: 'font/ttf', otf: 'font/otf',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  sqlite: 'application/vnd.sqlite3', db: 'application/octet-stream',
};

/** Extension-less names that are text by convention. */
const TEXT_NAMES = new Set(['readme', 'license', 'licence', 'copying', 'notice', 'authors', 'changelog', 'makefile', 'dockerfile', 'gemfile', 'procfile', 'rakefile', 'vagrantfile', 'codeowners']);

const TEXT_APPLICATION_TYPES = new Set([
  'application/json', 'application/jsonl', 'application/x-ndjson', 'application/xml', 'application/yaml', 'application/toml',
  'application/javascript', 'application/ecmascript', 'application/sql', 'application/graphql', 'application/x-sh', 'application/x-httpd-php',
]);

/** The MIME type of a file name, or `undefined` when its extension says nothing (sniff the content then). */
export function mimeTypeOf(fileName: string): string | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1).toLowerCase();
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return TEXT_NAMES.has(base) ? 'text/plain' : undefined;
  return TYPES[base.slice(dot + 1)] ?? (TEXT_NAMES.has(base.slice(0, dot)) ? 'text/plain' : undefined);
}

/** Whether content of this type is served as `text` (UTF-8) rather than a base64 `blob`. */
export function isTextMimeType(mimeType: string): boolean {
  const essence = mimeType.split(';', 1)[0]!.trim().toLowerCase();
  return essence.startsWith('text/') || TEXT_APPLICATION_TYPES.has(essence) || essence.endsWith('+json') || essence.endsWith('+xml');
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decode as UTF-8 if the bytes are valid UTF-8 without NUL bytes (text); otherwise `undefined` (binary). */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The resource contents for bytes of a (possibly unknown) type: `text` when it is text, base64 `blob` otherwise. */
export function resourceContents(uri: string, bytes: Uint8Array, mimeType: string | undefined): { uri: string; mimeType: string; text: string } | { uri: string; mimeType: string; blob: string } {
  if (mimeType === undefined || isTextMimeType(mimeType)) {
    const text = decodeText(bytes);
    if (text !== undefined) return { uri, mimeType: mimeType ?? 'text/plain', text };
  }
  return { uri, mimeType: mimeType ?? 'application/octet-stream', blob: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}
