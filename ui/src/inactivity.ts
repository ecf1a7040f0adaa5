// The inactivity lock: the desk is shared, so it locks itself when nobody has pressed a key or
// the pointer for the clinic's lock time.

/** How often the desk looks whether it has been left alone too long. */
const CHECK_MS = 15_000;

/**
 * Calls `lock` once no key or pointer was pressed for `idleMs()` (read at each look, so that an
 * admin's new lock time counts at once). Returns a function that stops watching.
 */
export function watchInactivity(idleMs: () => number, lock: () => void): () => void {
  let lastActivity = Date.now();
  const activity = () => { lastActivity = Date.now(); };
  document.addEventListener('keydown', activity);
  document.addEventListener('pointerdown', activity);
  const timer = setInterval(() => {
    if (Date.now() - lastActivity > idleMs()) lock();
  }, CHECK_MS);
  return () => {
    document.removeEventListener('keydown', activity);
    document.removeEventListener('pointerdown', activity);
    clearInterval(timer);
  };
}
