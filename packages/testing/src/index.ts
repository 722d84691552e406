export { createTestHost, type CreateTestHostOptions, type TestHost } from './test-host.js';
export { trackResources, type LeakCheck } from './leak-check.js';
export { waitUntil } from './wait-until.js';
