/** The config `mcp-host init` writes: both first-party plugins, every key explained, a `$schema` for editors. */
export const STARTER_CONFIG_FILE = 'mcp-host.config.yaml';
export const STARTER_SCHEMA_FILE = 'mcp-host.schema.json';

export const STARTER_CONFIG = `# yaml-language-server: $schema=./${STARTER_SCHEMA_FILE}
# mcp-host config. Every key is described in the README ("Config"); "mcp-host validate" checks this file,
# "mcp-host inspect" shows what it serves and the order things shut down in, "mcp-host schema" regenerates
# ${STARTER_SCHEMA_FILE} after you add plugins.
$schema: ./${STARTER_SCHEMA_FILE}

# Reported to the client in "initialize".
name: my-mcp-host

# stdio for Claude Desktop, Cursor, VS Code. For a shared service:
#   transport: { type: http, host: 127.0.0.1, port: 3000, auth: { bearerToken: "\${MCP_HOST_TOKEN}" } }
transport:
  type: stdio

# A startup that never settles fails instead of hanging: each plugin's apply() and each start tap is bounded.
startup:
  applyTimeoutMs: 10000 # each plugin's apply()
  tapTimeoutMs: 60000   # each plugin's start tap (connecting to its backend)

# MCP clients send SIGTERM 2 s after closing stdin: keep the whole shutdown under that.
shutdown:
  timeoutMs: 1800      # drain + every shutdown tap
  hookTimeoutMs: 1000  # each plugin's shutdown tap
  drainTimeoutMs: 1000 # requests in flight when shutdown begins

logging:
  level: info          # debug | info | notice | warning | error

# Applied in this order; their shutdown taps run in this order too.
plugins:
  # Managed WebSocket connections to a backend; tools ws_connections, ws_messages, ws_send.
  - - "@mcp-host/plugin-websocket-manager"
    - connections:
        - name: backend
          url: ws://127.0.0.1:10712/magic/web/console
          protocol: magic-api          # text | json | magic-api
          # Tokens come from the environment, never from this file:
          # auth: { token: "\${MAGIC_API_TOKEN}" }
          reconnect: { initialDelayMs: 500, maxDelayMs: 30000 }
          closeTimeoutMs: 1000
          required: false              # true: startup fails if the backend is down

  # Files (and backend documents) as MCP resources; tool resources_search.
  - - "@mcp-host/plugin-resource-manager"
    - sources:
        - name: project
          type: directory
          path: .                      # relative to this file
          exclude: ["**/node_modules/**"]
          watch: true
        # - name: api
        #   type: http
        #   baseUrl: http://127.0.0.1:10712
        #   index: /resources.json
        #   uriPrefix: "docs-api://"     # the URIs its index may use (default: baseUrl + "/")
        #   headers: { Authorization: "Bearer \${API_TOKEN}" }

  # Your own plugins: a path relative to this file, or a package name.
  # - ./plugins/my-plugin.mjs
`;
