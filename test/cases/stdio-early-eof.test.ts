import * as path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT, connectClient, setupProbes, spawnHost } from '../src/index.js';

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'printf', version: '0' } } };

test('requests written before stdin closes are answered even though startup had not finished (the Magic-API example, against nothing)', async () => {
  const example = path.join(ROOT, 'examples/magic-api');
  const host = spawnHost(['start', '--config', path.join(example, 'mcp-host.config.json')], { cwd: example });
  // As `printf '<initialize>\n<tools/list>\n' | mcp-host start` does: everything at once, then EOF.
  host.child.stdin!.end(`${JSON.stringify(initialize)}\n${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
  await host.exited;
  const messages = host.messages();
  expect(messages.find((message) => message.id === 1)?.result?.serverInfo).toBeDefined();
  expect(messages.find((message) => message.id === 2)?.result?.tools?.length).toBeGreaterThan(0);
}, 30_000);

test('an error reaches the client as the bare text: the SDK client adds its own "MCP error <code>:" prefix once', async () => {
  const probes = await setupProbes({ plain: {} });
  const { client } = await connectClient(['start'], { cwd: probes.dir });
  const failure = await client.callTool({ name: 'no_such_tool' }).then(
    () => undefined,
    (error: Error & { code?: number }) => error,
  );
  expect(failure?.code).toBe(-32602);
  expect(failure?.message).toBe('MCP error -32602: Unknown tool: no_such_tool');
});
