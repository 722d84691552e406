// TreeRefresher: what `refresh()` (the tools call it after an edit) promises, against the emulator.
import { expect, test } from 'vitest';
import { TreeRefresher } from '../src/index.js';
import { waitUntil } from '@mcp-host/testing';
import { client, emulator, recordingLogger, sleep } from './support.js';

const treeFetches = (server: Awaited<ReturnType<typeof emulator>>): number => server.harness.requests().filter((request) => request.url === '/magic/web/resource').length;

test('refresh() calls while a fetch runs share one more fetch after it, so each caller gets a tree fetched after it asked', async () => {
  const server = await emulator();
  const refresher = new TreeRefresher({ client: client({ baseUrl: server.baseUrl }), logger: recordingLogger(), intervalMs: 0 });
  // Called while the first fetch is at the server (its request received, its answer not written yet).
  let calledAt = 0;
  const later = new Promise<Promise<unknown>[]>((resolve) => {
    server.harness.events.on('request', (record: { url: string }) => {
      if (record.url !== '/magic/web/resource' || calledAt !== 0) return;
      calledAt = Date.now();
      resolve([refresher.refresh(), refresher.refresh(), refresher.refresh()]);
    });
  });
  const first = await refresher.refresh();
  const [a, b, c] = (await Promise.all(await later)) as Awaited<ReturnType<TreeRefresher['refresh']>>[];
  const fetches = server.harness.requests().filter((request) => request.url === '/magic/web/resource');
  expect(fetches).toHaveLength(2);
  expect(fetches[1]!.at).toBeGreaterThanOrEqual(calledAt);
  expect(a).toBe(b);
  expect(b).toBe(c);
  expect(a!.tree).not.toBe(first.tree);
  expect(a!.tree.fetchedAt).toBeGreaterThanOrEqual(calledAt);
  refresher.stop();
});

test('an unchanged tree is not a change; an edit is; the schedule fetches on its own and stop() ends it', async () => {
  const server = await emulator();
  const refresher = new TreeRefresher({ client: client({ baseUrl: server.baseUrl }), logger: recordingLogger(), intervalMs: 100 });
  const changes: boolean[] = [];
  refresher.onRefresh((change) => void changes.push(change.changed));
  refresher.start();
  // Three scheduled fetches (100 ms apart on a quiet machine; a busy one stretches them, so wait, bounded).
  await waitUntil(() => changes.length >= 3, 'three scheduled fetches', 10_000);
  expect(changes[0]).toBe(true);
  expect(changes.slice(1).every((changed) => !changed)).toBe(true);
  server.harness.editScript(server.harness.findApi('GET', '/order/check')!.id!, 'return 8');
  expect((await refresher.refresh()).changed).toBe(true);
  refresher.stop();
  const stoppedAt = treeFetches(server);
  await sleep(300);
  expect(treeFetches(server)).toBe(stoppedAt);
  await expect(refresher.refresh()).rejects.toMatchObject({ code: 'MAGIC_CLOSED' });
});

test('an outage (the server stops, then comes back on its port) is warned about once, the last tree kept, and its end said', async () => {
  const server = await emulator();
  const logger = recordingLogger();
  const refresher = new TreeRefresher({ client: client({ baseUrl: server.baseUrl, timeoutMs: 2000 }), logger, intervalMs: 0 });
  const { tree } = await refresher.refresh();
  await server.close();
  for (let attempt = 0; attempt < 3; attempt++) await expect(refresher.refresh()).rejects.toMatchObject({ code: 'MAGIC_UNREACHABLE' });
  expect(refresher.current).toBe(tree);
  expect(refresher.isFailing).toBe(true);
  await emulator({ port: server.port });
  await refresher.refresh();
  expect(refresher.isFailing).toBe(false);
  expect(logger.lines.filter((line) => line.startsWith('warning:'))).toEqual([expect.stringContaining(`keeping the last one (${tree.size} files)`)]);
  expect(logger.lines.filter((line) => line.startsWith('info:') && line.includes('can be fetched again'))).toHaveLength(1);
  refresher.stop();
});
