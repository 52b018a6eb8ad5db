// The JSON API client. Every failure is an ApiError whose `code` is the server's own
// (`{"error": {"code", "message"}}`: `not_found`, `query_too_long`, `empty_query`, `overloaded`…),
// or, when the server gave none: `network` (not reached), `http_<status>` (an error without a
// JSON body), `bad_json` (a success whose body is not JSON). Aborted requests reject with the
// browser's AbortError, untouched. Messages are the server's; the views choose what to show.

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || '');
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

const isAbort = (e) => e && e.name === 'AbortError';

async function request(path, { signal, method = 'GET', body } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      signal,
      headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError('network', '', 0);
  }
  let data = null;
  try {
    data = await res.json();
  } catch (e) {
    if (isAbort(e)) throw e;
  }
  if (!res.ok) {
    const err = data && typeof data === 'object' ? data.error : null;
    const code = err && typeof err.code === 'string' && err.code ? err.code : `http_${res.status}`;
    const message = err && typeof err.message === 'string' ? err.message : '';
    throw new ApiError(code, message, res.status);
  }
  if (data === null) throw new ApiError('bad_json', '', res.status);
  return data;
}

/** A query string of the non-empty `params`. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) u.set(k, v);
  return u.toString();
}

const occPath = (taxonomy, code) => `/v1/occupations/${encodeURIComponent(taxonomy)}/${encodeURIComponent(code)}`;

/**
 * GET /v1/search (`group: 'metier'`: one card per métier, ESCO equivalents on the ROME card).
 * `require` / `exclude`: facet ids (arrays, sent comma-separated); `maxLevel`: the highest
 * entry level (`none`, `cap`, `bac`, `bac2`, `bac3`, `bac5`, `doctorate`).
 */
export const search = ({ q, lang, taxonomy, limit, group, require = [], exclude = [], maxLevel = '' }, signal) => request(
  `/v1/search?${qs({ q, lang, taxonomy, limit, group, require: require.join(','), exclude: exclude.join(','), max_level: maxLevel })}`,
  { signal },
);

// The facets do not change while the page is open: fetched once (both languages in one answer).
let facetsPromise = null;

/** GET /v1/facets (cached; a failure is forgotten, so the next call asks again). */
export function facets() {
  if (!facetsPromise) {
    facetsPromise = request('/v1/facets').catch((e) => {
      facetsPromise = null;
      throw e;
    });
  }
  return facetsPromise;
}

/** POST /v1/match. */
export const match = (body, signal) => request('/v1/match', { method: 'POST', body, signal });

/** GET /v1/skills/search. */
export const searchSkills = ({ q, lang, limit }, signal) => request(`/v1/skills/search?${qs({ q, lang, limit })}`, { signal });

/** GET /v1/interests. */
export const interests = (lang, signal) => request(`/v1/interests?${qs({ lang })}`, { signal });

// Occupation pages do not change while the page is open: answers are kept per language.
const occupationCache = new Map();

/** The query string of a profile for an occupation page: `skill=` repeated, `text=`. */
function profileQuery(profile) {
  const u = new URLSearchParams();
  for (const s of (profile && profile.skills) || []) if (s) u.append('skill', s);
  if (profile && profile.text) u.set('text', profile.text);
  return u.toString();
}

/**
 * GET /v1/occupations/{taxonomy}/{code} (cached). With a `profile` ({skills, text}), the
 * answer also says which essential skills it covers and which it would learn.
 */
export async function occupation(taxonomy, code, lang, signal, profile = null) {
  const key = `${lang}|${taxonomy}|${code}|${profileQuery(profile)}`;
  if (occupationCache.has(key)) return occupationCache.get(key);
  const extra = profileQuery(profile);
  const d = await request(`${occPath(taxonomy, code)}?${qs({ lang })}${extra ? `&${extra}` : ''}`, { signal });
  occupationCache.set(key, d);
  return d;
}

/** The cached occupation page, or undefined. */
export const cachedOccupation = (taxonomy, code, lang, profile = null) => occupationCache.get(`${lang}|${taxonomy}|${code}|${profileQuery(profile)}`);
