/**
 * Where the agent's socket lives, and the checks that make it safe: the socket sits in a 0700
 * directory we own (checked with lstat: no symlink, our uid, no group or other bits), created under
 * a restrictive umask, since some systems ignore a socket's own mode. A path we do not own is never
 * deleted; a stale socket of ours is. The client makes the same directory check before it connects,
 * so a fake agent planted on the path gets nothing.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { LatchkeyError } from '../errors';
import { dataDir } from '../vault/paths';

/** Unix socket paths are limited to about 107 bytes by the kernel. */
const MAX_SOCKET_PATH = 100;

export function socketPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATCHKEY_SOCK) return env.LATCHKEY_SOCK;
  if (process.platform === 'win32') return `\\\\.\\pipe\\latchkey-${env.USERNAME ?? 'user'}`;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'latchkey', 'agent.sock');
  return join(dataDir(env), 'run', 'agent.sock');
}

function unsafe(message: string): LatchkeyError {
  return new LatchkeyError('UNSAFE_PATH', message);
}

function checkOwnedPrivateDir(dir: string, st: Stats): void {
  if (st.isSymbolicLink())
    throw unsafe(`${dir} is a symbolic link; the agent's socket directory must be a real directory`);
  if (!st.isDirectory()) throw unsafe(`${dir} is not a directory; move it away`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid)
    throw unsafe(`${dir} belongs to uid ${st.uid}, not to you; the agent will not use it`);
  if ((st.mode & 0o077) !== 0) {
    throw unsafe(
      `${dir} can be accessed by other users (mode ${(st.mode & 0o777).toString(8)}); run 'chmod 700 ${dir}'`,
    );
  }
}

/** Checks (client side) that the socket's directory and the socket are ours and private. */
export function checkSocketForClient(path: string): void {
  if (process.platform === 'win32') return;
  const dir = dirname(path);
  checkOwnedPrivateDir(dir, lstatSync(dir));
  const st = lstatSync(path);
  const uid = process.getuid?.();
  if (!st.isSocket()) throw unsafe(`${path} is not a socket; something else is squatting the agent's path`);
  if (uid !== undefined && st.uid !== uid)
    throw unsafe(`${path} belongs to uid ${st.uid}, not to you; refusing to talk to it`);
}

function isListening(path: string): Promise<boolean> {
  // node:net is loaded here, not at the top: `latchkey run` reads socketPath from this module and
  // talks to the agent without net (main/cli/run/node-handles.ts).
  const { connect } = require('node:net') as typeof import('node:net');
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Prepares the socket path for listening: the directory (0700, ours), and no socket left in the
 * way — a stale socket of ours is removed; anything else is refused.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new LatchkeyError(
      'USAGE',
      `the socket path ${path} is too long for a Unix socket; set LATCHKEY_SOCK to a shorter path`,
    );
  }
  const dir = dirname(path);
  const previous = process.umask(0o077);
  try {
    try {
      lstatSync(dir);
    } catch {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
  } finally {
    process.umask(previous);
  }
  checkOwnedPrivateDir(dir, lstatSync(dir));
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return; // nothing there
  }
  const uid = process.getuid?.();
  if (st.isSymbolicLink())
    throw unsafe(`${path} is a symbolic link; remove it (Latchkey never deletes what it does not own)`);
  if (!st.isSocket()) throw unsafe(`${path} exists and is not a socket; move it away`);
  if (uid !== undefined && st.uid !== uid)
    throw unsafe(`${path} belongs to uid ${st.uid}; Latchkey will not remove it`);
  if (await isListening(path)) {
    throw new LatchkeyError(
      'AGENT_RUNNING',
      `an agent is already listening on ${path}; use it, or stop it first`,
    );
  }
  unlinkSync(path); // our own stale socket
}

/** Runs `listen` under a umask that leaves the socket 0600, then makes sure it is. */
export function withPrivateUmask<T>(fn: () => T): T {
  const previous = process.umask(0o077);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}
