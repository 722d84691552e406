import { realpathSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { refusalOf, settled, startHost, tempTree, waitUntil } from './support.js';

const uriOf = (real: string, relative: string) => pathToFileURL(path.join(real, relative)).href;

test('subscribe → modify sends resources/updated to the subscriber; unsubscribe stops it', async () => {
  const root = await tempTree({ 'a.md': 'one', 'sub/b.md': 'two', 'sub/c.md': 'three' });
  const real = realpathSync(root);
  const [a, b, c] = [uriOf(real, 'a.md'), uriOf(real, 'sub/b.md'), uriOf(real, 'sub/c.md')];
  const { client, updated, host } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, debounceMs: 20 }] });
  const since = (mark: number) => new Set(updated.slice(mark));
  await client.subscribeResource({ uri: b });
  // The reply means subscribed: a change right after it is seen.
  await writeFile(path.join(root, 'sub/b.md'), 'two, changed');
  await waitUntil(() => updated.length >= 1, 'resources/updated for sub/b.md');
  await settled(() => updated.length);
  expect(since(0)).toEqual(new Set([b]));
  expect((await client.readResource({ uri: b })).contents[0]).toMatchObject({ text: 'two, changed' });

  // A sibling that nobody subscribed to changes: no notification for it.
  let mark = updated.length;
  await writeFile(path.join(root, 'sub/c.md'), 'three, changed');
  await writeFile(path.join(root, 'sub/b.md'), 'two, again');
  await waitUntil(() => updated.length > mark, 'the second update');
  await settled(() => updated.length);
  expect(since(mark)).toEqual(new Set([b]));

  // Deleting a subscribed file is an update too (reading it now says not found).
  mark = updated.length;
  await rm(path.join(root, 'sub/b.md'));
  await waitUntil(() => updated.length > mark, 'the update for the deletion');
  expect(since(mark)).toEqual(new Set([b]));
  expect((await refusalOf(client.readResource({ uri: b }))).data.reason).toBe('not-found');
  await settled(() => updated.length);

  await client.unsubscribeResource({ uri: b });
  mark = updated.length;
  await writeFile(path.join(root, 'sub/b.md'), 'back');
  // Another subscribed file's update proves events flow; the unsubscribed one stays silent.
  await client.subscribeResource({ uri: a });
  await writeFile(path.join(root, 'a.md'), 'one, changed');
  await waitUntil(() => updated.includes(a), 'the update for a.md');
  await settled(() => updated.length);
  expect(since(mark)).toEqual(new Set([a]));
  expect(updated).not.toContain(c);
  expect(host.state).toBe('running');
});

test('files added or removed send list_changed and the listing follows, nested directories included', async () => {
  const root = await tempTree({ 'a.md': 'a', 'keep/b.md': 'b' });
  const { listAll, listChanged } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, debounceMs: 20 }] });
  const names = async () => (await listAll()).resources.map((resource) => resource.name);
  expect(await names()).toEqual(['a.md', 'keep/b.md']);

  await writeFile(path.join(root, 'new.md'), 'new');
  await waitUntil(() => listChanged() >= 1, 'list_changed after adding a file');
  expect(await names()).toEqual(['a.md', 'keep/b.md', 'new.md']);

  // A new directory holding files (created before the watch on it could exist) is scanned whole.
  await mkdir(path.join(root, 'fresh/deeper'), { recursive: true });
  await writeFile(path.join(root, 'fresh/deeper/c.md'), 'c');
  await waitUntil(() => listChanged() >= 2, 'list_changed after adding a directory');
  const until = Date.now() + 5000;
  while (!(await names()).includes('fresh/deeper/c.md') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await names()).toEqual(['a.md', 'fresh/deeper/c.md', 'keep/b.md', 'new.md']);
  // …and files added inside it later are seen through its own watch.
  const before = listChanged();
  await writeFile(path.join(root, 'fresh/deeper/d.md'), 'd');
  await waitUntil(() => listChanged() > before, 'list_changed for a file in the new directory');
  expect(await names()).toContain('fresh/deeper/d.md');

  const beforeRemoval = listChanged();
  await rm(path.join(root, 'keep'), { recursive: true });
  await rm(path.join(root, 'a.md'));
  await waitUntil(() => listChanged() > beforeRemoval, 'list_changed after removals');
  const deadline = Date.now() + 5000;
  // The two removals may come in two batches (a busy machine splits the debounce window): wait for both.
  const isRemoved = (listed: string[]) => !listed.includes('keep/b.md') && !listed.includes('a.md');
  while (!isRemoved(await names()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await names()).toEqual(['fresh/deeper/c.md', 'fresh/deeper/d.md', 'new.md']);

  // A rename is a removal and an addition.
  const beforeRename = listChanged();
  await rename(path.join(root, 'new.md'), path.join(root, 'renamed.md'));
  await waitUntil(() => listChanged() > beforeRename, 'list_changed after a rename');
  expect(await names()).toEqual(['fresh/deeper/c.md', 'fresh/deeper/d.md', 'renamed.md']);
});

