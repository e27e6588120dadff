import { useEffect, useState } from 'react';

/** Wall-clock ms, ticking once a second while `active` (a countdown is on screen), else still. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
