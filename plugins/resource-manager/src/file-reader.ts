import { constants } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { refusal } from './resource-error.js';

const CHUNK_BYTES = 64 * 1024;
// O_NONBLOCK: a FIFO swapped in after the checks must not block a thread-pool thread in open().
// O_NOFOLLOW: nor may a symlink swapped in for the last component be followed.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface BoundedReadOptions {
  maxBytes: number;
  signal: AbortSignal;
  /** For error messages. */
  source: string;
  uri: string;
  /** The refusal to throw when `signal` aborts. */
  onAbort(): Error;
}

/**
 * Read a regular file whose real path was already proven to be inside its root, without trusting that the
 * path still means the same file: after opening, the descriptor must be a regular file, the real path must
 * still resolve to itself and name the same inode (a component swapped for a symlink between the check and
 * the open is caught). Reads at most `maxBytes`: a file that grew past it is refused, not truncated.
 */
export async function readFileBounded(realPath: string, options: BoundedReadOptions): Promise<Buffer> {
  const { maxBytes, signal, source, uri } = options;
  const data = { source, uri };
  if (signal.aborted) throw options.onAbort();
  let handle: FileHandle;
  try {
    handle = await open(realPath, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw refusal('not-found', `${uri}: no such file in source "${source}"`, data);
    if (code === 'ELOOP') throw refusal('symlink-escape', `${uri}: the file became a symbolic link while being opened`, data);
    // A UNIX socket cannot be opened at all (ENXIO); what is no regular file is refused as one, as the table says.
    if (code === 'ENXIO' || code === 'EISDIR') throw refusal('not-a-file', `${uri} is not a regular file`, data);
    throw refusal('unreadable', `${uri}: cannot open (${code ?? 'error'})`, { ...data, errno: code });
  }
  try {
    // Three checks at once (one thread-pool round trip instead of three in a row: reads are a hot path).
    const [opened, again, current] = await Promise.all([handle.stat(), realpath(realPath).catch(() => undefined), stat(realPath).catch(() => undefined)]);
    if (!opened.isFile()) throw refusal('not-a-file', `${uri} is not a regular file`, data);
    if (opened.size > maxBytes) throw tooLarge(opened.size, maxBytes, data);
    if (again !== realPath || current?.ino !== opened.ino || current?.dev !== opened.dev) {
      throw refusal('symlink-escape', `${uri}: the path changed while being opened`, data);
    }
    // One read for the common case (size known, file not growing); more only if it grew.
    const chunks: Buffer[] = [];
    let total = 0;
    let want = Math.min(opened.size, maxBytes) + 1;
    for (;;) {
      if (signal.aborted) throw options.onAbort();
      const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(want, CHUNK_BYTES * 16)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, total);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(total, maxBytes, data);
      // A short read of a regular file means end of file.
      if (bytesRead < buffer.length) break;
      want = CHUNK_BYTES;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EAGAIN') throw refusal('not-a-file', `${uri} is not a regular file`, data);
    throw error;
  } finally {
    await handle.close().catch(() => {});
  }
}

function tooLarge(size: number, maxBytes: number, data: { source: string; uri: string }): Error {
  return refusal('too-large', `${data.uri} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} maxFileBytes of source "${data.source}"`, { ...data, size, maxFileBytes: maxBytes });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
