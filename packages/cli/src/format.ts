import { displayPath, type HostDescription, type ResolvedConfig } from '@mcp-host/core/host';

export function formatPluginList(config: ResolvedConfig, cwd: string): string {
  const lines = [`${config.file ? displayPath(config.file, cwd) : 'config'}: valid`, `plugins (${config.plugins.length}):`];
  config.plugins.forEach(({ plugin, specifier, file }, index) => {
    const from = file && file !== specifier ? `  (${displayPath(file, cwd)})` : '';
    lines.push(`  ${index + 1}. ${plugin.name}${plugin.version ? `@${plugin.version}` : ''}  ${specifier}${from}`);
  });
  return `${lines.join('\n')}\n`;
}

export function formatDescription(description: HostDescription, cwd: string): string {
  const lines = [`${description.name} ${description.version}${description.configFile ? `  (${displayPath(description.configFile, cwd)})` : ''}`];
  const section = (title: string, rows: string[]) => {
    lines.push('', `${title} (${rows.length}):`, ...(rows.length ? rows.map((row) => `  ${row}`) : ['  (none)']));
  };
  section('plugins', description.plugins.map((plugin, index) => `${index + 1}. ${plugin.name}  ${plugin.specifier}`));
  section('tools', description.tools.map((tool) => `${tool.name}  [${tool.plugin}]`));
  section('resources', description.resources.map((resource) => `${resource.name}  ${resource.uri}  [${resource.plugin}]`));
  section('prompts', description.prompts.map((prompt) => `${prompt.name}  [${prompt.plugin}]`));
  const { timeoutMs, hookTimeoutMs, drainTimeoutMs } = description.shutdown;
  const taps = (plan: HostDescription['shutdownPlan'], hook: string) =>
    plan.length
      ? plan.map((tap, index) => {
          const notes = [tap.stage ? `stage ${tap.stage}` : '', tap.timeoutMs > timeoutMs ? `longer than shutdown.timeoutMs, which still applies` : ''].filter(Boolean);
          return `  ${index + 1}. ${tap.name}  ≤ ${tap.timeoutMs} ms${notes.length ? `  (${notes.join('; ')})` : ''}`;
        })
      : [`  (no ${hook} taps)`];
  const count = (plan: unknown[]) => `${plan.length} tap${plan.length === 1 ? '' : 's'}, in run order`;
  lines.push(
    '',
    `stopping plan (${count(description.stoppingPlan)}): as shutdown begins, before the drain; each tap its bound (default ${hookTimeoutMs} ms)`,
    ...taps(description.stoppingPlan, 'stopping'),
    '',
    `shutdown plan (${count(description.shutdownPlan)}):`,
    `  requests in flight get ≤ ${drainTimeoutMs} ms, then each tap its bound (default ${hookTimeoutMs} ms), all within ${timeoutMs} ms`,
    ...taps(description.shutdownPlan, 'shutdown'),
  );
  return `${lines.join('\n')}\n`;
}

