// Core's bundle loads Ajv on first use (issue 13: it was ~25 ms of every start, before `initialize`): the SDK's
// Client and Server get a stand-in that creates the real Ajv, with ajv-formats, from bundle/ajv.cjs when a JSON Schema
// is first compiled. Here core's own Client (`@mcp-host/core/client`, the bundle) validates a tool's structured
// output against the outputSchema the peer listed — that compile and check is Ajv's, and `format` is ajv-formats'.
import { expect, test } from 'vitest';
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
