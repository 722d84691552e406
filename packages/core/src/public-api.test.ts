import { expect, test } from 'vitest';
import * as client from './client.js';
import * as embedding from './embedding.js';
import * as plugins from './index.js';

// The values each entry point exports (types are erased at run time; the typecheck keeps those honest). A name
// added here is API a plugin author or embedder will rely on: add it on purpose, and document it.

test('@mcp-host/core is what plugin authors need, and only that', () => {
  expect(Object.keys(plugins).sort()).toEqual([
    'CreateMessageResultSchema',
    'ElicitResultSchema',
    'ErrorCode',
    'HostError',
    'LOG_LEVELS',
    'McpError',
    'RESOURCE_NOT_FOUND_CODE',
    'ResourceTemplate',
    'SHUTTING_DOWN_CODE',
    'boundedWait',
    'completable',
    'createServiceKey',
    'definePlugin',
    'describeError',
    'isHostError',
    'uniqueNames',
    'z',
  ]);
});

test('@mcp-host/core/host is what embedders need: a host, its config, its errors and exit codes', () => {
  expect(Object.keys(embedding).sort()).toEqual([
    'CORE_VERSION',
    'ERROR_CODES',
    'EXIT_CODES',
    'Host',
    'SEARCH_PLACES',
    'configJsonSchema',
    'createHost',
    'createHttpSessionServer',
    'displayPath',
    'exitCodeFor',
    'formatError',
    'isPlugin',
  ]);
});

test('@mcp-host/core/client is the SDK client side, for the testing kit and scripts', () => {
  expect(Object.keys(client).sort()).toEqual([
    'Client',
    'InMemoryTransport',
    'LoggingMessageNotificationSchema',
    'ProgressNotificationSchema',
    'ResourceListChangedNotificationSchema',
    'ResourceUpdatedNotificationSchema',
    'StdioClientTransport',
    'StreamableHTTPClientTransport',
  ]);
});
