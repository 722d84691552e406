import { pluginTestConfig } from '@mcp-host/testing/vitest-config';

// Real emulators, HTTP servers and WebSockets on 127.0.0.1.
export default pluginTestConfig();
