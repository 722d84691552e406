// A seeded stdio JSON-RPC fuzzer against the spawned host: random and mutated frames, sizes, nesting, ids and
// partial lines, written in random chunk sizes. Invariants: no crash, nothing but JSON on stdout, every request
// with a usable id (string or integer) answered, memory bounded, a clean shutdown (every tap ran, exit 0).
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { fuzzSeed, handshake, randomText, setupProbes, spawnHost, type Random } from '../src/index.js';

const FRAMES = 150;
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

interface Frame {
  line: string;
  /** The id an answer must come under, when the frame is a request the host can know the id of. */
  expects?: string | number;
}

function nested(random: Random, depth: number): unknown {
  let value: unknown = randomText(random, 5);
  for (let i = 0; i < depth; i++) value = random.chance(0.5) ? [value] : { k: value };
  return value;
}

function frameOf(random: Random, n: number): Frame {
  const id = random.chance(0.5) ? n : `s-${n}-${randomText(random, 6)}`;
  const request = (method: string, params?: unknown) => ({ line: JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }), expects: id });
  switch (random.int(0, 13)) {
    case 0:
      return request('ping');
    case 1:
      return request('tools/list');
    case 2:
      return request('tools/call', { name: random.pick(['probe_fz', 'big_fz', 'nope', '']), arguments: random.pick([{}, { bytes: random.int(0, 200_000) }, { bytes: 'x' }, null]) });
    case 3:
      return request(random.pick(['resources/list', 'prompts/list', 'unknown/method', 'logging/setLevel', 'resources/read']), random.pick([undefined, {}, { uri: randomText(random, 40) }, { level: 'debug' }]));
    case 4:
      // Invalid shapes with a usable id: must be answered.
      return request(random.pick(['tools/call', 'ping']), random.pick(['x', 42, true]));
    case 5:
      return { line: JSON.stringify({ jsonrpc: random.pick(['1.0', 2, null]), id, method: 'ping' }), expects: id };
    case 6:
      return { line: JSON.stringify({ jsonrpc: '2.0', id, method: random.pick([42, null, ['ping']]) }), expects: id };
    case 7:
      // Deep nesting inside params.
      return request('ping', { deep: nested(random, random.int(10, 3000)) });
    case 8:
      // Large params.
      return request('ping', { blob: 'y'.repeat(random.int(1000, 200_000)) });
    case 9:
      // Notifications and responses: never answered.
      return { line: JSON.stringify(random.pick([{ jsonrpc: '2.0', method: 'notifications/whatever', params: 'x' }, { jsonrpc: '2.0', id: n, result: {} }, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: n - 1 } }])) };
    case 10:
      // Not JSON at all, or truncated JSON.
      return { line: random.chance(0.5) ? randomText(random, 200).replace(/[\n]/g, '') : JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' }).slice(0, random.int(1, 20)) };
    case 11:
      // Odd ids: null, floats, objects — the host cannot answer under them (it may answer with id null).
      return { line: JSON.stringify({ jsonrpc: '2.0', id: random.pick([null, 1.5, { a: 1 }, true]), method: 'ping' }) };
    case 12:
      // A batch (MCP has none since 2025-06-18) and empty lines.
      return { line: random.pick(['', '   ', '[]', JSON.stringify([{ jsonrpc: '2.0', id: n, method: 'ping' }])]) };
    default:
      return { line: `\r${JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' })}\r`.slice(1), expects: id };
  }
}

test('stdio fuzzer: random and mutated frames keep stdout pure, every request with an id answered, memory bounded, a clean exit', async () => {
  const random = fuzzSeed('stdio-fuzz');
  const probes = await setupProbes({ fz: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const pid = host.child.pid!;
  handshake(host, 'init');
  await host.waitFor(() => host.stdout().includes('"id":"init"'), 'initialize');
  const frames = Array.from({ length: FRAMES }, (_, n) => frameOf(random, n + 1));
  const stream = Buffer.from(frames.map((frame) => `${frame.line}\n`).join(''));
  // Written in random chunk sizes, so lines are cut anywhere (inside UTF-8 sequences too).
  let peak = 0;
  for (let at = 0; at < stream.length; ) {
    const size = random.int(1, 96 * 1024);
    if (!host.child.stdin!.write(stream.subarray(at, at + size))) await new Promise((resolve) => host.child.stdin!.once('drain', resolve));
    at += size;
    peak = Math.max(peak, rssMiB(pid));
  }
  // A request the next frame cancels may go unanswered (MCP: no response after notifications/cancelled).
  const cancelled = new Set(frames.map((frame) => /"notifications\/cancelled","params":\{"requestId":(\d+)\}/.exec(frame.line)?.[1]).filter(Boolean).map(Number));
  const expected = frames.filter((frame) => frame.expects !== undefined && !cancelled.has(frame.expects as number)).map((frame) => frame.expects!);
  const answered = () => new Set(host.messages().map((message) => message.id));
  await host.waitFor(() => {
    const ids = answered();
    return expected.every((id) => ids.has(id));
  }, 'an answer to every request with an id', 30_000).catch((error: Error) => {
    const missing = expected.filter((id) => !answered().has(id));
    const lines = frames.filter((frame) => missing.includes(frame.expects!)).map((frame) => frame.line.slice(0, 200));
    throw new Error(`${missing.length} unanswered, e.g. ${JSON.stringify(lines.slice(0, 3))}: ${error.message.slice(0, 300)}`);
  });
  peak = Math.max(peak, rssMiB(pid));
  host.child.stdin!.end();
  const { code } = await host.exited;
  // No crash and a clean shutdown.
  expect(code).toBe(0);
  expect(probes.events()).toContain('fz:shutdown:stdin-closed');
  // Every stdout line is a JSON-RPC message (messages() throws on any other line).
  expect(host.messages().every((message) => message.jsonrpc === '2.0')).toBe(true);
  expect(peak).toBeLessThan(400);
}, 60_000);
