/**
 * Test helpers: a started emulator whose close is registered at once, a console client that keeps every frame it
 * receives, and small HTTP helpers. Every wait is bounded.
 */
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { waitUntil } from '@mcp-host/testing';
import { startEmulator, type EmulatorOptions, type MagicApiEmulator } from '../src/index.js';

export { waitUntil };

export async function emulator(options: EmulatorOptions = {}): Promise<MagicApiEmulator> {
  const started = await startEmulator({ warn: () => {}, ...options });
  onTestFinished(() => started.close());
  return started;
}

export interface Envelope<T = unknown> {
  code: number;
  message: string | null;
  data: T;
  timestamp: number;
  executeTime: number | null;
}

export async function postForm(url: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(10_000),
  });
}

export async function envelope<T = unknown>(response: Response | Promise<Response>): Promise<Envelope<T>> {
  const answer = await response;
  if (answer.status !== 200) throw new Error(`expected HTTP 200, got ${answer.status}: ${await answer.text()}`);
  return (await answer.json()) as Envelope<T>;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

/** A console client: every text frame received, in order, and the close it ended with. */
export class ConsoleClient {
  readonly frames: string[] = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.frames.push(data.toString());
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    socket.on('error', () => {});
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<ConsoleClient> {
    const socket = new WebSocket(url, { handshakeTimeout: 5000, ...options });
    const client = new ConsoleClient(socket);
    onTestFinished(() => {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.terminate();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  /** Open a console and log in with a fresh client id; resolved once online_users has arrived. */
  static async loggedIn(url: string, token = 'unauthorization'): Promise<{ client: ConsoleClient; id: string }> {
    const client = await ConsoleClient.open(url);
    const id = clientId();
    const answer = await client.login(token, id);
    if (answer.startsWith('login_response,1,')) await client.waitFor((frame) => frame.startsWith('online_users,'), 'online_users');
    return { client, id };
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** Wait for a frame matching `predicate` (searching from `from`), answering it; bounded. */
  async waitFor(predicate: (frame: string) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<string> {
    let found: string | undefined;
    await waitUntil(() => (found = this.frames.slice(from).find(predicate)) !== undefined, what, timeoutMs);
    return found as string;
  }

  async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    await waitUntil(() => this.closed !== undefined, 'the console socket to close', timeoutMs);
    return this.closed as { code: number; reason: string };
  }

  /** Log in with a fresh client id and wait for the answer. */
  async login(token: string, clientId: string): Promise<string> {
    const from = this.frames.length;
    this.send(`login,${token},${clientId}`);
    return this.waitFor((frame) => frame.startsWith('login_response,'), 'login_response', 5000, from);
  }
}

/** The JSON value after `type,` (and any raw parts) of a console frame. */
export function frameJson(frame: string, rawParts = 0): unknown {
  let rest = frame.slice(frame.indexOf(',') + 1);
  for (let i = 0; i < rawParts; i++) rest = rest.slice(rest.indexOf(',') + 1);
  return JSON.parse(rest);
}

/** 16 hex digits, as the web editor makes a client id. */
export function clientId(): string {
  return Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** Resolve once Date.now() has moved on (two backups of one id in one millisecond collide on the primary key). */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  await waitUntil(() => Date.now() > now, 'the clock to tick', 1000, 1);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
