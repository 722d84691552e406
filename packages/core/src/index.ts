/**
 * @mcp-host/core — the host, its hooks, the plugin API, config loading and transports.
 * Plugins import everything they need from here (SDK types included), never from the SDK directly,
 * so an SDK upgrade touches one package.
 */
export { createHost, Host, type CreateHostOptions, type HostDescription } from './host.js';
export { definePlugin, isPlugin, type Plugin, type PluginHost, type RequestLogTarget, type RequestClient, type RequestClientTarget, type HostState, type OptionsSchema, type InferOptions, type ToolConfig, type PromptConfig } from './plugin.js';
export { HOOK_NAMES, type HostHooks, type HookName, type HostTapOptions, type StartContext, type ShutdownContext } from './hooks.js';
export { formatShutdownReport, SHUTDOWN_REASONS, type ShutdownReason, type ShutdownReport, type TapReport, type TapOutcome, type DrainReport } from './shutdown-report.js';
export { HostError, isHostError, describeError, formatError, formatErrorStack, problemsOf, ERROR_CODES, type HostErrorCode, type HostErrorOptions, type Problem } from './errors.js';
export { EXIT_CODES, exitCodeFor, signalExitCode } from './exit-codes.js';
export { CORE_VERSION } from './version.js';
export { createServiceKey, type ServiceKey } from './services.js';
export { LOG_LEVELS, type LogLevel, type Logger } from './logger.js';
export { hostConfigSchema, type HostConfig, type HostConfigInput } from './config-schema.js';
export { configJsonSchema, type SchemaPlugin } from './config-json-schema.js';
export { loadConfigFile, displayPath, SEARCH_PLACES, MODULE_NAME } from './config-loader.js';
export { resolveConfig, type ResolvedConfig, type ResolvedPlugin } from './resolve-config.js';
export { SHUTTING_DOWN_CODE, RESOURCE_NOT_FOUND_CODE } from './protocol-errors.js';
export { boundedWait, type BoundedResult } from './bounded-wait.js';
export { uniqueNames } from './unique-names.js';
export { type ResourceProvider, type ResourcePage, type ResourceRequestContext } from './resource-catalog.js';
export type { TapPlanEntry } from './tap-runner.js';

// What plugins need from the MCP SDK, re-exported so plugins depend on core only.
export { ResourceTemplate, type McpServer, type ReadResourceCallback, type ReadResourceTemplateCallback, type ResourceMetadata, type ToolCallback, type PromptCallback } from '@modelcontextprotocol/sdk/server/mcp.js';
export { McpError, ErrorCode, type CallToolResult, type ClientCapabilities, type ReadResourceResult, type GetPromptResult, type Resource, type ResourceTemplate as ResourceTemplateDescriptor, type TextContent, type ImageContent, type BlobResourceContents, type TextResourceContents } from '@modelcontextprotocol/sdk/types.js';
export { completable } from '@modelcontextprotocol/sdk/server/completable.js';
// Result schemas for a tool's server-to-client requests: `extra.sendRequest(request, CreateMessageResultSchema)`.
export { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
export type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
export { z } from 'zod';
