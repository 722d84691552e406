// The conformance suite's server checks, done with the SDK's real Client against the real CLI serving the
// fixture plugin, over stdio (which the suite cannot reach) and over HTTP. Stricter than the suite where it is
// loose: exact contents, so a bare server's `isError` for an unknown tool cannot pass for test_simple_text or
// test_error_handling, and delivery of subscriptions and the logging level, which the suite does not look at.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  McpError,
  ProgressNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type CreateMessageRequest,
  type ElicitRequest,
  type LoggingMessageNotification,
  type ProgressNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { CLI, isAlive, listAllPages } from '../src/index.js';

export type FixtureTransport = 'stdio' | 'http';

const FIXTURE = fileURLToPath(new URL('./conformance-plugin.mjs', import.meta.url));
const PNG_SIGNATURE = '89504e470d0a1a0a';

const SUITE_TOOLS = [
  'test_simple_text',
  'test_image_content',
  'test_audio_content',
  'test_embedded_resource',
  'test_multiple_content_types',
  'test_tool_with_logging',
  'test_tool_with_progress',
  'test_error_handling',
  'test_sampling',
  'test_elicitation',
  'test_elicitation_sep1034_defaults',
  'test_elicitation_sep1330_enums',
  'json_schema_2020_12_tool',
  'test_reconnection',
  // 0.2.0-alpha.12
  'test_missing_capability',
  'test_streaming_elicitation',
  'test_logging_tool',
  'test_custom_header_param',
  'test_trigger_tool_change',
  'test_trigger_prompt_change',
];

interface Fixture {
  client: Client;
  logs: LoggingMessageNotification['params'][];
  progress: ProgressNotification['params'][];
  updated: string[];
  /** `notifications/tools/list_changed` and `notifications/prompts/list_changed`, by kind, in order. */
  listChanged: ('tools' | 'prompts')[];
  sampling: CreateMessageRequest['params'][];
  elicitation: ElicitRequest['params'][];
  /** Where the host listens (HTTP only). */
  url?: URL;
  /** What the host wrote to stderr so far. */
  stderr(): string;
  /** Close the client and end the host; resolves with the host's exit code (HTTP) or whether it is gone (stdio). */
  stop(): Promise<{ code: number | null; gone: boolean }>;
}

