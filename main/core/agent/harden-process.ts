/**
 * Makes the process that holds the vault unlocked harder to read from outside: on Linux it is
 * marked non-dumpable (prctl PR_SET_DUMPABLE 0), which disables core dumps and stops other
 * processes of the same user from attaching a debugger or reading its memory through /proc.
 * Best effort: returns what it could do, never throws.
 */
export function hardenProcess(): { nonDumpable: boolean } {
  if (process.platform !== 'linux') return { nonDumpable: false };
  try {
    const koffi = require('koffi') as typeof import('koffi');
    const libc = koffi.load('libc.so.6');
    const prctl = libc.func(
      'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
    ) as unknown as (...args: number[]) => number;
    const PR_SET_DUMPABLE = 4;
    return { nonDumpable: prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) === 0 };
  } catch {
    return { nonDumpable: false };
  }
}
