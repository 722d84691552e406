import { realpathSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { RESOURCE_NOT_FOUND_CODE } from '@mcp-host/core';
import { refusalOf, startHost, tempTree } from './support.js';

/**
 * Every way out of a root we know of, each refused with a JSON-RPC error whose data names the reason; the
 * secret next to the root never reaches the client, and the host keeps serving after each attempt.
 */
test('traversal attempts of every kind are refused with the reason, never served, never a crash', async () => {
  const parent = await tempTree({ 'secret.txt': 'TOP-SECRET', 'docs/ok.md': 'fine', 'docs/sub/a.md': 'a' });
  const root = path.join(parent, 'docs');
  await mkdir(path.join(parent, 'docs-evil'));
  await symlink(path.join(parent, 'secret.txt'), path.join(root, 'link-out.txt'));
  await symlink(parent, path.join(root, 'sub', 'up'), 'dir');
  const real = realpathSync(root);
  const base = pathToFileURL(real).href;
  const { client } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: root }] });

  const attempts: [string, string][] = [
    [`${base}/../secret.txt`, 'traversal'],
    [`${base}/sub/../../secret.txt`, 'traversal'],
    [`${base}/%2e%2e/secret.txt`, 'traversal'],
    [`${base}/%2E%2E/secret.txt`, 'traversal'],
    [`${base}/.%2e/secret.txt`, 'traversal'],
    [`${base}/./ok.md`, 'traversal'],
    [`${base}/sub\\..\\..\\secret.txt`, 'traversal'],
    [`${base}/..%2fsecret.txt`, 'encoded-separator'],
    [`${base}/..%2Fsecret.txt`, 'encoded-separator'],
    [`${base}/ok.md%00.png`, 'encoded-separator'],
    [`${base}/%E0%A4%A`, 'invalid-uri'],
    [`${base.replace('file://', 'file://evil.example')}/ok.md`, 'invalid-uri'],
    [`${base}/link-out.txt`, 'symlink-escape'],
    [`${base}/sub/up/secret.txt`, 'symlink-escape'],
    [base, 'not-a-file'],
    [`${base}/sub`, 'not-a-file'],
    [`${base}/missing.md`, 'not-found'],
  ];
  for (const [uri, reason] of attempts) {
    const refused = await refusalOf(client.readResource({ uri }));
    expect({ uri, reason: refused.data?.reason }).toEqual({ uri, reason });
    expect(refused.message).not.toContain('TOP-SECRET');
  }

  // Not inside any root at all: not this plugin's resource (an absolute path, a sibling that shares the
  // root's name as a prefix, another scheme), so the host answers "not found".
  for (const uri of [pathToFileURL(path.join(realpathSync(parent), 'secret.txt')).href, `${base}-evil/x`, '/etc/passwd', 'file:///etc/passwd', 'http://127.0.0.1/secret.txt']) {
    const refused = await refusalOf(client.readResource({ uri }));
    expect({ uri, code: refused.code }).toEqual({ uri, code: RESOURCE_NOT_FOUND_CODE });
  }

  // Still serving, and the legitimate spellings work: localhost host, percent-encoded letters.
  expect((await client.readResource({ uri: `${base}/ok.md` })).contents[0]).toMatchObject({ text: 'fine' });
  expect((await client.readResource({ uri: `${base.replace('file://', 'file://localhost')}/ok.md` })).contents[0]).toMatchObject({ text: 'fine' });
  expect((await client.readResource({ uri: `${base}/%6Fk.md` })).contents[0]).toMatchObject({ text: 'fine' });
  // Subscriptions go through the same guard.
  expect((await refusalOf(client.subscribeResource({ uri: `${base}/../secret.txt` }))).data.reason).toBe('traversal');
  expect((await refusalOf(client.subscribeResource({ uri: `${base}/link-out.txt` }))).data.reason).toBe('symlink-escape');
});

test('a root that is itself a symlink: URIs use the real path, and the configured spelling is accepted', async () => {
  const parent = await tempTree({ 'real-docs/a.md': 'a', 'secret.txt': 'TOP-SECRET' });
  await symlink(path.join(parent, 'real-docs'), path.join(parent, 'docs-link'), 'dir');
  const real = realpathSync(path.join(parent, 'real-docs'));
  const { client, listAll } = await startHost({ sources: [{ name: 'docs', type: 'directory', path: path.join(parent, 'docs-link') }] });
  expect((await listAll()).resources.map((resource) => resource.uri)).toEqual([pathToFileURL(path.join(real, 'a.md')).href]);
  expect((await client.readResource({ uri: pathToFileURL(path.join(parent, 'docs-link', 'a.md')).href })).contents[0]).toMatchObject({ text: 'a' });
  const refused = await refusalOf(client.readResource({ uri: `${pathToFileURL(path.join(parent, 'docs-link')).href}/../secret.txt` }));
  expect(refused.data.reason).toBe('traversal');
});
