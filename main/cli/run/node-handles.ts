/**
 * RunIo on Node's own libuv handles — the pipe, stream and process wraps that `net` and
 * `child_process` are written on — reached through `process.binding`, so that `latchkey run` loads
 * none of net, stream, tty or child_process (docs/run.md, "Start-up"). What is used is the part
 * those modules themselves rely on: `Pipe` with `connect`/`readStart`/`writeBuffer`/`close`, the
 * shared `streamBaseState` read counters, `Process` with `spawn`/`kill`, and `isTTY`. Node's own
 * test suite keeps these bindings reachable through `process.binding`; should a Node release change
 * them, `handleRunIo` finds out before anything is started (it checks every name and type it
 * uses) and `run` takes the public modules instead (run-io.ts). Never on Windows, and never when
 * pending deprecations are shown (`--pending-deprecation`, NODE_PENDING_DEPRECATION=1), where
 * process.binding would print a warning.
 */
import type { AgentConnection, ConnectionEvents } from '../../core/agent/client';
import type { ChildEvents, RunIo, SpawnRequest, StartedChild } from './run-io';

interface PipeHandle {
  /** Must always be a function (Node asserts it). */
  onread: (arrayBuffer?: ArrayBuffer) => void;
  connect(request: object, path: string): number;
  readStart(): number;
  readStop(): number;
  writeBuffer(request: object, bytes: Uint8Array): number;
  close(callback?: () => void): void;
}

interface ProcessHandle {
  pid?: number;
  onexit: (exitCode: number, signal: string | null) => void;
  spawn(options: object): number;
  kill(signal: number): number;
  close(callback?: () => void): void;
}

interface Bindings {
  readonly Pipe: new (type: number) => PipeHandle;
  readonly pipeSocket: number;
  readonly PipeConnectWrap: new () => { oncomplete?: (status: number) => void };
  readonly WriteWrap: new () => {
    handle?: PipeHandle;
    oncomplete?: () => void;
    buffer?: Uint8Array;
  };
  readonly state: Int32Array;
  readonly kRead: number;
  readonly kOffset: number;
  readonly Process: new () => ProcessHandle;
  readonly isTTY: (fd: number) => boolean;
}

let cached: Bindings | null | undefined;

const ignoreRead = (): void => undefined;

/** The bindings, checked; null when this Node does not have them as expected. */
function bindings(): Bindings | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.platform === 'win32') return null;
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (flags.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1') return null;
  const binding = (process as unknown as { binding?: (name: string) => Record<string, unknown> }).binding;
  if (typeof binding !== 'function') return null;
  try {
    const pipe = binding('pipe_wrap');
    const stream = binding('stream_wrap');
    const proc = binding('process_wrap');
    const tty = binding('tty_wrap');
    const pipeConstants = pipe.constants as Record<string, unknown> | undefined;
    const ok =
      typeof pipe.Pipe === 'function' &&
      typeof pipe.PipeConnectWrap === 'function' &&
      typeof pipeConstants?.SOCKET === 'number' &&
      typeof stream.WriteWrap === 'function' &&
      stream.streamBaseState instanceof Int32Array &&
      typeof stream.kReadBytesOrError === 'number' &&
      typeof stream.kArrayBufferOffset === 'number' &&
      typeof proc.Process === 'function' &&
      typeof tty.isTTY === 'function';
    if (!ok) return null;
    const Pipe = pipe.Pipe as Bindings['Pipe'];
    const Process = proc.Process as Bindings['Process'];
    const methods = (ctor: { prototype: object }, names: string[]): boolean =>
      names.every((n) => typeof (ctor.prototype as Record<string, unknown>)[n] === 'function');
    if (
      !methods(Pipe, ['connect', 'readStart', 'readStop', 'writeBuffer', 'close']) ||
      !methods(Process, ['spawn', 'kill', 'close'])
    ) {
      return null;
    }
    cached = {
      Pipe,
      pipeSocket: pipeConstants.SOCKET as number,
      PipeConnectWrap: pipe.PipeConnectWrap as Bindings['PipeConnectWrap'],
      WriteWrap: stream.WriteWrap as Bindings['WriteWrap'],
      state: stream.streamBaseState as Int32Array,
      kRead: stream.kReadBytesOrError as number,
      kOffset: stream.kArrayBufferOffset as number,
      Process,
      isTTY: tty.isTTY as Bindings['isTTY'],
    };
  } catch {
    cached = null;
  }
  return cached ?? null;
}

/** Starts reading `pipe`: each chunk to `data`, then `end` once (end of file or an error). */
function readFrom(b: Bindings, pipe: PipeHandle, data: (chunk: Buffer) => void, end: () => void): void {
  pipe.onread = (arrayBuffer) => {
    const n = b.state[b.kRead]!;
    if (n > 0 && arrayBuffer !== undefined) data(Buffer.from(arrayBuffer, b.state[b.kOffset], n));
    else if (n < 0) end();
  };
  if (pipe.readStart() < 0) setImmediate(end);
}

