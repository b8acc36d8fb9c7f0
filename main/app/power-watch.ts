/**
 * Auto-lock from the system's side: suspend and screen lock events, and a poll of the idle state
 * (the only screen-lock signal on many Linux desktops). The decisions are in auto-lock-policy.ts.
 */
import { powerMonitor } from 'electron';
import type { AppSettings } from './desk/app-settings';
import { IDLE_POLL_MS, lockForIdlePoll, lockForPowerEvent } from './desk/auto-lock-policy';

export function watchPower(settings: () => AppSettings, lock: (reason: string) => void): () => void {
  const onSuspend = (): void => {
    const reason = lockForPowerEvent('suspend', settings());
    if (reason) lock(reason);
  };
  const onLockScreen = (): void => {
    const reason = lockForPowerEvent('lock-screen', settings());
    if (reason) lock(reason);
  };
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('lock-screen', onLockScreen);
  const timer = setInterval(() => {
    const current = settings();
    const threshold = Math.max(60, current.autoLockMinutes * 60);
    const reason = lockForIdlePoll(
      powerMonitor.getSystemIdleState(threshold),
      powerMonitor.getSystemIdleTime(),
      current,
    );
    if (reason) lock(reason);
  }, IDLE_POLL_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    powerMonitor.off('suspend', onSuspend);
    powerMonitor.off('lock-screen', onLockScreen);
  };
}
