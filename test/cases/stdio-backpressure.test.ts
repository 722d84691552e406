import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { handshake, setupProbes, spawnHost } from '../src/index.js';

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a client that writes many requests and reads nothing: the host stops reading stdin, stays bounded, then answers every one', async () => {
  const probes = await setupProbes({ big: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const pid = host.child.pid!;
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 'ready', method: 'ping' });
  await host.waitFor(() => host.messages().some((message) => message.id === 'ready'), 'the host to answer');
  const baseline = rssMiB(pid);
  // From now on the client reads nothing: the pipe fills, and the host must stop taking requests.
  host.child.stdout!.pause();
  const count = 400;
  const bytes = 64 * 1024;
  // Each request carries 2 KB of padding, so the requests (800 KB) are far more than the pipes between us hold.
  const pad = 'p'.repeat(2000);
  for (let id = 1; id <= count; id++) host.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'big_big', arguments: { bytes }, _meta: { pad } } });
  // Sampled for a while, bounded in count. Unbounded, the host read every request and held every reply (25 MiB).
  let peak = baseline;
  for (let sample = 0; sample < 30; sample++) {
    await sleep(50);
    peak = Math.max(peak, rssMiB(pid));
  }
  // The host stopped reading: most of what the client wrote still waits on the client's side.
  expect(host.child.stdin!.writableLength).toBeGreaterThan(400_000);
  expect(peak - baseline, `RSS grew from ${baseline.toFixed(0)} to ${peak.toFixed(0)} MiB`).toBeLessThan(100);
  // Counted as they come (the handshake's and the ping's replies came before).
  let lines = 0;
  host.child.stdout!.on('data', (chunk: string) => {
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines++;
  });
  host.child.stdout!.resume();
  await host.waitFor(() => lines >= count, 'every reply', 30_000).catch((error) => {
    throw new Error(`${lines} of ${count} replies: ${String(error).slice(0, 300)}`);
  });
  const replies = host.messages().filter((message) => typeof message.id === 'number' && message.id >= 1);
  expect(new Set(replies.map((message) => message.id)).size).toBe(count);
  expect(replies.every((message) => message.result?.content[0].text.length === bytes)).toBe(true);
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events()).toContain('big:shutdown:stdin-closed');
}, 60_000);
