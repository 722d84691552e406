import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { handshake, setupProbes, spawnHost } from '../src/index.js';

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a client that writes many requests and reads nothing: the host stops reading, stays bounded, then answers every one', async () => {
  const probes = await setupProbes({ big: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const pid = host.child.pid!;
  handshake(host);
  host.send({ jsonrpc: '2.0', id: 'ready', method: 'ping' });
  await host.waitFor(() => host.messages().some((message) => message.id === 'ready'), 'the host to answer');
  const baseline = rssMiB(pid);
  expect(host.stdout().split('\n').length - 1).toBe(2);
  // From now on the client reads nothing: the pipe fills, and the host must stop taking requests.
  host.child.stdout!.pause();
  const count = 1500;
  const bytes = 64 * 1024;
  for (let id = 1; id <= count; id++) host.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'big_big', arguments: { bytes } } });
  // Unbounded, the replies (94 MiB; 205 MiB RSS measured for 125 MiB) pile up in the host; sampled for a while, bounded in count.
  let peak = baseline;
  for (let sample = 0; sample < 30; sample++) {
    await sleep(50);
    peak = Math.max(peak, rssMiB(pid));
  }
  expect(peak - baseline, `RSS grew from ${baseline.toFixed(0)} to ${peak.toFixed(0)} MiB`).toBeLessThan(70);
  host.child.stdout!.resume();
  // Count complete lines only: the last one may still be arriving.
  // Counted as they come (the handshake's and the ping's replies came before).
  let lines = 0;
  host.child.stdout!.on('data', (chunk: string) => {
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) lines++;
  });
  const repliesSoFar = () => lines;
  await host.waitFor(() => repliesSoFar() >= count, 'every reply', 30_000).catch((error) => {
    throw new Error(`${repliesSoFar()} of ${count} replies: ${String(error).slice(0, 300)}`);
  });
  const replies = host.messages().filter((message) => typeof message.id === 'number' && message.id >= 1);
  expect(new Set(replies.map((message) => message.id)).size).toBe(count);
  expect(replies.every((message) => message.result?.content[0].text.length === bytes)).toBe(true);
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(probes.events()).toContain('big:shutdown:stdin-closed');
}, 60_000);
