/**
 * The IPC handler table: one handler per call of preload/api.ts, each checking the sender and the
 * arguments before the desk does the work. Main registers exactly this table with
 * `ipcMain.handle`; the end-to-end harness drives the very same table — so only Electron's own IPC
 * glue is outside the tests. No electron import.
 *
 * A failure reaches the renderer as an Error whose message is `CODE: sentence` (the CLI's form);
 * anything that is not a LatchkeyError becomes INTERNAL without its details, which may hold paths
 * or values.
 */
import type { CallName, LatchkeyCalls } from '../../../preload/api';
import { LatchkeyError } from '../../core/errors';
import type { Desk } from '../desk/desk';
import { CALL_ARGUMENTS } from './call-arguments';
import { checkSender, type IpcEventLike } from './sender-check';

type Result<K extends CallName> = Awaited<ReturnType<LatchkeyCalls[K]>>;
export type Handler<K extends CallName> = (event: IpcEventLike, ...args: unknown[]) => Promise<Result<K>>;
export type HandlerTable = { readonly [K in CallName]: Handler<K> };

/** What each call does with its checked arguments. */
type Work = {
  readonly [K in CallName]: (
    desk: Desk,
    args: Parameters<LatchkeyCalls[K]>,
  ) => Result<K> | Promise<Result<K>>;
};

const WORK: Work = {
  getState: (desk) => desk.getState(),
  createVault: (desk, [password]) => desk.createVault(password),
  unlock: (desk, [password]) => desk.unlock(password),
  lock: (desk) => desk.lock('requested'),
  listItems: (desk) => desk.listItems(),
  itemDetail: (desk, [ref]) => desk.itemDetail(ref),
  reveal: (desk, [ref, field]) => desk.reveal(ref, field),
  copy: (desk, [ref, field]) => desk.copy(ref, field),
  listStores: (desk) => desk.listStores(),
  addStore: (desk, [input]) => desk.addStore(input),
  removeStore: (desk, [name]) => desk.removeStore(name),
  syncNow: (desk, [store]) => desk.syncNow(store),
  readAudit: (desk, [query]) => desk.readAudit(query),
  verifyAudit: (desk) => desk.verifyAudit(),
  updateSettings: (desk, [settings]) => desk.updateSettings(settings),
  shellSetup: (desk) => desk.shellSetup(),
  teamAccess: (desk, [store]) => desk.team.teamAccess(store),
  previewGrant: (desk, [request]) => desk.team.previewGrant(request),
  grant: (desk, [request]) => desk.team.grant(request),
  revoke: (desk, [request]) => desk.team.revoke(request),
};

/** The Error a renderer receives: `CODE: sentence`, nothing else. */
export function rendererError(error: unknown): Error {
  if (error instanceof LatchkeyError) return new Error(`${error.code}: ${error.message}`);
  return new Error('INTERNAL: the app failed to answer; see its log');
}

export interface HandlerTableOptions {
  /** The webContents id of the main window (undefined while there is none). */
  readonly mainWindowId: () => number | undefined;
  /** Told about refused calls and internal failures (never arguments: they may hold a password). */
  readonly log?: (line: string) => void;
}

export function createHandlerTable(desk: Desk, options: HandlerTableOptions): HandlerTable {
  const log = options.log ?? (() => undefined);
  const entries = (Object.keys(WORK) as CallName[]).map((name) => {
    const schema = CALL_ARGUMENTS[name];
    const work = WORK[name] as (desk: Desk, args: readonly unknown[]) => unknown;
    const handler = async (event: IpcEventLike, ...args: unknown[]): Promise<unknown> => {
      try {
        checkSender(event, options.mainWindowId);
        const parsed = schema.safeParse(args);
        if (!parsed.success) {
          throw new LatchkeyError(
            'PROTOCOL_ERROR',
            `the arguments of '${name}' are not valid (${parsed.error.issues[0]?.path.join('.') || 'count'}: ${parsed.error.issues[0]?.code ?? 'invalid'})`,
          );
        }
        return await work(desk, parsed.data);
      } catch (error) {
        if (!(error instanceof LatchkeyError))
          log(`'${name}' failed: ${error instanceof Error ? error.name : 'error'}`);
        else if (error.code === 'PROTOCOL_ERROR') log(`'${name}': ${error.message}`);
        throw rendererError(error);
      }
    };
    return [name, handler] as const;
  });
  return Object.fromEntries(entries) as unknown as HandlerTable;
}
