/**
 * Who is on the other end of a Unix socket: the kernel's answer (SO_PEERCRED on Linux, getpeereid
 * on macOS), through the koffi FFI, since Node has no built-in for it. The agent checks the uid on
 * every connection before reading a byte, and records pid and executable for the audit.
 */
import { readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface PeerCredentials {
  readonly uid: number;
  readonly gid: number;
  /** Linux only. */
  readonly pid?: number;
  /** The peer's executable, when /proc tells. */
  readonly exe?: string;
}

type Getsockopt = (fd: number, level: number, name: number, out: Buffer, len: number[]) => number;
type Getpeereid = (fd: number, uid: number[], gid: number[]) => number;

let linuxGetsockopt: Getsockopt | undefined;
let macGetpeereid: Getpeereid | undefined;

function bindings(): { getsockopt?: Getsockopt; getpeereid?: Getpeereid } {
  if (process.platform === 'linux') {
    if (!linuxGetsockopt) {
      const koffi = require('koffi') as typeof import('koffi');
      const libc = koffi.load('libc.so.6');
      linuxGetsockopt = libc.func(
        'int getsockopt(int fd, int level, int optname, _Out_ void *optval, _Inout_ uint32_t *optlen)',
      );
    }
    return { getsockopt: linuxGetsockopt };
  }
  if (process.platform === 'darwin') {
    if (!macGetpeereid) {
      const koffi = require('koffi') as typeof import('koffi');
      const libc = koffi.load('libSystem.dylib');
      macGetpeereid = libc.func('int getpeereid(int fd, _Out_ uint32_t *uid, _Out_ uint32_t *gid)');
    }
    return { getpeereid: macGetpeereid };
  }
  return {};
}

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

/** The file descriptor under a connected net.Socket (Unix only). */
function fdOf(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
  return typeof handle?.fd === 'number' && handle.fd >= 0 ? handle.fd : undefined;
}

/** The peer's credentials, or undefined where the platform cannot tell (then refuse the peer). */
export function peerCredentials(socket: Socket): PeerCredentials | undefined {
  const fd = fdOf(socket);
  if (fd === undefined) return undefined;
  const { getsockopt, getpeereid } = bindings();
  if (getsockopt) {
    const buf = Buffer.alloc(12);
    const len = [12];
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, buf, len) !== 0) return undefined;
    const pid = buf.readInt32LE(0);
    let exe: string | undefined;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      exe = undefined;
    }
    return { pid, uid: buf.readUInt32LE(4), gid: buf.readUInt32LE(8), ...(exe ? { exe } : {}) };
  }
  if (getpeereid) {
    const uid = [0];
    const gid = [0];
    if (getpeereid(fd, uid, gid) !== 0) return undefined;
    return { uid: uid[0]!, gid: gid[0]! };
  }
  return undefined;
}
