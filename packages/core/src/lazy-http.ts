import type { HttpTransportConfig } from './config-schema.js';
import type { HttpSessionServer, HttpSessionServerOptions } from './http-session-server.js';

/**
 * An HTTP session server to pass to `host.serve()`. The module behind it (and the SDK's HTTP transport) is
 * imported on this call only: it costs a stdio server ~70 ms of startup.
 */
export async function createHttpSessionServer(config: HttpTransportConfig, options?: HttpSessionServerOptions): Promise<HttpSessionServer> {
  const { HttpSessionServer } = await import('./http-session-server.js');
  return new HttpSessionServer(config, options);
}
