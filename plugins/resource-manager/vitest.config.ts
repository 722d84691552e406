import { pluginTestConfig } from '@mcp-host/testing/vitest-config';

// Real temp directories, watchers and HTTP servers on 127.0.0.1.
export default pluginTestConfig();
