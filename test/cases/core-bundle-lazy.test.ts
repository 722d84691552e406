// Two parts of core's bundle load on first use (issue 13: together ~45 ms of every start, before `initialize`), and
// must behave as the libraries they stand in for:
// - Ajv: the SDK's Client and Server get a stand-in that creates the real Ajv, with ajv-formats, from bundle/ajv.cjs
//   when a JSON Schema is first compiled. Here core's own Client (`@mcp-host/core/client`, the bundle) validates a
//   tool's structured output against the outputSchema the peer listed — that compile and check is Ajv's, and
//   `format` is ajv-formats'.
// - zod's locales: `z.locales.<name>` from core is a function that requires bundle/zod-locales.cjs on first call;
//   compared with zod's own.
import { expect, test } from 'vitest';
import { z as zod } from 'zod';
import { z } from '@mcp-host/core';
import { Client, InMemoryTransport } from '@mcp-host/core/client';

const OUTPUT_SCHEMA = {
  type: 'object',
  properties: { size: { type: 'number' }, contact: { type: 'string', format: 'email' } },
  required: ['size', 'contact'],
};

/** A peer answering initialize, tools/list (one tool with OUTPUT_SCHEMA) and tools/call with the given output. */
async function connectToPeer(outputs: Record<string, unknown>) {
  const [clientSide, peerSide] = InMemoryTransport.createLinkedPair();
  peerSide.onmessage = (message) => {
    if (!('id' in message) || !('method' in message)) return;
    const reply = (result: unknown) => void peerSide.send({ jsonrpc: '2.0', id: message.id, result } as never);
    if (message.method === 'initialize') reply({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'peer', version: '0' } });
    else if (message.method === 'tools/list') reply({ tools: [{ name: 'measure', inputSchema: { type: 'object' }, outputSchema: OUTPUT_SCHEMA }] });
    else if (message.method === 'tools/call') {
      const structuredContent = outputs[(message.params as { arguments: { case: string } }).arguments.case];
      reply({ content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent });
    }
  };
  await peerSide.start();
  const client = new Client({ name: 'json-schema-validation-test', version: '0' });
  await client.connect(clientSide);
  await client.listTools();
  return client;
}

test("core's Client checks structured tool output against the listed outputSchema, formats included", async () => {
  const client = await connectToPeer({
    good: { size: 3, contact: 'a@example.com' },
    wrongType: { size: 'three', contact: 'a@example.com' },
    badFormat: { size: 3, contact: 'not an address' },
  });
  try {
    const good = await client.callTool({ name: 'measure', arguments: { case: 'good' } });
    expect(good.structuredContent).toEqual({ size: 3, contact: 'a@example.com' });
    await expect(client.callTool({ name: 'measure', arguments: { case: 'wrongType' } })).rejects.toThrow(/does not match the tool's output schema/);
    await expect(client.callTool({ name: 'measure', arguments: { case: 'badFormat' } })).rejects.toThrow(/does not match the tool's output schema.*email/);
  } finally {
    await client.close();
  }
});

test("core's z.locales has zod's locales, each giving zod's messages", () => {
  const ours = z.locales as unknown as Record<string, () => { localeError: (issue: unknown) => unknown }>;
  const zods = zod.locales as unknown as typeof ours;
  expect(Object.keys(ours).sort()).toEqual(Object.keys(zods).sort());
  const issues = [
    { code: 'invalid_type', expected: 'string', input: 1 },
    { code: 'too_small', origin: 'string', minimum: 3, inclusive: true, input: 'ab' },
  ];
  for (const name of Object.keys(zods)) {
    for (const issue of issues) expect(ours[name]!().localeError(issue), `${name}: ${issue.code}`).toEqual(zods[name]!().localeError(issue));
  }
  try {
    z.config(z.locales.de());
    expect(z.string().safeParse(1).error?.issues[0]?.message).toBe(zod.locales.de().localeError({ code: 'invalid_type', expected: 'string', input: 1 } as never));
  } finally {
    z.config(z.locales.en());
  }
  expect(z.string().safeParse(1).error?.issues[0]?.message).toBe('Invalid input: expected string, received number');
});
