// pnpm demo: the whole lifecycle in one command, against the Magic-API emulator (a Magic-API 2.2.2 stand-in that
// follows its Java; packages/magic-api-emulator). The real mcp-host over stdio on this directory's config logs in
// with a username and password, opens the console, serves the script tree as resources; a real MCP client lists
// and reads them, watches the console; the demo itself calls a user API with the console's client id and the
// script's id — the two headers that make the server send that request's log lines to this console — and the line
// arrives in ws_messages. Then stdin is closed, as an MCP client does, and the host's shutdown report follows.
import { fileURLToPath } from 'node:url';
import { Client, StdioClientTransport } from '@mcp-host/core/client';
import { startEmulator } from '@mcp-host/magic-api-emulator';

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = fileURLToPath(new URL('../../packages/cli/bin/mcp-host.js', import.meta.url));
const say = (text = '') => process.stdout.write(`${text}\n`);
const step = (text) => say(`\n▶ ${text}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const deadline = setTimeout(() => {
  process.stderr.write('demo: gave up after 30 s\n');
  process.exit(1);
}, 30_000);

// Demo credentials, never printed: the host logs in with them, the emulator accepts only them.
const credentials = { username: 'admin', password: 'demo-password-not-a-secret' };
const server = await startEmulator({ credentials, warn: () => {} });
step(`Magic-API emulator: ${server.webUrl} (editor API), ${server.consoleUrl} (console); login required (user "${credentials.username}")`);

step('mcp-host start --config examples/magic-api/mcp-host.config.json   (stdio; its stderr is shown indented)');
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [cli, 'start', '--config', `${here}mcp-host.config.json`],
  env: { ...process.env, MAGIC_API_BASE_URL: server.baseUrl, MAGIC_API_USERNAME: credentials.username, MAGIC_API_PASSWORD: credentials.password },
  stderr: 'pipe',
});
let stderr = '';
transport.stderr?.on('data', (chunk) => {
  stderr += chunk;
  for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`    │ ${line}\n`);
});
const client = new Client({ name: 'mcp-host-demo', version: '0.1.0' });
const text = (result) => result.content[0].text;
const tool = async (name, args = {}) => JSON.parse(text(await client.callTool({ name, arguments: args })));
let exitCode = 0;
try {
  await client.connect(transport);
  const info = client.getServerVersion();
  step(`connected to ${info?.name} ${info?.version}`);

  const { tools } = await client.listTools();
  step(`tools: ${tools.map((item) => item.name).join(', ')}`);

  // The plugin logs in over HTTP first, then opens the console with that token (bounded wait).
  let magic;
  for (let attempt = 0; attempt < 100; attempt++) {
    magic = (await tool('ws_connections')).connections.find((connection) => connection.name === 'magic');
    if (magic?.state === 'open' && magic.console?.login === 'ok') break;
    await sleep(50);
  }
  step('ws_connections: the console, logged in with the token the HTTP login returned');
  say(JSON.stringify(magic, null, 2));
  if (magic?.console?.login !== 'ok') throw new Error('the console did not log in');

  // resources/list pages per source: follow the cursors (bounded).
  const resources = [];
  let cursor;
  for (let page = 0; page < 20; page++) {
    const result = await client.listResources(cursor ? { cursor } : {});
    resources.push(...result.resources);
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  step(`resources (${resources.length}): the script tree as magic-api:// URIs, and the docs folder`);
  for (const resource of resources) say(`  ${resource.uri}   ${resource.name}`);

  const uri = 'magic-api://api/用户管理/用户列表';
  step(`resources/read ${uri}: the script, then its metadata as JSON`);
  const { contents } = await client.readResource({ uri });
  say(contents[0].text);
  const metadata = JSON.parse(contents[1].text);
  say(JSON.stringify({ id: metadata.id, method: metadata.method, requestPath: metadata.requestPath, locked: metadata.locked, updateTime: metadata.updateTime }, null, 2));

  // Logs reach a console only for a request that names its client id and the script id (RequestHandler.java:95).
  const seq = magic.received;
  const url = `${server.baseUrl}${metadata.requestPath}?page=2&size=5`;
  step(`GET ${url}  with Magic-Request-Client-Id: ${magic.console.clientId}, Magic-Request-Script-Id: ${metadata.id}`);
  const response = await fetch(url, { headers: { 'Magic-Request-Client-Id': magic.console.clientId, 'Magic-Request-Script-Id': metadata.id } });
  say(`HTTP ${response.status} ${JSON.stringify(await response.json())}`);

  // The server flushes log lines about once a second (bounded wait).
  let lines = [];
  for (let attempt = 0; attempt < 60 && lines.length === 0; attempt++) {
    await sleep(100);
    const { messages } = await tool('ws_messages', { connection: 'magic', type: 'LOG' });
    lines = messages.filter((message) => message.seq > seq).flatMap((message) => message.data.lines);
  }
  step('ws_messages { connection: "magic", type: "LOG" }: the request\'s log line, routed to this console');
  for (const line of lines) say(`  ${line.trimEnd()}`);
  if (lines.length === 0) throw new Error('no log line arrived');

  step('closing stdin, as an MCP client does when it is done');
  const gone = new Promise((resolve) => (transport.onclose = resolve));
  await client.close();
  await gone;
  step('the host is gone; its shutdown report is the last lines above');
  for (let attempt = 0; attempt < 50 && server.harness.sockets().open > 0; attempt++) await sleep(20);
  const close = server.harness.connections()[0]?.frames.find((frame) => frame.direction === 'client' && frame.kind === 'close');
  const lastHttp = Math.max(...server.harness.sockets().log.filter((record) => record.kind === 'http').map((record) => record.closedAt ?? Infinity));
  say(`the emulator saw the console close with code ${close?.code ?? '(none)'} (1001 = going away: a clean close)${close && close.at <= lastHttp ? ', before the HTTP sockets ended' : ''}`);
  const report = stderr.slice(stderr.lastIndexOf('mcp-host: shutting down'));
  if (!/exit code 0/.test(report) || close?.code !== 1001) exitCode = 1;
} catch (error) {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : error}\n`);
  exitCode = 1;
} finally {
  await client.close().catch(() => {});
  await server.close();
  clearTimeout(deadline);
}
process.exitCode = exitCode;
