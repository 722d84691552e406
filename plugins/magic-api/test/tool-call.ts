// Calling a magic_* tool through the real MCP client and reading its answer, for the tool tests.
import { callTool, type ToolAnswer } from '@mcp-host/testing';
import { expect } from 'vitest';
import type { MagicTestHost } from './support.js';

export type { ToolAnswer };

export function call(host: MagicTestHost, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  return callTool(host.client, name, args);
}

/** A successful answer's JSON (fails the test, showing the refusal, otherwise). */
export async function ok(host: MagicTestHost, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const answer = await call(host, name, args);
  expect(answer.isError, answer.text).toBe(false);
  return answer.json;
}

/** A refusal's text (fails the test if the call succeeded). */
export async function refused(host: MagicTestHost, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(host, name, args);
  expect(answer.isError, answer.text).toBe(true);
  return answer.text;
}

/** The seed's ids (packages/magic-api-emulator/src/seed.ts). */
export const SEED = {
  userGroup: 'a6f0c2d1e3b44f5a8c9d0e1f2a3b4c5d',
  roleGroup: 'b7e1d3c2f4a54e6b9d0c1f2e3a4b5c6d',
  orderGroup: 'c8f2e4d3a5b64f7c0e1d2a3f4b5c6d7e',
  userList: '0b1c2d3e4f5a46b7c8d9e0f1a2b3c4d5',
  userDetail: '1c2d3e4f5a6b47c8d9e0f1a2b3c4d5e6',
  roleList: '3e4f5a6b7c8d49e0f1a2b3c4d5e6f7a8',
  priceCalc: '5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0',
} as const;
