import { connect, createServer, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { freePort, listAllPages, listenForTest } from '../src/index.js';

/** Whether something accepts connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('listenForTest', () => {
  let port = 0;
  let accepted: Socket[] = [];
  test('listens on a free loopback port and records the connections it accepts', async () => {
    ({ port, sockets: accepted } = await listenForTest(createServer()));
    expect(port).toBeGreaterThan(0);
    expect(await accepts(port)).toBe(true);
    expect(accepted).toHaveLength(1);
  });

  test('…and was closed, with its connections destroyed, when that test ended', async () => {
    expect(accepted.every((socket) => socket.destroyed)).toBe(true);
    expect(await accepts(port)).toBe(false);
  });
});

test('freePort gives a port nothing listens on, that can be listened on', async () => {
  const port = await freePort();
  expect(await accepts(port)).toBe(false);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise((resolve) => server.close(resolve));
});

describe('listAllPages', () => {
  const pagesOf = (items: number[], size: number) => async ({ cursor }: { cursor?: string }) => {
    const start = cursor ? Number(cursor) : 0;
    const next = start + size < items.length ? String(start + size) : undefined;
    return { resources: items.slice(start, start + size), nextCursor: next };
  };

  test('follows every cursor to the last page, or from a cursor given', async () => {
    const items = Array.from({ length: 7 }, (_, index) => index);
    expect(await listAllPages(pagesOf(items, 3))).toEqual({ resources: items, pages: 3 });
    expect(await listAllPages(pagesOf(items, 3), { cursor: '3' })).toEqual({ resources: [3, 4, 5, 6], pages: 2 });
  });

  test('a listing that never ends is cut at maxPages with an error', async () => {
    const endless = async () => ({ resources: [1], nextCursor: 'again' });
    await expect(listAllPages(endless, { maxPages: 5 })).rejects.toThrow('the listing still had a next page after 5 pages (5 resources so far)');
  });
});
