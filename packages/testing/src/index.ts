export { createTestHost, type CreateTestHostOptions, type ModernClient, type TestHost, type TestProtocol } from './test-host.js';
export { trackResources, type LeakCheck } from './leak-check.js';
export { waitUntil } from './wait-until.js';
export { listenForTest, freePort } from './loopback.js';
export { listAllPages, type ResourcePageLike } from './pages.js';
export { sleep } from './sleep.js';
export { callTool, type ToolAnswer, type ToolCaller } from './tool-answer.js';
