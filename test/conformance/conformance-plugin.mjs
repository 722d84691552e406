// The server contract of @modelcontextprotocol/conformance's server scenarios, 0.1.12 and 0.2.0-alpha.12 (the
// `conformance-next` alias), written as an mcp-host plugin against @mcp-host/core's public API only: no SDK import,
// no reach into the SDK server. Where the API cannot express something a suite wants, the scenario is in that
// run's expected-failures*.yml with the reason.
import { CreateMessageResultSchema, ElicitResultSchema, ResourceTemplate, completable, definePlugin, z } from '@mcp-host/core';

const PLUGIN_NAME = 'conformance';

/** A 1×1 red PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
/** A WAV file: PCM, mono, 8 kHz, 16 bit, one silent sample. */
const WAV_BASE64 = silentWav().toString('base64');

const WATCHED_URI = 'test://watched-resource';
const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

const text = (value) => ({ type: 'text', text: value });

function silentWav(samples = 1, rate = 8000) {
  const data = samples * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  return wav;
}

export default definePlugin({
  name: PLUGIN_NAME,
  description: 'Tools, resources and prompts the MCP conformance suite (0.1.12, 0.2.0-alpha.12) expects of a server.',
  apply(host) {
    registerTools(host);
    registerResources(host);
    registerPrompts(host);
  },
});

