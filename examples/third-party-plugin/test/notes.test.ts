import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { createTestHost } from '@mcp-host/testing';
import notes from '../src/index.js';

async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 'notes-plugin-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('notes added through the tool are saved by the shutdown tap, and nothing is left open', async () => {
  const dir = await tempDir();
  const testHost = await createTestHost({ plugins: [[notes, { file: 'notes.txt', flushIntervalMs: 60_000 }]], cwd: dir });
  await testHost.client.callTool({ name: 'note_add', arguments: { text: 'first' } });
  await testHost.client.callTool({ name: 'note_add', arguments: { text: 'second' } });
  const report = await testHost.shutdown('SIGTERM');
  expect(report.taps).toEqual([expect.objectContaining({ plugin: 'notes', outcome: 'ok' })]);
  expect(await readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('first\nsecond\n');
  await testHost.assertNoLeaks();
});

test('the notes resource reads what was written so far', async () => {
  const dir = await tempDir();
  const testHost = await createTestHost({ plugins: [[notes, {}]], cwd: dir });
  onTestFinished(() => testHost.shutdown().then(() => undefined));
  await testHost.client.callTool({ name: 'note_add', arguments: { text: 'remember the milk' } });
  const { contents } = await testHost.client.readResource({ uri: 'notes://all' });
  expect(contents[0]).toMatchObject({ uri: 'notes://all', text: 'remember the milk\n' });
});

test('bad options are a config error naming the key', async () => {
  const error = await createTestHost({ plugins: [[notes, { flushIntervalMs: -5 }]] }).catch((caught) => caught);
  expect(error.code).toBe('MCPH_PLUGIN_OPTIONS_INVALID');
  expect(error.message).toContain('plugins[0].options.flushIntervalMs');
});
