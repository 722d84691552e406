/**
 * Configs `mcp-host init --preset <name>` writes instead of the starter. Each is the same file as its example in
 * `examples/<name>/mcp-host.config.json` (a test keeps them equal), so the README's explanation of the example holds
 * for the written file key by key.
 */
export interface Preset {
  /** The file written (next to `mcp-host.schema.json`). */
  file: string;
  /** What `init` prints after writing it. */
  next: string;
  /** The config, as JSON. */
  config: Record<string, unknown>;
}

/**
 * A Magic-API server, driven by the Python server's environment variables (a migrating user keeps the `env` of their
 * client config): every one optional, so with none set it talks to http://127.0.0.1:10712 in the server's guest mode.
 */
const MAGIC_API: Preset = {
  file: 'mcp-host.config.json',
  next: 'Set MAGIC_API_BASE_URL (and MAGIC_API_USERNAME + MAGIC_API_PASSWORD, or MAGIC_API_TOKEN) in your MCP client\'s env; see "Use with Magic-API" in the README.',
  config: {
    name: 'magic-api',
    instructions:
      "A Magic-API server. Find the script behind an endpoint with magic_get (method + path) or magic_tree, text in scripts with magic_search; run an endpoint with magic_call_api (its answer and that request's console log lines) and step through one with magic_debug_call / magic_debug_step; change a script with magic_replace_in_script or magic_save_api, and undo with magic_backups + magic_rollback. Scripts are also magic-api:// resources (a read gives the script and its metadata). Your own notes are file:// resources from the docs source.",
    shutdown: { timeoutMs: 1800, hookTimeoutMs: 1000 },
    logging: { level: 'info' },
    plugins: [
      ['@mcp-host/plugin-websocket-manager', { connections: [] }],
      ['@mcp-host/plugin-resource-manager', { sources: [{ name: 'docs', type: 'directory', path: './docs', watch: true }] }],
      [
        '@mcp-host/plugin-magic-api',
        {
          baseUrl: '${MAGIC_API_BASE_URL:-http://127.0.0.1:10712}',
          wsUrl: '${MAGIC_API_WS_URL:-}',
          token: '${MAGIC_API_TOKEN:-}',
          username: '${MAGIC_API_USERNAME:-}',
          password: '${MAGIC_API_PASSWORD:-}',
          timeoutSeconds: '${MAGIC_API_TIMEOUT_SECONDS:-30}',
          refreshSeconds: '${MAGIC_API_REFRESH_SECONDS:-30}',
          debugTimeoutSeconds: '${MAGIC_API_DEBUG_TIMEOUT_SECONDS:-180}',
        },
      ],
    ],
  },
};

export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({ 'magic-api': MAGIC_API });

/** A preset's file contents: two-space JSON and a final newline, as the example is written. */
export function presetText(preset: Preset): string {
  return `${JSON.stringify(preset.config, null, 2)}\n`;
}
