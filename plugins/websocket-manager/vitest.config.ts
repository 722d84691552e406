import { pluginTestConfig } from '@mcp-host/testing/vitest-config';

// Real sockets on 127.0.0.1.
export default pluginTestConfig();
