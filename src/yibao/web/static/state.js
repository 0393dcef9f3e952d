// The page's state lives in its URL: the keys of the seed situation, never anything personal.

/** The state from the URL; on a first visit (no state keys) the seed situation. */
export function readUrlState(seed) {
  const params = new URLSearchParams(window.location.search);
  const keys = Object.keys(seed);
  const shared = keys.some((key) => params.has(key));
  const state = {};
  for (const key of keys) {
    state[key] = params.has(key) ? params.get(key) : shared ? "" : seed[key];
  }
  return { state, shared };
}

/** The query string of a state in a language (every key written, so a link is complete). */
export function queryOf(state, lang) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) params.set(key, value ?? "");
  params.set("lang", lang);
  return params.toString();
}

/** Keep the URL (and the language switch) in step with the form, without reloading. */
export function writeUrlState(state, lang) {
  window.history.replaceState(null, "", `?${queryOf(state, lang)}`);
  const other = lang === "zh" ? "en" : "zh";
  const link = document.getElementById("lang-switch");
  if (link) link.href = `?${queryOf(state, other)}`;
}
