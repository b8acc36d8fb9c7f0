import { useEffect, useState } from 'react';

/**
 * The current time, re-read every `everyMs` while `running`; for countdowns and "5 min ago" labels.
 * Returns Date.now() at the last tick.
 */
export function useClock(running: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return undefined;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [running, everyMs]);
  return now;
}