function registerTools(host) {
  host.tool('test_simple_text', { description: 'Returns one text item.' }, () => ({
    content: [text('This is a simple text response for testing.')],
  }));

  host.tool('test_image_content', { description: 'Returns one PNG image.' }, () => ({
    content: [{ type: 'image', data: PNG_BASE64, mimeType: 'image/png' }],
  }));

  host.tool('test_audio_content', { description: 'Returns one WAV clip.' }, () => ({
    content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
  }));

  host.tool('test_embedded_resource', { description: 'Returns an embedded text resource.' }, () => ({
    content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
  }));

  host.tool('test_multiple_content_types', { description: 'Returns text, an image and an embedded resource.' }, () => ({
    content: [
      text('Multiple content types test:'),
      { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
      { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
    ],
  }));

  host.tool('test_tool_with_logging', { description: 'Sends three info log notifications while it runs.' }, async (extra) => {
    // On the request's own stream (HTTP) rather than host.logger, which goes to every session.
    const log = (data) => extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: PLUGIN_NAME, data } });
    await log('Tool execution started');
    await sleep(50, extra.signal);
    await log('Tool processing data');
    await sleep(50, extra.signal);
    await log('Tool execution completed');
    return { content: [text('Tool with logging executed successfully')] };
  });

  host.tool('test_tool_with_progress', { description: 'Reports progress 0, 50, 100 of 100 when given a progress token.' }, async (extra) => {
    const progressToken = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progress > 0) await sleep(50, extra.signal);
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `Completed ${progress} of 100` } });
      }
    }
    return { content: [text(`Progress reported for token ${String(progressToken ?? '(none)')}`)] };
  });

  host.tool('test_error_handling', { description: 'Always fails: the failure comes back as an isError result.' }, () => {
    throw new Error('This tool intentionally returns an error for testing');
  });

  host.tool(
    'test_sampling',
    { description: 'Asks the client to sample an LLM with the prompt.', inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') } },
    async ({ prompt }, extra) => {
      const refusal = missingCapability(host, extra, 'sampling');
      if (refusal) return refusal;
      try {
        const result = await extra.sendRequest(
          { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: text(prompt) }], maxTokens: 100 } },
          CreateMessageResultSchema,
        );
        return { content: [text(`LLM response: ${result.content.type === 'text' ? result.content.text : `(${result.content.type})`}`)] };
      } catch (error) {
        return { isError: true, content: [text(`Sampling failed: ${error.message}`)] };
      }
    },
  );

  host.tool(
    'test_elicitation',
    { description: 'Asks the user for a username and an email.', inputSchema: { message: z.string().describe('The message to show the user') } },
    async ({ message }, extra) =>
      elicit(host, extra, {
        message,
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      }),
  );

  host.tool('test_elicitation_sep1034_defaults', { description: 'Elicits one field of each primitive type, each with a default (SEP-1034).' }, (extra) =>
    elicit(host, extra, {
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
          verified: { type: 'boolean', description: 'Verification status', default: true },
        },
        required: [],
      },
    }),
  );

  host.tool('test_elicitation_sep1330_enums', { description: 'Elicits the five enum field shapes of SEP-1330.' }, (extra) =>
    elicit(host, extra, {
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
          untitledMulti: { type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3, items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    }),
  );

  // SEP-1613: the advertised inputSchema keeps $schema (2020-12), $defs and additionalProperties; SEP-2106 (checked at
  // 2026-07-28 by 0.2.0-alpha.12) adds $anchor, allOf/anyOf and if/then/else, as the suite's JSON_SCHEMA_2020_12_FIXTURE.
  // The SDK turns zod into JSON Schema and merges zod metadata into the output as is, which is how those keywords
  // get there. What they say is enforced too (the refinement), so the tool accepts exactly what it advertises.
  const address = z.object({ street: z.string().optional(), city: z.string().optional() });
  host.tool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features (SEP-1613, SEP-2106)',
      inputSchema: z
        .strictObject({
          name: z.string().optional(),
          address: address.optional().meta({ $ref: '#/$defs/address' }),
          contactMethod: z.enum(['phone', 'email']).optional(),
          phone: z.string().optional(),
          email: z.string().optional(),
        })
        .superRefine((args, ctx) => {
          // allOf: [{ anyOf: [{ required: [phone] }, { required: [email] }] }], then if/then/else on contactMethod.
          const needed = args.contactMethod === 'phone' ? 'phone' : 'email';
          if (args[needed] === undefined) ctx.addIssue({ code: 'custom', path: [needed], message: `${needed} is required${args.contactMethod ? ` when contactMethod is ${args.contactMethod}` : ''}` });
        })
        .meta({
          $schema: JSON_SCHEMA_2020_12,
          $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
          allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
          if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
          then: { required: ['phone'] },
          else: { required: ['email'] },
        }),
    },
    (args) => ({ content: [text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`)] }),
  );

  // SEP-1699: close the request's SSE stream mid-call; the client reconnects (GET with Last-Event-ID) and gets
  // the result from the event store. `extra.closeSSEStream` exists only when the transport keeps an event store
  // and the client speaks 2025-11-25 or later; otherwise the result simply comes on the open stream.
  host.tool('test_reconnection', { description: 'Closes its SSE stream mid-call, then answers (SEP-1699).' }, async (extra) => {
    extra.closeSSEStream?.();
    await sleep(100, extra.signal);
    return { content: [text('Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.')] };
  });

  // 0.2.0-alpha.12, server-stateless (2026-07-28): diagnostic tools the scenario probes. test_missing_capability needs
  // sampling: called by a client that did not declare it, it must not run (the 2026 revision wants -32021 then).
  host.tool('test_missing_capability', { description: 'Needs the client\'s sampling capability; asks for one sample.' }, async (extra) => {
    const refusal = missingCapability(host, extra, 'sampling');
    if (refusal) return refusal;
    try {
      await extra.sendRequest({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: text('Say hello') }], maxTokens: 10 } }, CreateMessageResultSchema);
      return { content: [text('Success')] };
    } catch (error) {
      return { isError: true, content: [text(`Sampling failed: ${error.message}`)] };
    }
  });

  // Its response stream may carry notifications and the result only, never a request of its own (2026-07-28).
  host.tool('test_streaming_elicitation', { description: 'Asks the user to confirm while it runs.' }, (extra) =>
    elicit(host, extra, { message: 'Please confirm', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } }),
  );

  // Logs through the request logger, which honours the requesting client's level: a 2026-07-28 request that sets
  // no _meta logLevel must get no notifications/message at all.
  host.tool('test_logging_tool', { description: 'Logs three info lines to the requesting client.' }, (extra) => {
    const log = host.requestLogger(extra);
    for (const line of ['logging tool started', 'logging tool working', 'logging tool done']) log.info(line);
    return { content: [text('logged three info lines')] };
  });

  // 0.2.0-alpha.12, http-custom-header-server-validation (SEP-2243): a string parameter mirrored in an
  // `Mcp-Param-Region` header, which the server must check against the body.
  host.tool(
    'test_custom_header_param',
    { description: 'Echoes its region, which clients also send as the Mcp-Param-Region header (SEP-2243).', inputSchema: { region: z.string().describe('A region name').meta({ 'x-mcp-header': 'Region' }) } },
    ({ region }) => ({ content: [text(`region: ${region}`)] }),
  );

  // 0.2.0-alpha.12, server-stateless (2026-07-28): hooks that change the tool and the prompt list while serving, so a
  // subscriptions/listen stream asking for toolsListChanged / promptsListChanged gets its notification. Each call
  // registers one more (a name is registered once).
  let added = 0;
  host.tool('test_trigger_tool_change', { description: 'Registers one more tool while serving (tools/list_changed).' }, () => {
    const name = `test_added_tool_${++added}`;
    host.tool(name, { description: 'Registered by test_trigger_tool_change.' }, () => ({ content: [text(`${name} called`)] }));
    return { content: [text(`registered tool ${name}`)] };
  });
  host.tool('test_trigger_prompt_change', { description: 'Registers one more prompt while serving (prompts/list_changed).' }, () => {
    const name = `test_added_prompt_${++added}`;
    host.prompt(name, { description: 'Registered by test_trigger_prompt_change.' }, () => ({ messages: [{ role: 'user', content: text(`${name}`) }] }));
    return { content: [text(`registered prompt ${name}`)] };
  });

  // Not in the suite: host.logger at three levels, to see logging/setLevel filter what reaches the client.
  host.tool('conformance_log_levels', { description: 'Logs one debug, one info and one warning line through host.logger.' }, () => {
    host.logger.debug('conformance debug line');
    host.logger.info('conformance info line');
    host.logger.warning('conformance warning line');
    return { content: [text('logged debug, info, warning')] };
  });

  // Not in the suite: lets a test see a subscription deliver notifications/resources/updated.
  host.tool('conformance_touch_watched_resource', { description: `Changes ${WATCHED_URI} and notifies its subscribers.` }, () => {
    watched.revision++;
    host.notifyResourceUpdated(WATCHED_URI);
    return { content: [text(`${WATCHED_URI} is at revision ${watched.revision}`)] };
  });
}

/** The shared state of the watched resource, across sessions. */
const watched = { revision: 0 };

/** An isError result when the requesting client did not declare `capability`; asking it anyway would only fail later. */
function missingCapability(host, extra, capability) {
  const client = host.requestClient(extra);
  if (client.capabilities[capability]) return undefined;
  return { isError: true, content: [text(`The client (${client.name ?? 'unnamed'}) did not declare the ${capability} capability (in initialize, or on 2026-07-28 in the request _meta); this tool needs it.`)] };
}

async function elicit(host, extra, params) {
  const refusal = missingCapability(host, extra, 'elicitation');
  if (refusal) return refusal;
  try {
    const result = await extra.sendRequest({ method: 'elicitation/create', params }, ElicitResultSchema);
    return { content: [text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)] };
  } catch (error) {
    return { isError: true, content: [text(`Elicitation failed: ${error.message}`)] };
  }
}

function registerResources(host) {
  host.resource('static-text', 'test://static-text', { title: 'Static Text Resource', description: 'A static text resource', mimeType: 'text/plain' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
  }));

  host.resource('static-binary', 'test://static-binary', { title: 'Static Binary Resource', description: 'A PNG image', mimeType: 'image/png' }, (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }],
  }));

  host.resource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Resource Template', description: 'Data for one id', mimeType: 'application/json' },
    (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }],
    }),
  );

  // Subscriptions need a provider: the host asks it to start and stop tracking a URI.
  const resource = { uri: WATCHED_URI, name: 'watched-resource', title: 'Watched Resource', description: 'Changes when conformance_touch_watched_resource runs', mimeType: 'text/plain' };
  host.resources({
    list: () => ({ resources: [resource] }),
    read: (uri) => (uri === WATCHED_URI ? { contents: [{ uri, mimeType: 'text/plain', text: `Watched resource content, revision ${watched.revision}` }] } : undefined),
    subscribe: (uri) => uri === WATCHED_URI,
    unsubscribe: () => {},
  });
}

function registerPrompts(host) {
  host.prompt('test_simple_prompt', { title: 'Simple Test Prompt', description: 'A prompt without arguments' }, () => ({
    messages: [{ role: 'user', content: text('This is a simple prompt for testing.') }],
  }));

  host.prompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with two required arguments; arg1 completes',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) => ['paris', 'park', 'party', 'test', 'testValue1'].filter((word) => word.startsWith(value))),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({ messages: [{ role: 'user', content: text(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`) }] }),
  );

  host.prompt(
    'test_prompt_with_embedded_resource',
    { title: 'Prompt With Embedded Resource', description: 'A prompt that embeds the resource it is given', argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') } },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: text('Please process the embedded resource above.') },
      ],
    }),
  );

  host.prompt('test_prompt_with_image', { title: 'Prompt With Image', description: 'A prompt with an image' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: text('Please analyze the image above.') },
    ],
  }));
}