test('changes are debounced: a burst of writes is one batch, not one notification per file', async () => {
  const root = await tempTree({ 'a.md': 'a' });
  const { listAll, listChanged } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, debounceMs: 300 }] });
  await listAll();
  for (let i = 0; i < 50; i++) writeFileSync(path.join(root, `burst-${i}.md`), `${i}`);
  await waitUntil(() => listChanged() >= 1, 'list_changed after the burst');
  const until = Date.now() + 5000;
  while ((await listAll()).resources.length < 51 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  expect((await listAll()).resources).toHaveLength(51);
  expect(listChanged()).toBeLessThan(50);
});

test('pages stay consistent while files come and go between them (keyset cursors)', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`f-${String(i).padStart(2, '0')}.md`] = `${i}`;
  const root = await tempTree(files);
  const { client, listChanged, service } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, debounceMs: 20 }], pageSize: 10 });
  const first = await client.listResources({});
  expect(first.resources.map((resource) => resource.name).at(-1)).toBe('f-09.md');
  // Before the cursor: a file removed and one added; after it: one removed and one added.
  await rm(path.join(root, 'f-03.md'));
  await writeFile(path.join(root, 'f-00a.md'), 'early');
  await rm(path.join(root, 'f-15.md'));
  await writeFile(path.join(root, 'f-15a.md'), 'late');
  await waitUntil(() => listChanged() >= 1, 'list_changed');
  // On a loaded machine the four changes can land in more than one debounced batch: follow the cursor once the
  // index holds all of them.
  const indexed = async () => new Set((await service.search('f-', { limit: 100 })).map((resource) => resource.name));
  const until = Date.now() + 5000;
  for (let names = await indexed(); Date.now() < until; names = await indexed()) {
    if (names.has('f-00a.md') && names.has('f-15a.md') && !names.has('f-03.md') && !names.has('f-15.md')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const rest: string[] = [];
  let cursor = first.nextCursor;
  for (let pages = 0; cursor && pages < 10; pages++) {
    const page = await client.listResources({ cursor });
    rest.push(...page.resources.map((resource) => resource.name));
    cursor = page.nextCursor;
  }
  // Nothing from the first page repeats, nothing after it is skipped.
  expect(rest[0]).toBe('f-10.md');
  expect(rest).toHaveLength(20);
  expect(rest).toContain('f-15a.md');
  expect(rest).not.toContain('f-15.md');
});

test('the service tracks a file for other plugins, sharing the watch with MCP subscriptions', async () => {
  const root = await tempTree({ 'shared.md': 'x' });
  const real = realpathSync(root);
  const { client, service, updated } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, debounceMs: 20 }] });
  const seen: string[] = [];
  const untrack = await service.track(uriOf(real, 'shared.md'), (uri) => seen.push(uri));
  await client.subscribeResource({ uri: uriOf(real, 'shared.md') });
  await writeFile(path.join(root, 'shared.md'), 'y');
  await waitUntil(() => seen.length >= 1 && updated.length >= 1, 'both the tracker and the subscriber to hear of the change');
  await settled(() => seen.length + updated.length);
  expect(new Set(seen)).toEqual(new Set([uriOf(real, 'shared.md')]));
  await untrack();
  const [seenBefore, updatedBefore] = [seen.length, updated.length];
  await writeFile(path.join(root, 'shared.md'), 'z');
  await waitUntil(() => updated.length > updatedBefore, 'the subscriber still hears');
  await settled(() => seen.length + updated.length);
  expect(seen).toHaveLength(seenBefore);
  await expect(service.track(`${pathToFileURL(real).href}/../x`, () => {})).rejects.toMatchObject({ data: { reason: 'traversal' } });
});

test('watch: false refuses subscriptions and rescans instead; a watch budget is never exceeded', async () => {
  const root = await tempTree({ 'a/1.md': '1', 'b/2.md': '2', 'c/3.md': '3', 'd/4.md': '4' });
  const real = realpathSync(root);
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, watch: false }] });
  const refused = await refusalOf(client.subscribeResource({ uri: uriOf(real, 'a/1.md') }));
  expect(refused.data).toMatchObject({ reason: 'not-watchable', source: 'docs' });

  // A budget of 3 directories for a tree of 5 (root + 4): the tree takes what it can, the rest is rescanned.
  const budget = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root, maxWatchedDirectories: 3, debounceMs: 20 }] });
  expect((await budget.listAll()).resources).toHaveLength(4);
  expect(budget.service.sources()[0]).toMatchObject({ watchedDirectories: 3, resources: 4 });
  expect(budget.stderr()).toMatch(/maxWatchedDirectories/);
  const overBudget = await refusalOf(budget.client.subscribeResource({ uri: uriOf(real, 'd/4.md') }));
  expect(overBudget.data.reason).toBe('not-watchable');
  // Unwatched parts are still listed fresh: a file added where no watch is lands in a later listing.
  await writeFile(path.join(root, 'd/5.md'), '5');
  const until = Date.now() + 10_000;
  while (!(await budget.listAll()).resources.some((resource) => resource.name === 'd/5.md') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
  expect((await budget.listAll()).resources.map((resource) => resource.name)).toContain('d/5.md');
  expect(budget.service.sources()[0]!.watchedDirectories).toBeLessThanOrEqual(3);
});