/** Wait until `predicate` holds, bounded; for notifications that may come on another stream (HTTP GET). */
async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Start the real CLI with the fixture plugin and connect a Client that can sample and elicit. One per test
 * file (the host's start-up is most of the cost): the caller stops it in `afterAll`, registered at once.
 */
async function startFixture(kind: FixtureTransport, dir: string): Promise<Fixture> {
  const transportConfig = kind === 'http' ? { type: 'http', port: 0 } : { type: 'stdio' };
  writeFileSync(path.join(dir, 'mcp-host.config.json'), JSON.stringify({ name: 'mcp-host-conformance', version: '1.0.0', transport: transportConfig, plugins: [FIXTURE] }));
  const args = [CLI, 'start', '--config', path.join(dir, 'mcp-host.config.json')];

  const client = new Client({ name: 'conformance-fixture-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
  let stderr = '';
  const fixture: Fixture = { client, logs: [], progress: [], updated: [], listChanged: [], sampling: [], elicitation: [], stderr: () => stderr, stop: async () => ({ code: null, gone: false }) };
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void fixture.logs.push(notification.params));
  // Replaces the SDK's own progress routing, so the token the suite sends ('progress-test-1') is seen as is.
  client.setNotificationHandler(ProgressNotificationSchema, (notification) => void fixture.progress.push(notification.params));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void fixture.updated.push(notification.params.uri));
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void fixture.listChanged.push('tools'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => void fixture.listChanged.push('prompts'));
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    fixture.sampling.push(request.params);
    return { role: 'assistant', content: { type: 'text', text: 'This is a test response from the client' }, model: 'test-model', stopReason: 'endTurn' };
  });
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    fixture.elicitation.push(request.params);
    // The client checks an accepted answer against the requested schema: test_streaming_elicitation asks for `ok`.
    if ('requestedSchema' in request.params && 'ok' in (request.params.requestedSchema.properties ?? {})) return { action: 'accept', content: { ok: true } };
    return { action: 'accept', content: { username: 'testuser', email: 'test@example.com' } };
  });

  if (kind === 'stdio') {
    const transport = new StdioClientTransport({ command: process.execPath, args, cwd: dir, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    fixture.stop = async () => {
      const pid = transport.pid;
      // Ends the host's stdin, then waits for it to exit (the SDK escalates to signals after 2 s each).
      await client.close();
      return { code: null, gone: pid === null || !isAlive(pid) };
    };
    await client.connect(transport);
    return fixture;
  }

  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  fixture.stop = async () => {
    await client.close().catch(() => {});
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return { code, gone: true };
  };
  try {
    await until(() => /mcp-host: listening on \S+/.test(stderr) || child.exitCode !== null, 'the listening line', 20_000);
    const url = /mcp-host: listening on (\S+)/.exec(stderr)?.[1];
    if (!url) throw new Error(`mcp-host exited (${child.exitCode}) before listening:\n${stderr}`);
    fixture.url = new URL(url);
    await client.connect(new StreamableHTTPClientTransport(fixture.url));
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return fixture;
}

/** The requested schema's fields of a form-mode elicitation (url-mode ones have none). */
function formFields(params: ElicitRequest['params'] | undefined): Record<string, any> {
  if (!params || !('requestedSchema' in params)) throw new Error(`expected a form-mode elicitation, got ${JSON.stringify(params)}`);
  return params.requestedSchema.properties as Record<string, any>;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

/** Over HTTP, notifications outside a request travel on the GET stream, open shortly after initialize: warm it up. */
async function untilDelivered(trigger: () => Promise<unknown>, delivered: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  await trigger();
  while (!delivered()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!delivered()) await trigger();
  }
}

export function defineFixtureChecks(kind: FixtureTransport): void {
  let fixture: Fixture;
  let stopped: Promise<{ code: number | null; gone: boolean }> | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'mcp-host-conformance-'));
  const stop = () => (stopped ??= fixture ? fixture.stop() : Promise.resolve({ code: null, gone: true }));
  beforeAll(async () => {
    fixture = await startFixture(kind, dir);
  });
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const list of [fixture.logs, fixture.progress, fixture.updated, fixture.listChanged, fixture.sampling, fixture.elicitation]) list.length = 0;
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') process.stderr.write(`--- mcp-host stderr ---\n${fixture?.stderr() ?? ''}\n`);
  });

  test(`${kind}: initialize declares every capability the suite uses; ping and logging/setLevel answer {}`, async () => {
    const { client } = fixture;
    expect(client.getServerVersion()).toEqual({ name: 'mcp-host-conformance', version: '1.0.0' });
    const capabilities = client.getServerCapabilities();
    expect(capabilities).toMatchObject({ tools: {}, prompts: {}, logging: {}, completions: {}, resources: { subscribe: true } });
    expect(await client.ping()).toEqual({});
    expect(await client.setLoggingLevel('info')).toEqual({});
  });

  test(`${kind}: tools/list has the suite's tools, each described, and json_schema_2020_12_tool keeps its 2020-12 keywords`, async () => {
    const { client } = fixture;
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(SUITE_TOOLS));
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe('object');
    }
    const schema = tools.find((tool) => tool.name === 'json_schema_2020_12_tool')!.inputSchema as Record<string, any>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$defs.address).toEqual({ $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } });
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.address.$ref).toBe('#/$defs/address');
    // SEP-2106's composition and conditional keywords, as the suite's own fixture has them.
    expect(schema.allOf).toEqual([{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }]);
    expect([schema.if, schema.then, schema.else]).toEqual([{ properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] }, { required: ['phone'] }, { required: ['email'] }]);
    expect(schema.properties.contactMethod).toMatchObject({ type: 'string', enum: ['phone', 'email'] });

    // The schema still validates, as advertised: a known shape is accepted; an unknown key, or no email when
    // contactMethod is not phone, or no phone when it is, is the tool's input error.
    const accepted = await call(client, 'json_schema_2020_12_tool', { name: 'Ada', address: { city: 'London' }, email: 'ada@example.com' });
    expect(accepted.content).toEqual([{ type: 'text', text: 'JSON Schema 2020-12 tool called with: {"name":"Ada","address":{"city":"London"},"email":"ada@example.com"}' }]);
    expect((await call(client, 'json_schema_2020_12_tool', { contactMethod: 'phone', phone: '123' })).isError).toBeFalsy();
    expect((await call(client, 'json_schema_2020_12_tool', { nickname: 'x', email: 'e' })).isError).toBe(true);
    expect((await call(client, 'json_schema_2020_12_tool', { name: 'Ada' })).isError).toBe(true);
    expect((await call(client, 'json_schema_2020_12_tool', { contactMethod: 'phone', email: 'e' })).isError).toBe(true);

    // An unknown tool is a protocol error (-32602), not an isError result.
    const unknown = await client.callTool({ name: 'no_such_tool' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(McpError);
    expect((unknown as McpError).code).toBe(-32602);
  });

  test(`${kind}: content tools return exactly text, image, audio, embedded resource, mixed; a throwing tool is isError`, async () => {
    const { client } = fixture;
    const simple = await call(client, 'test_simple_text');
    expect(simple.isError).toBeFalsy();
    expect(simple.content).toEqual([{ type: 'text', text: 'This is a simple text response for testing.' }]);

    const [image] = (await call(client, 'test_image_content')).content as any[];
    expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
    expect(Buffer.from(image.data, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);

    const [audio] = (await call(client, 'test_audio_content')).content as any[];
    expect(audio).toMatchObject({ type: 'audio', mimeType: 'audio/wav' });
    const wav = Buffer.from(audio.data, 'base64');
    expect([wav.toString('ascii', 0, 4), wav.toString('ascii', 8, 12), wav.readUInt32LE(4)]).toEqual(['RIFF', 'WAVE', wav.length - 8]);

    expect((await call(client, 'test_embedded_resource')).content).toEqual([
      { type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } },
    ]);
    const mixed = (await call(client, 'test_multiple_content_types')).content as any[];
    expect(mixed.map((item) => item.type)).toEqual(['text', 'image', 'resource']);
    expect(JSON.parse(mixed[2].resource.text)).toEqual({ test: 'data', value: 123 });

    const failed = await call(client, 'test_error_handling');
    expect(failed.isError).toBe(true);
    expect(failed.content).toEqual([{ type: 'text', text: 'This tool intentionally returns an error for testing' }]);
  });

  test(`${kind}: a tool's log and progress notifications arrive during its call, in order`, async () => {
    const { client } = fixture;
    await client.setLoggingLevel('debug');
    const logged = await call(client, 'test_tool_with_logging');
    expect(logged.content).toEqual([{ type: 'text', text: 'Tool with logging executed successfully' }]);
    // Sent on the request's own stream, so they are all here when the result is.
    expect(fixture.logs.filter((log) => log.logger === 'conformance').map((log) => [log.level, log.data])).toEqual([
      ['info', 'Tool execution started'],
      ['info', 'Tool processing data'],
      ['info', 'Tool execution completed'],
    ]);

    const result = await client.request(
      { method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'progress-test-1' } } },
      CallToolResultSchema,
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Progress reported for token progress-test-1' }]);
    expect(fixture.progress.map(({ progressToken, progress, total }) => ({ progressToken, progress, total }))).toEqual([
      { progressToken: 'progress-test-1', progress: 0, total: 100 },
      { progressToken: 'progress-test-1', progress: 50, total: 100 },
      { progressToken: 'progress-test-1', progress: 100, total: 100 },
    ]);
  });

  if (kind === 'http') {
    test('http: a second session whose client declared neither sampling nor elicitation is refused up front, naming it', async () => {
      const plain = new Client({ name: 'plain-client', version: '1.0.0' });
      await plain.connect(new StreamableHTTPClientTransport(fixture.url!));
      try {
        const sampled = await call(plain, 'test_sampling', { prompt: 'never sent' });
        expect(sampled.isError).toBe(true);
        expect(sampled.content).toEqual([{ type: 'text', text: 'The client (plain-client) did not declare the sampling capability (in initialize, or on 2026-07-28 in the request _meta); this tool needs it.' }]);
        const elicited = await call(plain, 'test_elicitation', { message: 'never sent' });
        expect(elicited.isError).toBe(true);
        expect(JSON.stringify(elicited.content)).toContain('did not declare the elicitation capability');
        const unsampled = await call(plain, 'test_missing_capability');
        expect(unsampled.isError).toBe(true);
        expect(JSON.stringify(unsampled.content)).toContain('did not declare the sampling capability');
        // Nothing reached the first session's client, which can do both.
        expect(fixture.sampling).toEqual([]);
        expect(fixture.elicitation).toEqual([]);
      } finally {
        await plain.close();
      }
    });
  }

  test(`${kind}: sampling and the three elicitation tools ask the client, with the suite's schemas, and report its answer`, async () => {
    const { client } = fixture;
    const sampled = await call(client, 'test_sampling', { prompt: 'Test prompt for sampling' });
    expect(sampled.content).toEqual([{ type: 'text', text: 'LLM response: This is a test response from the client' }]);
    expect(fixture.sampling).toEqual([{ messages: [{ role: 'user', content: { type: 'text', text: 'Test prompt for sampling' } }], maxTokens: 100 }]);

    const elicited = await call(client, 'test_elicitation', { message: 'Please provide your information' });
    expect(elicited.content).toEqual([{ type: 'text', text: 'Elicitation completed: action=accept, content={"username":"testuser","email":"test@example.com"}' }]);
    expect(fixture.elicitation[0]).toMatchObject({ message: 'Please provide your information', requestedSchema: { type: 'object', required: ['username', 'email'] } });

    await call(client, 'test_elicitation_sep1034_defaults');
    const defaults = formFields(fixture.elicitation[1]);
    expect(Object.fromEntries(Object.entries(defaults).map(([key, field]) => [key, [field.type, field.default]]))).toEqual({
      name: ['string', 'John Doe'],
      age: ['integer', 30],
      score: ['number', 95.5],
      status: ['string', 'active'],
      verified: ['boolean', true],
    });
    expect(defaults.status.enum).toContain('active');

    await call(client, 'test_elicitation_sep1330_enums');
    const enums = formFields(fixture.elicitation[2]);
    expect(enums.untitledSingle).toMatchObject({ type: 'string', enum: ['option1', 'option2', 'option3'] });
    expect(enums.untitledSingle.oneOf).toBeUndefined();
    expect(enums.titledSingle.oneOf.map((option: any) => option.const)).toEqual(['value1', 'value2', 'value3']);
    expect(enums.titledSingle.enum).toBeUndefined();
    expect(enums.legacyEnum.enumNames).toHaveLength(enums.legacyEnum.enum.length);
    expect(enums.untitledMulti).toMatchObject({ type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } });
    expect(enums.titledMulti.items.anyOf.every((option: any) => typeof option.const === 'string' && typeof option.title === 'string')).toBe(true);
  });

  test(`${kind}: the 0.2.0-alpha.12 diagnostic tools sample, elicit, log to the caller and declare their header`, async () => {
    const { client } = fixture;
    expect((await call(client, 'test_missing_capability')).content).toEqual([{ type: 'text', text: 'Success' }]);
    expect(fixture.sampling).toEqual([{ messages: [{ role: 'user', content: { type: 'text', text: 'Say hello' } }], maxTokens: 10 }]);

    expect((await call(client, 'test_streaming_elicitation')).content).toEqual([{ type: 'text', text: 'Elicitation completed: action=accept, content={"ok":true}' }]);
    expect(formFields(fixture.elicitation[0])).toEqual({ ok: { type: 'boolean' } });

    await client.setLoggingLevel('info');
    expect((await call(client, 'test_logging_tool')).content).toEqual([{ type: 'text', text: 'logged three info lines' }]);
    // The request logger's lines go on the request's own stream, so they are here with the result.
    expect(fixture.logs.filter((log) => log.logger === 'conformance').map((log) => [log.level, log.data])).toEqual([
      ['info', 'logging tool started'],
      ['info', 'logging tool working'],
      ['info', 'logging tool done'],
    ]);

    const { tools } = await client.listTools();
    const header = tools.find((tool) => tool.name === 'test_custom_header_param')!.inputSchema as Record<string, any>;
    expect(header.properties.region).toMatchObject({ type: 'string', 'x-mcp-header': 'Region' });
    expect(header.required).toEqual(['region']);
    expect((await call(client, 'test_custom_header_param', { region: 'eu-west' })).content).toEqual([{ type: 'text', text: 'region: eu-west' }]);
  });

  test(`${kind}: the trigger tools register a tool and a prompt while serving, announced with list_changed`, async () => {
    const { client } = fixture;
    const added = await call(client, 'test_trigger_tool_change');
    const tool = /^registered tool (\S+)$/.exec((added.content[0] as { text: string }).text)?.[1];
    expect(tool).toMatch(/^test_added_tool_\d+$/);
    // Over HTTP the notification is not related to the call: it comes on the GET stream, maybe after the result.
    await until(() => fixture.listChanged.includes('tools'), 'notifications/tools/list_changed');
    expect((await client.listTools()).tools.map((entry) => entry.name)).toContain(tool);
    expect((await call(client, tool!)).content).toEqual([{ type: 'text', text: `${tool} called` }]);

    const prompted = await call(client, 'test_trigger_prompt_change');
    const prompt = /^registered prompt (\S+)$/.exec((prompted.content[0] as { text: string }).text)?.[1];
    await until(() => fixture.listChanged.includes('prompts'), 'notifications/prompts/list_changed');
    expect((await client.listPrompts()).prompts.map((entry) => entry.name)).toContain(prompt);
  });

  test(`${kind}: resources list, read (text, binary, template) and an unknown URI is -32002`, async () => {
    const { client } = fixture;
    // The host pages resources/list (the plugin's own registrations, then each provider): follow the cursors
    // (listAllPages throws if there is still a next page after 10).
    const { resources } = await listAllPages((params) => client.listResources(params), { maxPages: 10 });
    expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['test://static-text', 'test://static-binary', 'test://watched-resource']));
    for (const resource of resources) expect(resource.name, resource.uri).toBeTruthy();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('test://template/{id}/data');

    expect((await client.readResource({ uri: 'test://static-text' })).contents).toEqual([
      { uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
    ]);
    const [binary] = (await client.readResource({ uri: 'test://static-binary' })).contents as any[];
    expect(binary).toMatchObject({ uri: 'test://static-binary', mimeType: 'image/png' });
    expect(Buffer.from(binary.blob, 'base64').subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    const [templated] = (await client.readResource({ uri: 'test://template/123/data' })).contents as any[];
    expect(templated).toMatchObject({ uri: 'test://template/123/data', mimeType: 'application/json' });
    expect(JSON.parse(templated.text)).toEqual({ id: '123', templateTest: true, data: 'Data for ID: 123' });

    const missing = await client.readResource({ uri: 'test://no-such-resource' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(McpError);
    expect((missing as McpError).code).toBe(-32002);
  });

  test(`${kind}: a subscription delivers resources/updated until unsubscribed`, async () => {
    const { client } = fixture;
    const touch = () => call(client, 'conformance_touch_watched_resource');
    expect(await client.subscribeResource({ uri: 'test://watched-resource' })).toEqual({});
    await untilDelivered(touch, () => fixture.updated.length > 0, 'the first resources/updated');
    expect(new Set(fixture.updated)).toEqual(new Set(['test://watched-resource']));
    const before = fixture.updated.length;

    expect(await client.unsubscribeResource({ uri: 'test://watched-resource' })).toEqual({});
    await touch();
    await client.subscribeResource({ uri: 'test://watched-resource' });
    await touch();
    await until(() => fixture.updated.length > before, 'resources/updated after subscribing again');
    // Notifications travel in order on one stream: one sent while unsubscribed would have come first.
    expect(fixture.updated.length).toBe(before + 1);
    const [content] = (await client.readResource({ uri: 'test://watched-resource' })).contents as any[];
    expect(content.text).toMatch(/revision \d+$/);
  });

  test(`${kind}: prompts list, get (simple, arguments, embedded resource, image) and arg1 completes`, async () => {
    const { client } = fixture;
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(
      expect.arrayContaining(['test_simple_prompt', 'test_prompt_with_arguments', 'test_prompt_with_embedded_resource', 'test_prompt_with_image']),
    );
    for (const prompt of prompts) expect(prompt.description, prompt.name).toBeTruthy();
    const withArguments = prompts.find((prompt) => prompt.name === 'test_prompt_with_arguments')!;
    expect(withArguments.arguments?.map(({ name, required }) => [name, required])).toEqual([
      ['arg1', true],
      ['arg2', true],
    ]);

    expect((await client.getPrompt({ name: 'test_simple_prompt' })).messages).toEqual([{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }]);
    expect((await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'testValue1', arg2: 'testValue2' } })).messages).toEqual([
      { role: 'user', content: { type: 'text', text: "Prompt with arguments: arg1='testValue1', arg2='testValue2'" } },
    ]);
    const embedded = await client.getPrompt({ name: 'test_prompt_with_embedded_resource', arguments: { resourceUri: 'test://example-resource' } });
    expect(embedded.messages[0]!.content).toMatchObject({ type: 'resource', resource: { uri: 'test://example-resource' } });
    const image = await client.getPrompt({ name: 'test_prompt_with_image' });
    expect(image.messages[0]!.content).toMatchObject({ type: 'image', mimeType: 'image/png' });

    const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'pa' } });
    expect(completion.completion.values).toEqual(['paris', 'park', 'party']);
    expect((await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg2', value: 'x' } })).completion.values).toEqual([]);
  });

  // Over HTTP the SDK keeps each session's level under its session id: the mirror must name the session.
  test(`${kind}: logging/setLevel sets the minimum level of the host.logger lines mirrored to this client`, async () => {
    const { client } = fixture;
    await client.setLoggingLevel('warning');
    const mirrored = (line: string) => fixture.logs.some((log) => log.logger === 'conformance' && log.data === line);
    await untilDelivered(() => call(client, 'conformance_log_levels'), () => mirrored('conformance warning line'), 'the warning line');
    // Lines travel in order on one stream: an info line let through would have come before the warning.
    expect(fixture.logs.filter((log) => log.logger === 'conformance').map((log) => log.level)).not.toContain('info');
    expect(mirrored('conformance info line')).toBe(false);
    expect(mirrored('conformance debug line')).toBe(false);
  });

  test(`${kind}: the host shuts down cleanly when the client leaves (stdio: stdin closed; HTTP: SIGTERM, exit 0)`, async () => {
    const { code, gone } = await stop();
    expect(gone).toBe(true);
    if (kind === 'http') expect(code).toBe(0);
  });
}
