import { hardenProcess } from '../../core/agent/harden-process';
import { AgentServer } from '../../core/agent/server';
import { socketPath } from '../../core/agent/socket-path';
import { DEFAULT_LOCK_AFTER_MS, VaultSession } from '../../core/agent/vault-session';
import { wipe } from '../../core/crypto/secret';
import { LatchkeyError } from '../../core/errors';
import type { CommandSpec } from '../command';
import { vaultStore } from '../direct-vault';
import { writeAll } from '../io';
import { InputSource } from '../terminal-input';
import { version } from '../version';

export const command: CommandSpec = {
  name: 'agent',
  usage: '[--password-stdin] [--lock-after MINUTES]',
  help: `Runs the agent in the foreground: it holds the vault unlocked (values still sealed) and
serves the local socket that 'latchkey run', 'get', 'ls' and the shell hook use. The desktop app
hosts the very same agent. Starts locked and waits for 'latchkey unlock', unless
--password-stdin gives the password now. Locks after --lock-after idle minutes (default 15;
0 never), on 'latchkey lock', and on SIGINT/SIGTERM before it exits.

The socket is LATCHKEY_SOCK, else $XDG_RUNTIME_DIR/latchkey/agent.sock, else run/agent.sock in
the data directory: a 0700 directory of yours, and only your user's processes may connect.`,
  options: { 'password-stdin': { type: 'boolean' }, 'lock-after': { type: 'string' } },
  optionHelp: {
    'password-stdin': 'unlock at start with the password on the first line of standard input',
    'lock-after': 'idle minutes before the agent locks itself (default 15; 0 = never)',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run({ args, io, env }) {
    const raw = args.values['lock-after'];
    const minutes = raw === undefined ? DEFAULT_LOCK_AFTER_MS / 60_000 : Number(raw);
    if (typeof raw === 'string' && (!/^\d+(\.\d+)?$/.test(raw) || minutes > 7 * 24 * 60)) {
      throw new LatchkeyError('USAGE', '--lock-after must be a number of minutes (0 = never)');
    }
    const store = vaultStore(env);
    if (!store.exists())
      throw new LatchkeyError(
        'VAULT_NOT_FOUND',
        `there is no vault at ${store.paths.vault}; create one with 'latchkey init'`,
      );
    const path = socketPath(env);
    const say = (line: string): void => void io.stderr.write(`latchkey agent: ${line}\n`);
    const { nonDumpable } = hardenProcess();
    if (!nonDumpable && process.platform === 'linux')
      say('warning: could not disable core dumps for this process');
    const session = new VaultSession(store, {
      lockAfterMs: minutes * 60_000,
      onLock: (why) => say(`locked (${why})`),
    });
    if (args.values['password-stdin'] === true) {
      const input = new InputSource(io, true);
      const password = await input.password();
      try {
        await session.unlock(password);
      } finally {
        wipe(password);
        input.dispose();
      }
    }
    const server = new AgentServer({ socketPath: path, session, version: version(), log: say });
    await server.listen();
    say(`listening on ${path} (${session.locked ? "locked: run 'latchkey unlock'" : 'unlocked'})`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        say(`${signal}: locking and stopping`);
        session.lock('stopping');
        void server.close().then(resolve);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    await writeAll(io.stderr, '');
  },
};
