import { startEmulator } from '@mcp-host/magic-api-emulator';
const e = await startEmulator({ seed: {}, defaultDataSource: false, warn: () => {} });
console.log(e.baseUrl);
setTimeout(() => e.close(), 600000);
