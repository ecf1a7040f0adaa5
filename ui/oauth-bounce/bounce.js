// @ts-check
/*
 * Frontdesk's Zoom sign-in bounce page: the last step of "Connect Zoom" when the clinic uses the
 * deep-link redirect.
 *
 * Why it exists: Zoom lets a REST-API ("General") OAuth app send the browser back only to an
 * http(s) address. Custom schemes such as frontdesk:// are accepted for Meeting SDK apps only,
 * and loopback addresses may be refused when the app is reviewed for production (providers.md
 * §1.1, "Redirect URIs"). So the clinic hosts this page (index.html and this file, as they are)
 * on its own https site, registers its address as the Zoom app's redirect URL, and enters the
 * same address as "Bounce page address" in Frontdesk's provider settings. Zoom sends the
 * browser here with `?code=…&state=…` (or `?error=…&state=…`); the page hands exactly that query
 * to the app as frontdesk://oauth/zoom/callback?…, where Frontdesk checks `state` against the
 * sign-in it started and exchanges the code with its PKCE verifier (the code is useless without
 * it).
 *
 * The page makes no network request, loads nothing from anywhere else, keeps nothing, and takes
 * the query out of the address bar once read. It is a plain ES module with no build step: it is
 * not part of the app's bundle (Vite never sees it), and the UI tests import it directly.
 */

/** Where the desktop app listens for Zoom's answer (see src-tauri/deep_link.rs). */
const CALLBACK = 'frontdesk://oauth/zoom/callback';

/** The app refuses links longer than 4096 characters; keep well inside that. */
const MAX_QUERY = 4000;

/**
 * The frontdesk:// address that carries Zoom's answer to the app, or null when the query is not
 * an answer: it needs `state` and either `code` or `error`.
 *
 * @param {string} search the page's query, with or without its leading `?`
 * @returns {string | null}
 */
export function bounceTarget(search) {
  const query = search.startsWith('?') ? search.slice(1) : search;
  if (!query || query.length > MAX_QUERY) return null;
  const params = new URLSearchParams(query);
  const has = (/** @type {string} */ name) => (params.get(name) ?? '').trim() !== '';
  if (!has('state') || !(has('code') || has('error'))) return null;
  return `${CALLBACK}?${query}`;
}

/**
 * Shows the right message in the page and sends the browser on to the app. Every text is in
 * index.html; this only reveals the parts that apply.
 *
 * @param {Document} doc the page
 * @param {string} search the page's query
 * @param {(url: string) => void} go opens the app (the browser may ask first)
 * @returns {string | null} where it sent the browser, if anywhere
 */
export function runBounce(doc, search, go) {
  const reveal = (/** @type {string} */ id) => {
    const el = doc.getElementById(id);
    if (el) el.hidden = false;
  };
  const target = bounceTarget(search);
  if (!target) {
    reveal('bounce-malformed');
    return null;
  }
  const params = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const error = params.get('error');
  if (error) {
    const reason = doc.getElementById('bounce-reason');
    if (reason) reason.textContent = params.get('error_description') || error;
    reveal('bounce-declined');
  } else {
    reveal('bounce-ready');
  }
  const link = /** @type {HTMLAnchorElement | null} */ (doc.getElementById('bounce-open'));
  if (link) link.href = target;
  reveal('bounce-fallback');
  go(target);
  return target;
}

if (typeof document !== 'undefined' && document.getElementById('frontdesk-bounce')) {
  const search = window.location.search;
  // The code should not linger in the browser's history or address bar.
  window.history.replaceState(null, '', window.location.pathname);
  runBounce(document, search, (url) => { window.location.href = url; });
}
