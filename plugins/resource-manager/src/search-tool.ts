import { z, type CallToolResult, type PluginHost } from '@mcp-host/core';
import type { ResourceManager } from './resource-service.js';

export const SEARCH_TOOL = 'resources_search';

/**
 * `resources_search`: find resources by name or path substring across sources, for clients that do not
 * browse resources. Hits come back as `resource_link` content (the client can read them) plus a text list;
 * an unknown source or a failing one is an `isError` result (the tool's own failure, not a protocol error).
 */
export function registerSearchTool(host: PluginHost, manager: ResourceManager): void {
  host.tool(
    SEARCH_TOOL,
    {
      title: 'Search resources',
      description:
        'Find files and documents served as MCP resources by a case-insensitive substring of their name or path, across all sources or in one. Returns resource links you can read with resources/read.',
      inputSchema: {
        query: z.string().min(1).max(500).describe('Substring of the resource name or path, e.g. "guide" or "api/v2"'),
        // Not listed here: sources contributed by plugins applied later would be missing. An unknown name is answered with the list.
        source: z.string().min(1).optional().describe('Only search this source, by name (an unknown name is answered with the list of sources)'),
        limit: z.number().int().min(1).max(1000).default(50).describe('Most results to return'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ query, source, limit }, extra): Promise<CallToolResult> => {
      if (source !== undefined && !manager.all.some((candidate) => candidate.name === source)) {
        return errorResult(`Unknown source "${source}". Sources: ${manager.all.map((candidate) => candidate.name).join(', ')}.`);
      }
      const results = await manager.searchEach(query, { limit, signal: extra.signal, ...(source !== undefined ? { source } : {}) });
      const failures = results.filter((result) => result.error !== undefined);
      const hits = results.flatMap((result) => result.resources.map((resource) => ({ source: result.source, resource })));
      if (failures.length > 0 && hits.length === 0) return errorResult(failures.map((failure) => `source "${failure.source}": ${failure.error}`).join('\n'));
      const lines = hits.map(({ source: name, resource }) => `${resource.uri}\t${resource.name}\t(${name})`);
      const summary = [
        `${hits.length} resource${hits.length === 1 ? '' : 's'} matching "${query}"${hits.length >= limit ? ` (limit ${limit} reached; narrow the query or raise limit)` : ''}.`,
        ...lines,
        ...failures.map((failure) => `source "${failure.source}" could not be searched: ${failure.error}`),
      ].join('\n');
      return {
        content: [
          { type: 'text', text: summary },
          ...hits.map(({ resource }) => ({
            type: 'resource_link' as const,
            uri: resource.uri,
            name: resource.name,
            ...(resource.mimeType ? { mimeType: resource.mimeType } : {}),
            ...(resource.description ? { description: resource.description } : {}),
          })),
        ],
      };
    },
  );
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
