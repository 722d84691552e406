// A minimal plugin: one tool, and a start and a shutdown tap that log to stderr.
import { definePlugin, z } from '@mcp-host/core';

export default definePlugin({
  name: 'echo',
  options: z.strictObject({ greeting: z.string().default('hello') }),
  apply(host, options) {
    host.tool(
      'echo',
      { description: 'Echo a message back, with the configured greeting', inputSchema: { message: z.string() } },
      async ({ message }) => ({ content: [{ type: 'text', text: `${options.greeting}: ${message}` }] }),
    );
    host.hooks.start.tapPromise('echo', async () => host.logger.info('ready to echo'));
    host.hooks.shutdown.tapPromise('echo', async (ctx) => host.logger.info('stopping (%s)', ctx.reason));
  },
});
