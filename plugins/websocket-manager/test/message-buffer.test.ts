import { expect, test } from 'vitest';
import { MessageBuffer, backoffDelay, createJsonProtocol, createTextProtocol, parseTimeExpression, pluginOptions } from '../src/index.js';
import { ReceivedMessage } from '../src/received-message.js';

function filled(times: number[], type = (index: number) => (index % 2 === 0 ? 'even' : 'odd')): MessageBuffer {
  const buffer = new MessageBuffer(100);
  times.forEach((time, index) => buffer.push({ type: type(index), data: index }, time));
  return buffer;
}

test('a full buffer drops the oldest message; sequence numbers keep counting', () => {
  const buffer = new MessageBuffer(3);
  for (let index = 0; index < 10; index++) buffer.push({ type: 'text', data: index }, 1000 + index);
  expect(buffer.size).toBe(3);
  expect(buffer.total).toBe(10);
  expect(buffer.dropped).toBe(7);
  expect(buffer.query().map((message) => [message.seq, message.data])).toEqual([
    [8, 7],
    [9, 8],
    [10, 9],
  ]);
  expect(buffer.newest()?.seq).toBe(10);
});

test('memory stays bounded: a million messages into a 500-slot buffer keep 500', () => {
  const buffer = new MessageBuffer(500);
  for (let index = 0; index < 1_000_000; index++) buffer.push({ type: 'text', data: 'line' });
  expect(buffer.size).toBe(500);
  expect(buffer.at(0)?.seq).toBe(999_501);
});

test('limit keeps the newest, oldest first', () => {
  const buffer = filled([10, 20, 30, 40, 50]);
  expect(buffer.query({ limit: 2 }).map((message) => message.data)).toEqual([3, 4]);
  expect(buffer.query({ limit: 0 })).toEqual([]);
});

test('since and until are inclusive bounds', () => {
  const buffer = filled([10, 20, 30, 40, 50]);
  expect(buffer.query({ since: 20, until: 40 }).map((message) => message.receivedAt)).toEqual([20, 30, 40]);
  expect(buffer.query({ since: 21 }).map((message) => message.receivedAt)).toEqual([30, 40, 50]);
  expect(buffer.query({ until: 9 })).toEqual([]);
  expect(buffer.query({ since: 60 })).toEqual([]);
});

test('around takes the window and, when limit cuts, the messages nearest to the moment', () => {
  const buffer = filled([10, 20, 30, 40, 50, 60, 70]);
  expect(buffer.query({ around: 40, windowMs: 10 }).map((message) => message.receivedAt)).toEqual([30, 40, 50]);
  expect(buffer.query({ around: 42, windowMs: 100, limit: 3 }).map((message) => message.receivedAt)).toEqual([30, 40, 50]);
  expect(buffer.query({ around: 58, windowMs: 100, limit: 2 }).map((message) => message.receivedAt)).toEqual([50, 60]);
  expect(buffer.query({ around: 1000, windowMs: 5 })).toEqual([]);
});

test('type filters case-insensitively and combines with time and limit', () => {
  const buffer = filled([10, 20, 30, 40, 50, 60]);
  expect(buffer.query({ type: 'EVEN' }).map((message) => message.data)).toEqual([0, 2, 4]);
  expect(buffer.query({ type: 'odd', since: 25, limit: 1 }).map((message) => message.data)).toEqual([5]);
  expect(buffer.query({ type: 'odd', around: 30, windowMs: 15, limit: 1 }).map((message) => message.data)).toEqual([1]);
  expect(buffer.query({ type: 'none' })).toEqual([]);
});

test('receive times never go backwards, so a clock stepping back does not break time queries', () => {
  const buffer = new MessageBuffer(10);
  buffer.push({ type: 'text', data: 'a' }, 100);
  buffer.push({ type: 'text', data: 'b' }, 50);
  expect(buffer.query().map((message) => message.receivedAt)).toEqual([100, 100]);
  expect(buffer.query({ since: 100 })).toHaveLength(2);
});

test('time queries stay right after the ring wrapped', () => {
  const buffer = new MessageBuffer(4);
  for (let index = 0; index < 9; index++) buffer.push({ type: 'text', data: index }, index * 10);
  // Held: 50, 60, 70, 80.
  expect(buffer.query({ since: 55, until: 75 }).map((message) => message.data)).toEqual([6, 7]);
  expect(buffer.query({ around: 80, windowMs: 10 }).map((message) => message.data)).toEqual([7, 8]);
});

