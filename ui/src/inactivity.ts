// The inactivity lock: the desk is shared, so it locks itself when nobody has pressed a key or
// the pointer for the clinic's lock time. The backend keeps its own count, from the inputs this
// reports (at most every 30 seconds): nothing else the window does keeps the session open there.

/** How often the desk looks whether it has been left alone too long. */
const CHECK_MS = 15_000;
/** How often, at most, a person's input is reported to the backend. */
export const INPUT_REPORT_MS = 30_000;

/**
 * Calls `lock` once no key or pointer was pressed for `idleMs()` (read at each look, so that an
 * admin's new lock time counts at once), and `report` for a person's input: at once when none
 * was reported for 30 seconds, else once at the end of those 30 seconds (so the backend hears of
 * the last input at most 30 seconds late). Returns a function that stops watching.
 */
export function watchInactivity(idleMs: () => number, lock: () => void, report: () => void = () => undefined): () => void {
  let lastActivity = Date.now();
  let lastReport = -Infinity;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const send = () => { pending = undefined; lastReport = Date.now(); report(); };
  const activity = () => {
    lastActivity = Date.now();
    const since = lastActivity - lastReport;
    if (since >= INPUT_REPORT_MS) send();
    else pending ??= setTimeout(send, INPUT_REPORT_MS - since);
  };
  document.addEventListener('keydown', activity);
  document.addEventListener('pointerdown', activity);
  const timer = setInterval(() => {
    if (Date.now() - lastActivity > idleMs()) lock();
  }, CHECK_MS);
  return () => {
    document.removeEventListener('keydown', activity);
    document.removeEventListener('pointerdown', activity);
    clearInterval(timer);
    clearTimeout(pending);
  };
}
