/**
 * When the app locks by itself, as a pure decision over what the system reports (Electron's
 * powerMonitor in the app; plain values in the tests): on suspend and on screen lock when the
 * user asked for it, and after the auto-lock minutes of system idle time. On Linux there is no
 * screen-lock event everywhere, so the idle state is polled and 'locked' counts as a screen lock.
 */
import type { AppSettings } from './app-settings';

export type IdleState = 'active' | 'idle' | 'locked' | 'unknown';
export type PowerEvent = 'suspend' | 'lock-screen';

/** How often the app asks for the idle state. */
export const IDLE_POLL_MS = 15_000;

/** The lock reason for a power event, or undefined to stay unlocked. */
export function lockForPowerEvent(event: PowerEvent, settings: AppSettings): string | undefined {
  if (!settings.lockOnSleep) return undefined;
  return event === 'suspend' ? 'suspend' : 'screen-locked';
}

/** The lock reason for a poll of the idle state, or undefined to stay unlocked. */
export function lockForIdlePoll(
  state: IdleState,
  idleSeconds: number,
  settings: AppSettings,
): string | undefined {
  if (state === 'locked' && settings.lockOnSleep) return 'screen-locked';
  if (settings.autoLockMinutes > 0 && idleSeconds >= settings.autoLockMinutes * 60) return 'idle';
  return undefined;
}
