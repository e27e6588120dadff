import { useEffect, useState } from 'react';

/** Wall-clock ms, ticking once a second while `active` (a countdown is on screen), else still. */
export function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    // From the moment it is needed, not from when the panel mounted: a countdown that began with
    // a stale "now" read seconds more than the kernel's timer ("63 s left" beside "TIME_WAIT 60.0s").
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
