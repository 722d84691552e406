// logging/setLevel and the config's logging.level (issue 12): the config's level is stderr's minimum and the
// default for every client; a client's logging/setLevel sets what that client is sent, lower or higher — so
// `debug` brings debug lines to it even when the config says `info`, and stderr stays at `info`.
import { expect, test } from 'vitest';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectInProcess, setupProbes, waitUntil } from '../src/index.js';

async function loggedClient(probes: Awaited<ReturnType<typeof setupProbes>>) {
  const served = await connectInProcess({ cwd: probes.dir });
  const logs: string[] = [];
  served.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(`${n.params.level}:${n.params.data}`));
  return { ...served, logs };
}

test("logging/setLevel debug brings debug lines to that client when the config says info; stderr keeps the config's level", async () => {
  const probes = await setupProbes({ chatty: {} }, { logging: { level: 'info' } });
  const { client, logs, stderr } = await loggedClient(probes);

  await client.callTool({ name: 'log_chatty', arguments: { level: 'debug', message: 'debug before setLevel' } });
  await client.callTool({ name: 'log_chatty', arguments: { level: 'info', message: 'info before setLevel' } });
  await client.setLoggingLevel('debug');
  await client.callTool({ name: 'log_chatty', arguments: { level: 'debug', message: 'debug after setLevel' } });
  await client.callTool({ name: 'reqlog_chatty', arguments: { level: 'debug', message: 'request debug after setLevel' } });
  await waitUntil(() => logs.includes('info:info before setLevel'), 'the info line');

  const chatty = logs.filter((line) => /setLevel/.test(line));
  expect(chatty).toEqual(['info:info before setLevel', 'debug:debug after setLevel', 'debug:request debug after setLevel']);
  // stderr: the config's level, whatever a client asked for.
  expect(stderr()).toContain('info before setLevel');
  expect(stderr()).not.toContain('debug after setLevel');
});

test('a client that never set a level gets the config level; one that set warning gets only warning and above', async () => {
  const probes = await setupProbes({ chatty: {} }, { logging: { level: 'info' } });
  const { client, logs } = await loggedClient(probes);
  await client.callTool({ name: 'log_chatty', arguments: { level: 'debug', message: 'a debug line' } });
  await client.callTool({ name: 'log_chatty', arguments: { level: 'info', message: 'an info line' } });
  await client.setLoggingLevel('warning');
  await client.callTool({ name: 'log_chatty', arguments: { level: 'info', message: 'a quieted info line' } });
  await client.callTool({ name: 'log_chatty', arguments: { level: 'warning', message: 'a warning line' } });
  await waitUntil(() => logs.includes('warning:a warning line'), 'the warning line');
  expect(logs.filter((line) => / line$/.test(line))).toEqual(['info:an info line', 'warning:a warning line']);
});
