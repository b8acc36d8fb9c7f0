/**
 * Launch flags the app refuses to run with. No Electron fuse covers `--remote-debugging-port` or
 * `--no-sandbox` (SECURITY.md), so the main process checks its own command line first and exits.
 * Pure: no electron import, so plain-Node tests load this file.
 */

/**
 * Switch names, without dashes, that make the app exit at once: each one either opens the app to a
 * debugger (which can read every secret in memory) or switches off a browser protection.
 */
export const REFUSED_SWITCHES: readonly string[] = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-brk-node',
  'no-sandbox',
  'disable-gpu-sandbox',
  'single-process',
  'disable-web-security',
];

const refused = new Set(REFUSED_SWITCHES);

/**
 * The switch name an argument sets, lower-cased, or undefined when it is not a switch.
 * Chromium reads `--name`, `-name` and, on Windows, `/name`, each with an optional `=value`, and
 * lower-cases names on Windows; lower-casing everywhere only ever refuses more.
 */
function switchName(arg: string, platform: NodeJS.Platform): string | undefined {
  let body: string;
  if (arg.startsWith('--')) body = arg.slice(2);
  else if (arg.startsWith('-')) body = arg.slice(1);
  else if (platform === 'win32' && arg.startsWith('/')) body = arg.slice(1);
  else return undefined;
  const equals = body.indexOf('=');
  const name = (equals === -1 ? body : body.slice(0, equals)).toLowerCase();
  return name === '' ? undefined : name;
}

/**
 * The first refused flag in `argv`, as `--name` (never its value), or undefined when every
 * argument is acceptable. Every argument is checked, including those after a `--`.
 */
export function refusedLaunchFlag(
  argv: readonly string[],
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  for (const arg of argv) {
    const name = switchName(arg, platform);
    if (name !== undefined && refused.has(name)) return `--${name}`;
  }
  return undefined;
}

/** The one line printed on stderr before the app exits because of `flag`. */
export function refusalMessage(flag: string): string {
  return `latchkey: refusing to start with ${flag}: it would let a debugger in or switch off a protection of the app.`;
}