test('backoff grows by the factor, is capped, and jitter stays within its fraction', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0, maxRetries: null };
  expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(options, attempt))).toEqual([100, 200, 400, 800, 1000, 1000]);
  const jittered = { ...options, jitter: 0.2 };
  expect(backoffDelay(jittered, 2, () => 0)).toBe(160);
  expect(backoffDelay(jittered, 2, () => 1)).toBe(240);
  expect(backoffDelay(jittered, 10, () => 1)).toBe(1000);
});

test('time expressions: epoch ms, ISO dates, relative times; nonsense is refused', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  expect(parseTimeExpression(1234, now)).toBe(1234);
  expect(parseTimeExpression('1234', now)).toBe(1234);
  expect(parseTimeExpression('2025-06-01T11:59:00Z', now)).toBe(now - 60_000);
  expect(parseTimeExpression('-5m', now)).toBe(now - 300_000);
  expect(parseTimeExpression('-30s', now)).toBe(now - 30_000);
  expect(parseTimeExpression('-250ms', now)).toBe(now - 250);
  expect(parseTimeExpression('yesterday', now)).toBeUndefined();
  expect(parseTimeExpression('2025-13-45', now)).toBeUndefined();
});

test('options: defaults are filled in; a non-ws URL and duplicate names are refused with their key paths', () => {
  const parsed = pluginOptions.parse({ connections: [{ name: 'magic', url: 'ws://127.0.0.1:10712/magic/web/console' }] });
  expect(parsed.connections[0]).toMatchObject({
    protocol: 'text',
    reconnect: { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 0.2, maxRetries: null },
    heartbeat: { intervalMs: 15_000, timeoutMs: 30_000 },
    bufferSize: 500,
    closeTimeoutMs: 1000,
    required: false,
  });
  const result = pluginOptions.safeParse({
    connections: [
      { name: 'a', url: 'http://x' },
      { name: 'a', url: 'wss://ok.example/socket', retries: 3 },
    ],
  });
  expect(result.success).toBe(false);
  const issues = result.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  expect(issues).toContain('connections.0.url: expected a ws: or wss: URL, got "http://x"');
  expect(issues.some((issue) => issue.startsWith('connections.1: ') && issue.includes('retries'))).toBe(true);
  const duplicate = pluginOptions.safeParse({ connections: [{ name: 'a', url: 'ws://x' }, { name: 'a', url: 'ws://y' }] });
  expect(duplicate.error!.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
    'connections.1.name: connection name "a" is used by connections[0] already; names must be unique',
  ]);
});

test('received messages are decoded when first read, once, and then let go of their bytes', () => {
  let decodes = 0;
  const protocol = { ...createJsonProtocol(), decode: (data: Buffer, isBinary: boolean) => (decodes++, createJsonProtocol().decode(data, isBinary)) };
  const buffer = new MessageBuffer(10);
  const message = buffer.add(new ReceivedMessage(Buffer.from('{"type":"log","n":1}'), false, protocol), 1000);
  buffer.add(new ReceivedMessage(Buffer.from('not json'), false, protocol), 1001);
  expect(decodes).toBe(0);
  expect(message.seq).toBe(1);
  expect(message.type).toBe('log');
  expect(message.data).toEqual({ type: 'log', n: 1 });
  expect(decodes).toBe(1);
  expect(JSON.parse(JSON.stringify(buffer.query({ type: 'invalid-json' })))).toEqual([
    { seq: 2, receivedAt: 1001, type: 'invalid-json', data: expect.any(String), raw: 'not json' },
  ]);
  expect(decodes).toBe(2);
});

test('a protocol that throws while decoding leaves an "undecodable" message, not a crash', () => {
  const protocol = {
    ...createTextProtocol(),
    decode: () => {
      throw new Error('bad bytes');
    },
  };
  const message = new ReceivedMessage(Buffer.from('xyz'), false, protocol);
  expect({ type: message.type, data: message.data, raw: message.raw }).toEqual({ type: 'undecodable', data: 'bad bytes', raw: 'xyz' });
});
