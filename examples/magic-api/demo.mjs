// pnpm demo: the whole lifecycle in one command. A local Magic-API-style backend on 127.0.0.1, the real
// mcp-host over stdio on this directory's config, a real MCP client that lists the tools, reads recent
// backend messages through ws_messages and a resource, then closes stdin — and the host's shutdown report.
import { fileURLToPath } from 'node:url';
import { Client, StdioClientTransport } from '@mcp-host/core/client';
import { startConsoleBackend } from './console-backend.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/cli/bin/mcp-host.js', import.meta.url));
const say = (text = '') => process.stdout.write(`${text}\n`);
const step = (text) => say(`\n▶ ${text}`);
const deadline = setTimeout(() => {
  process.stderr.write('demo: gave up after 30 s\n');
  process.exit(1);
}, 30_000);

const token = 'demo-token-not-a-secret';
const backend = await startConsoleBackend({ token });
step(`backend listening: ${backend.wsUrl} (console), ${backend.httpUrl} (documents)`);

step('mcp-host start --config examples/magic-api/mcp-host.config.json   (stdio; its stderr is shown indented)');
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, 'start', '--config', `${here}mcp-host.config.json`],
  env: { ...process.env, MAGIC_API_WS_URL: backend.wsUrl, MAGIC_API_HTTP_URL: backend.httpUrl, MAGIC_API_TOKEN: token },
  stderr: 'pipe',
});
let stderr = '';
transport.stderr?.on('data', (chunk) => {
  stderr += chunk;
  for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`    │ ${line}\n`);
});
const client = new Client({ name: 'mcp-host-demo', version: '0.1.0' });
let exitCode = 0;
try {
  await client.connect(transport);
  const info = client.getServerVersion();
  step(`connected to ${info?.name} ${info?.version}`);

  const { tools } = await client.listTools();
  step(`tools: ${tools.map((tool) => tool.name).join(', ')}`);

  // Let a few log lines arrive (bounded).
  for (let i = 0; i < 40; i++) {
    const connections = JSON.parse((await client.callTool({ name: 'ws_connections', arguments: {} })).content[0].text);
    const magic = (Array.isArray(connections) ? connections : connections.connections ?? []).find((c) => c.name === 'magic');
    if (magic && magic.buffered >= 5) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  step('ws_connections');
  say((await client.callTool({ name: 'ws_connections', arguments: {} })).content[0].text);

  step('ws_messages { connection: "magic", limit: 5, type: "LOG" }');
  say((await client.callTool({ name: 'ws_messages', arguments: { connection: 'magic', limit: 5, type: 'LOG' } })).content[0].text);

  // resources/list pages per source: follow the cursors (bounded).
  const resources = [];
  let cursor;
  for (let page = 0; page < 20; page++) {
    const result = await client.listResources(cursor ? { cursor } : {});
    resources.push(...result.resources);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  step(`resources (${resources.length}): ${resources.map((resource) => resource.uri).join(', ')}`);
  const doc = resources.find((resource) => resource.uri.startsWith('magic-api://')) ?? resources[0];
  if (doc) {
    step(`resources/read ${doc.uri}`);
    const { contents } = await client.readResource({ uri: doc.uri });
    say(contents[0]?.text ?? `(${contents[0]?.blob?.length ?? 0} bytes of base64)`);
  }

  step('closing stdin, as an MCP client does when it is done');
  const gone = new Promise((resolve) => transport.onclose = resolve);
  await client.close();
  await gone;
  const report = stderr.slice(stderr.lastIndexOf('mcp-host: shutting down'));
  step('the host is gone; its shutdown report is the last lines above');
  say(`the backend saw the console socket close with code ${backend.closeCodes.join(', ') || '(none)'} (1001 = going away: a clean close)`);
  if (!/exit code 0/.test(report)) exitCode = 1;
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : error}\n`);
  exitCode = 1;
} finally {
  await client.close().catch(() => {});
  await backend.close();
  clearTimeout(deadline);
}
process.exitCode = exitCode;
