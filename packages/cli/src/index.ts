export { main, HELP } from './main.js';
export type { CliIo } from './cli-io.js';
