// The backend for websocket-ingest.bench.mjs, in a process of its own so that it does not share the event loop
// with the clients being measured. A raw TCP WebSocket server on 127.0.0.1:0 (prints the port on stdout): it
// completes the opening handshake itself and writes pre-built frames straight to the socket, so it costs
// next to nothing per message and the client side is what gets measured.
// A client sends `go <count> <bytes>`; the server pushes <count> text messages of <bytes> bytes as fast as
// the socket takes them (honouring backpressure), then `done`.
// Exits when its stdin closes (the bench ends) or after a hard cap, whichever comes first.
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';

const HARD_CAP_MS = 10 * 60_000;
const CHUNK_BYTES = 1 << 20;
const MAX_COUNT = 10_000_000;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked text frame (server to client frames are never masked). */
function textFrame(payload) {
  const body = Buffer.from(payload);
  const header = body.length < 126 ? Buffer.from([0x81, body.length]) : Buffer.from([0x81, 126, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([header, body]);
}

/** The payload of the first complete masked client frame in `buffer`, or undefined. */
function readClientFrame(buffer) {
  if (buffer.length < 2) return undefined;
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  }
  if (buffer.length < offset + 4 + length) return undefined;
  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
  for (let index = 0; index < payload.length; index++) payload[index] ^= mask[index & 3];
  return { opcode: buffer[0] & 0x0f, payload: payload.toString() };
}

async function push(socket, count, bytes) {
  const frame = textFrame('m'.repeat(bytes));
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / frame.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => frame));
  for (let sent = 0; sent < count && !socket.destroyed; ) {
    const frames = Math.min(perChunk, count - sent);
    const ok = socket.write(frames === perChunk ? chunk : chunk.subarray(0, frames * frame.length));
    sent += frames;
    if (!ok) {
      await new Promise((resolve) => {
        const done = () => {
          socket.off('drain', done).off('close', done);
          resolve();
        };
        socket.on('drain', done).on('close', done);
      });
    }
  }
  if (!socket.destroyed) socket.write(textFrame('done'));
}

const sockets = new Set();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
  let buffered = Buffer.alloc(0);
  let upgraded = false;
  socket.on('data', (data) => {
    buffered = Buffer.concat([buffered, data]);
    if (!upgraded) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const request = buffered.subarray(0, end).toString('latin1');
      buffered = buffered.subarray(end + 4);
      const key = /^sec-websocket-key:\s*(.+)$/im.exec(request)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      upgraded = true;
    }
    for (let frame = readClientFrame(buffered); frame; frame = readClientFrame(buffered)) {
      const headerLength = (buffered[1] & 0x7f) === 126 ? 8 : 6;
      buffered = buffered.subarray(headerLength + Buffer.byteLength(frame.payload));
      if (frame.opcode === 0x8) {
        // Close: answer it and end the connection, as a well-behaved backend does.
        socket.end(Buffer.from([0x88, 0]));
        return;
      }
      if (frame.opcode === 0x9) {
        socket.write(Buffer.from([0x8a, 0]));
        continue;
      }
      const [command, countText, bytesText] = frame.payload.split(' ');
      if (command === 'go') void push(socket, Math.min(MAX_COUNT, Number(countText)), Math.max(1, Math.min(65_535, Number(bytesText))));
    }
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));

const exit = () => {
  for (const socket of sockets) socket.destroy();
  server.close();
  process.exit(0);
};
process.stdin.on('end', exit).on('close', exit).resume();
setTimeout(exit, HARD_CAP_MS).unref();
