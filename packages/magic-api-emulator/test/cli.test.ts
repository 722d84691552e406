/**
 * `pnpm magic-api:emulator` (bin/magic-api-emulator.mjs → src/cli.ts): prints where it listens, serves, stops on
 * SIGTERM / SIGINT with exit 0, refuses bad arguments with exit 2.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { md5Hex } from '../src/index.js';
import { envelope, postForm, waitUntil } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/magic-api-emulator.mjs', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, MAGIC_API_USERNAME: '', MAGIC_API_PASSWORD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, out: () => out, err: () => err, exit };
}

describe('the runnable emulator', () => {
  it('prints base, web and console URLs on stdout, serves them, and exits 0 on SIGTERM', async () => {
    const proc = run(['--port', '0', '--quiet']);
    await waitUntil(() => proc.out().includes('console URL:'), 'the URLs on stdout', 15_000);
    const base = /base URL: +(\S+)/.exec(proc.out())?.[1] as string;
    const web = /web URL: +(\S+)/.exec(proc.out())?.[1] as string;
    expect(/console URL: +(\S+)/.exec(proc.out())?.[1]).toBe(`${base.replace('http:', 'ws:')}/magic/web/console`);
    expect(web).toBe(`${base}/magic/web`);
    expect((await envelope(postForm(`${web}/resource`))).code).toBe(1);
    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.err()).toContain('stopping');
  });

  it('takes credentials from flags (or MAGIC_API_USERNAME / MAGIC_API_PASSWORD) and stops on SIGINT', async () => {
    const proc = run(['--port', '0', '--quiet'], { MAGIC_API_USERNAME: 'admin', MAGIC_API_PASSWORD: 'pw' });
    await waitUntil(() => proc.out().includes('console URL:'), 'the URLs', 15_000);
    expect(proc.out()).toContain('login:       required (user admin)');
    const web = /web URL: +(\S+)/.exec(proc.out())?.[1] as string;
    expect((await envelope(postForm(`${web}/resource`))).code).toBe(401);
    const login = await postForm(`${web}/login`, { username: 'admin', password: 'pw' });
    expect(login.headers.get('magic-token')).toBe(md5Hex('admin||pw'));
    proc.child.kill('SIGINT');
    expect(await proc.exit).toBe(0);
  });

  it('refuses unknown flags and half credentials with exit 2 and says why on stderr', async () => {
    const unknown = run(['--bogus']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.err()).toContain('--bogus');
    const half = run(['--username', 'admin']);
    expect(await half.exit).toBe(2);
    expect(half.err()).toContain('both --username and --password');
    const port = run(['--port', 'ten']);
    expect(await port.exit).toBe(2);
    expect(port.err()).toContain('--port');
  });

  it('--help prints the options on stdout and exits 0', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.out()).toContain('--token-lifetime');
  });
});
