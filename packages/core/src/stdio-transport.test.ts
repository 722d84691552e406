import { PassThrough } from 'node:stream';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { expect, onTestFinished, test } from 'vitest';
import { StdioTransport, type StdioTransportOptions } from './stdio-transport.js';

/** A transport on real streams: what the client writes goes to `stdin`, what the host sends is collected from `stdout`. */
async function openTransport(options: Partial<StdioTransportOptions> = {}) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const received: JSONRPCMessage[] = [];
  const badLines: string[] = [];
  let closedWhy: string | undefined;
  const transport = new StdioTransport({
    stdin,
    stdout,
    write: (chunk, callback) => stdout.write(chunk, callback),
    onInputClosed: (why) => (closedWhy = why),
    onOutputClosed: () => {},
    onBadLine: (message) => badLines.push(message),
    ...options,
  });
  transport.onmessage = (message) => received.push(message);
  await transport.start();
  onTestFinished(() => transport.close());
  const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const replies = () =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line));
  return { transport, stdin, stdout, received, badLines, closed: () => closedWhy, waitFor, replies };
}

const ping = (id: number) => `${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\n`;

test('messages split across chunks and several per chunk are framed one per line', async () => {
  const io = await openTransport();
  const text = ping(1) + ping(2) + ping(3);
  for (let at = 0; at < text.length; at += 7) io.stdin.write(text.slice(at, at + 7));
  await io.waitFor(() => io.received.length === 3, 'three messages');
  expect(io.received.map((message) => (message as { id: number }).id)).toEqual([1, 2, 3]);
});

test('a 70 MB line without a newline is dropped and stdin EOF is still seen at once (framing is linear)', async () => {
  const io = await openTransport();
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  for (let i = 0; i < 70; i++) io.stdin.write(chunk);
  io.stdin.end();
  // The old framing re-concatenated the whole buffer per chunk: ~30 s here before EOF surfaced.
  await io.waitFor(() => io.closed() !== undefined, 'stdin EOF to be reported', 8000);
  expect(io.badLines.some((line) => /over \d+ bytes/.test(line))).toBe(true);
});

test('after an oversized line is dropped its tail is discarded up to the newline, and the client gets -32700 with id null', async () => {
  const io = await openTransport({ maxLineBytes: 1024 });
  io.stdin.write('x'.repeat(2000));
  await io.waitFor(() => io.badLines.length > 0, 'the drop to be reported');
  // The tail of the dropped line looks like a message: it must not be taken for one.
  io.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 66, method: 'ping' })}\n`);
  io.stdin.write(ping(7));
  await io.waitFor(() => io.received.length === 1, 'the next message');
  expect(io.received).toEqual([{ jsonrpc: '2.0', id: 7, method: 'ping' }]);
  await io.waitFor(() => io.replies().length === 1, 'the error reply');
  expect(io.replies()).toEqual([{ jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/over 1024 bytes/) } }]);
});

test('an oversized line that ends within one chunk is dropped too, and what follows it is read', async () => {
  const io = await openTransport({ maxLineBytes: 64 });
  io.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x'.repeat(100) } })}\n${ping(2)}`);
  await io.waitFor(() => io.received.length === 1 && io.replies().length === 1, 'the next message and the error');
  expect(io.received).toEqual([{ jsonrpc: '2.0', id: 2, method: 'ping' }]);
  expect(io.replies()[0]).toMatchObject({ id: null, error: { code: -32700 } });
});

test('a request with an id but an invalid shape gets -32600 with its id; a line that is not JSON gets -32700 with id null', async () => {
  const io = await openTransport();
  io.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: 'x' })}\n`);
  io.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'abc', method: 42 })}\n`);
  io.stdin.write('{"jsonrpc": "2.0", "id": 4, \n');
  // A notification (no id) with a bad shape is never answered.
  io.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/x', params: 'x' })}\n`);
  io.stdin.write(ping(5));
  await io.waitFor(() => io.received.length === 1, 'the valid request');
  await io.waitFor(() => io.replies().length === 3, 'three error replies');
  expect(io.replies()).toEqual([
    { jsonrpc: '2.0', id: 3, error: { code: -32600, message: expect.stringMatching(/Invalid Request/) } },
    { jsonrpc: '2.0', id: 'abc', error: { code: -32600, message: expect.stringMatching(/Invalid Request/) } },
    { jsonrpc: '2.0', id: null, error: { code: -32700, message: expect.stringMatching(/Parse error/) } },
  ]);
  expect(io.received).toEqual([{ jsonrpc: '2.0', id: 5, method: 'ping' }]);
});

test('held input is framed in order when replies sent from inside a message release it (no re-entrant framing)', async () => {
  const io = await openTransport({ maxRequestsInFlight: 2 });
  // Requests 1 and 2 stay unanswered, so what follows is held; every later one is answered at once, from inside
  // onmessage, as a refusal during shutdown is.
  io.transport.onmessage = (message) => {
    io.received.push(message);
    const id = (message as { id: number }).id;
    if (id > 2) void io.transport.send({ jsonrpc: '2.0', id, result: {} });
  };
  // Two lines per chunk: a re-entrant framing would take the next chunk before the second line of this one.
  for (let id = 1; id <= 40; id += 2) io.stdin.write(ping(id) + ping(id + 1));
  await io.waitFor(() => io.received.length === 2, 'the first two');
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(io.received).toHaveLength(2);
  void io.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
  void io.transport.send({ jsonrpc: '2.0', id: 2, result: {} });
  await io.waitFor(() => io.received.length === 40, 'every message');
  expect(io.received.map((message) => (message as { id: number }).id)).toEqual(Array.from({ length: 40 }, (_, n) => n + 1));
});