/** Writes `bytes` to `pipe`; false when the write was refused at once. */
function writeTo(b: Bindings, pipe: PipeHandle, bytes: Buffer): boolean {
  const request = new b.WriteWrap();
  request.handle = pipe;
  request.oncomplete = () => undefined;
  request.buffer = bytes; // kept alive until the write completes
  return pipe.writeBuffer(request, bytes) === 0;
}

function connect(b: Bindings, path: string, events: ConnectionEvents): AgentConnection {
  const pipe = new b.Pipe(b.pipeSocket);
  let up = false;
  let closed = false;
  let queued: Buffer[] = [];
  const finish = (refused: boolean): void => {
    if (closed) return;
    closed = true;
    pipe.onread = ignoreRead;
    pipe.close();
    events.end(refused);
  };
  const request = new b.PipeConnectWrap();
  request.oncomplete = (status) => {
    if (closed) return;
    if (status < 0) return finish(true);
    up = true;
    const pending = queued;
    queued = [];
    if (pending.length > 0 && !writeTo(b, pipe, Buffer.concat(pending))) return finish(false);
    readFrom(
      b,
      pipe,
      (chunk) => {
        if (!closed) events.data(chunk);
      },
      () => finish(false),
    );
  };
  const status = pipe.connect(request, path);
  if (status < 0) setImmediate(() => finish(true));
  return {
    write(bytes) {
      if (closed) return;
      if (!up) queued.push(bytes);
      else if (!writeTo(b, pipe, bytes)) finish(false);
    },
    close() {
      if (closed) return;
      closed = true;
      pipe.onread = ignoreRead;
      pipe.close();
    },
  };
}

function spawn(b: Bindings, request: SpawnRequest, events: ChildEvents): StartedChild {
  const envPairs: string[] = [];
  for (const [key, value] of Object.entries(request.env)) {
    if (value === undefined) continue;
    if (key.includes('\0') || value.includes('\0')) {
      throw Object.assign(new Error('an environment variable holds a NUL byte'), { code: 'EINVAL' });
    }
    envPairs.push(`${key}=${value}`);
  }
  if ([request.file, ...request.args].some((a) => a.includes('\0'))) {
    throw Object.assign(new Error('an argument holds a NUL byte'), { code: 'EINVAL' });
  }
  const pipes = new Map<1 | 2, PipeHandle>();
  const stdio: object[] = [{ type: 'fd', fd: 0 }];
  for (const fd of [1, 2] as const) {
    if ((fd === 1 ? request.stdout : request.stderr) === 'pipe') {
      const pipe = new b.Pipe(b.pipeSocket);
      pipes.set(fd, pipe);
      stdio.push({ type: 'pipe', handle: pipe, readable: false, writable: true });
    } else stdio.push({ type: 'fd', fd });
  }
  const child = new b.Process();
  let exited = false;
  child.onexit = (exitCode, signal) => {
    exited = true;
    child.close();
    events.exit(signal ? null : exitCode, signal ? (signal as NodeJS.Signals) : null);
  };
  const status = child.spawn({
    file: request.file,
    args: [request.file, ...request.args],
    envPairs,
    stdio,
  });
  const closeOutput = (fd: 1 | 2): void => {
    const pipe = pipes.get(fd);
    if (!pipe) return;
    pipes.delete(fd);
    pipe.onread = ignoreRead;
    pipe.close();
  };
  if (status < 0) {
    for (const fd of [1, 2] as const) closeOutput(fd);
    child.close();
    const { getSystemErrorName } = require('node:util') as typeof import('node:util');
    const code = getSystemErrorName(status);
    setImmediate(() => events.failed(code));
    return { kill: () => false, closeOutput: () => undefined };
  }
  for (const [fd, pipe] of pipes) {
    readFrom(
      b,
      pipe,
      (chunk) => events.output(fd, chunk),
      () => {
        if (!pipes.has(fd)) return;
        closeOutput(fd);
        events.outputEnd(fd);
      },
    );
  }
  return {
    kill(signal) {
      const number = (require('node:os') as typeof import('node:os')).constants.signals[signal];
      return !exited && number !== undefined && child.kill(number) === 0;
    },
    closeOutput,
  };
}

/** RunIo on the handles, or undefined where this Node does not have them as expected. */
export function handleRunIo(): RunIo | undefined {
  const b = bindings();
  if (!b) return undefined;
  return {
    kind: 'handles',
    connect: (path, events) => connect(b, path, events),
    spawn: (request, events) => spawn(b, request, events),
    isatty: (fd) => b.isTTY(fd),
  };
}
