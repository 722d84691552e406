import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { ROOT } from '../src/index.js';

test('pnpm demo runs the whole lifecycle against the stand-in backend and ends with a clean shutdown', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'examples/magic-api/demo.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  onTestFinished(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, out).toBe(0);
  expect(out).toContain('tools: ws_connections, ws_messages, ws_send, resources_search');
  expect(out).toMatch(/"type": "LOG"/);
  expect(out).toContain('magic-api://docs/');
  expect(out).toMatch(/1\. websocket-manager\s+ok/);
  expect(out).toMatch(/2\. resource-manager\s+ok/);
  expect(out).toContain('exit code 0');
  expect(out).toContain('close with code 1001');
  // The token is used, never printed.
  expect(out).not.toContain('demo-token-not-a-secret');
}, 40_000);
