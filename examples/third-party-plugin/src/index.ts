import { appendFile, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { definePlugin, z } from '@mcp-host/core';

const PLUGIN_NAME = 'notes';

/**
 * Notes kept in a file: a `note_add` tool, a `notes://all` resource, a start tap that opens the file's
 * autosave timer and a shutdown tap that flushes pending notes and stops the timer.
 */
export default definePlugin({
  name: PLUGIN_NAME,
  // The @mcp-host/core versions this plugin is written for: another host refuses it, naming both.
  core: '^0.1.0',
  version: '0.1.0',
  options: z.strictObject({
    /** Where the notes are kept; relative to the config file's directory. */
    file: z.string().default('notes.txt'),
    /** How often pending notes are written out. */
    flushIntervalMs: z.number().int().positive().default(5000),
  }),
  apply(host, options) {
    const file = path.resolve(host.configDir, options.file);
    let pending: string[] = [];
    let timer: NodeJS.Timeout | undefined;

    const flush = async () => {
      if (pending.length === 0) return;
      const lines = pending;
      pending = [];
      await appendFile(file, lines.map((line) => `${line}\n`).join(''));
    };

    host.tool(
      'note_add',
      { description: 'Add a note', inputSchema: { text: z.string().min(1).max(1000) } },
      async ({ text }) => {
        pending.push(text.replace(/\n/g, ' '));
        return { content: [{ type: 'text', text: `noted (${pending.length} pending)` }] };
      },
    );

    host.resource('notes', 'notes://all', { mimeType: 'text/plain', description: 'Every note, one per line' }, async (uri) => {
      await flush();
      const text = await readFile(file, 'utf8').catch(() => '');
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    });

    host.hooks.start.tapPromise(PLUGIN_NAME, async () => {
      timer = setInterval(() => void flush().catch((error) => host.logger.error('autosave failed: %s', error)), options.flushIntervalMs);
      host.logger.info('keeping notes in %s', file);
    });

    host.hooks.shutdown.tapPromise(PLUGIN_NAME, async () => {
      clearInterval(timer);
      await flush();
      host.logger.info('notes saved');
    });
  },
});
