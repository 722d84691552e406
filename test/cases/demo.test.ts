import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { ROOT } from '../src/index.js';

test('pnpm demo runs the whole lifecycle against the Magic-API emulator and ends with a clean shutdown', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'examples/magic-api/demo.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, out).toBe(0);
  expect(out).toContain('tools: ws_connections, ws_messages, ws_send, resources_search');
  // Login over HTTP, then the console with its token.
  expect(out).toMatch(/\[magic-api\] info: logged in to http:\/\/127\.0\.0\.1:\d+\/magic\/web as admin/);
  expect(out).toMatch(/"login": "ok",\s+"username": "admin"/);
  // The tree as resources, a script read with its metadata.
  expect(out).toContain('magic-api://api/用户管理/用户列表   用户列表 (GET /user/list)');
  expect(out).toContain('log.info("查询用户列表 page={} size={}", page, size)');
  expect(out).toContain('"requestPath": "/user/list"');
  // The request named the console's client id and the script id: its log line arrived in ws_messages.
  expect(out).toMatch(/INFO --- \[[^\]]+\] \/用户管理\/用户列表\(\/user\/list\)\s+: 查询用户列表 page=2 size=5/);
  expect(out).toMatch(/1\. magic-api\s+ok/);
  expect(out).toMatch(/2\. websocket-manager\s+ok/);
  expect(out).toMatch(/3\. resource-manager\s+ok/);
  expect(out).toMatch(/4\. magic-api\s+ok/);
  expect(out).toContain('exit code 0');
  expect(out).toContain('close with code 1001');
  expect(out).toContain('before the HTTP sockets ended');
  // The password is used, never printed.
  expect(out).not.toContain('demo-password-not-a-secret');
}, 40_000);
