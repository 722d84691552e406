export { main, HELP } from './main.js';
