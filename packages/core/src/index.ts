/**
 * @mcp-host/core — what a plugin author needs: `definePlugin`, the plugin host's types, the hooks as plugins
 * tap them, errors, service keys, logger types, `z`, the bounded-wait helper, and the MCP SDK types and values
 * plugins use, re-exported so a plugin depends on core only and an SDK upgrade touches one package.
 * Embedding a host (createHost, config loading, exit codes) is `@mcp-host/core/host`; driving one as a
 * client is `@mcp-host/core/client`. A test pins this list.
 */
export { definePlugin, type Plugin, type PluginHost, type RequestLogTarget, type RequestClient, type RequestClientTarget, type HostState, type OptionsSchema, type InferOptions, type ToolConfig, type PromptConfig } from './plugin.js';
export type { HostHooks, TapOnlyHook, TapOptions, HostTapOptions, StartContext, StoppingContext, ShutdownContext } from './hooks.js';
export type { ShutdownReason, ShutdownReport, TapReport, TapOutcome, DrainReport } from './shutdown-report.js';
export { HostError, isHostError, describeError, type HostErrorCode, type HostErrorOptions, type Problem } from './errors.js';
export { createServiceKey, type ServiceKey } from './services.js';
export { LOG_LEVELS, type LogLevel, type Logger } from './logger.js';
export { SHUTTING_DOWN_CODE, RESOURCE_NOT_FOUND_CODE } from './protocol-errors.js';
export { boundedWait, type BoundedResult } from './bounded-wait.js';
export { uniqueNames } from './unique-names.js';
export type { ResourceProvider, ResourcePage, ResourceRequestContext } from './resource-catalog.js';

// What plugins need from the MCP SDK.
export { ResourceTemplate, type ReadResourceCallback, type ReadResourceTemplateCallback, type ResourceMetadata, type ToolCallback, type PromptCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
export { McpError, ErrorCode, type CallToolResult, type ClientCapabilities, type ReadResourceResult, type GetPromptResult, type Resource, type ResourceTemplate as ResourceTemplateDescriptor, type TextContent, type ImageContent, type BlobResourceContents, type TextResourceContents } from '@modelcontextprotocol/sdk/types.js';
export { completable } from '@modelcontextprotocol/sdk/server/completable.js';
// Result schemas for a tool's server-to-client requests: `extra.sendRequest(request, CreateMessageResultSchema)`.
export { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
export { z } from 'zod';
