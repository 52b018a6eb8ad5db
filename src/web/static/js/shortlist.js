// The shortlist ("Ma sélection"): métiers a young person keeps, stored on the device only
// (localStorage, versioned key), and shared as a link: #/selection?ids=rome:D1102,esco:<uri>.
import { h, starIcon, announce } from './dom.js';
import { t } from './i18n.js';

/** localStorage key; the value is {"version": 1, "items": [{taxonomy, code, label}]}. */
export const STORAGE_KEY = 'boussole.shortlist.v1';
const VERSION = 1;
/** Most métiers kept, and most read from a shared link. */
export const MAX_ITEMS = 50;
const TAXONOMIES = ['rome', 'esco'];
const MAX_CODE_CHARS = 300;
const MAX_LABEL_CHARS = 300;

/** Used instead of localStorage when it is unavailable (private browsing, storage disabled, full). */
let memory = null;
const listeners = new Set();

const validRef = (taxonomy, code) => TAXONOMIES.includes(taxonomy)
  && typeof code === 'string' && code.trim() !== '' && code.length <= MAX_CODE_CHARS;

/** Well-formed, distinct items, at most MAX_ITEMS; anything else is dropped. */
function clean(raw) {
  const seen = new Set();
  const out = [];
  for (const it of Array.isArray(raw) ? raw : []) {
    if (!it || typeof it !== 'object' || !validRef(it.taxonomy, it.code)) continue;
    const id = idOf(it.taxonomy, it.code);
    if (seen.has(id)) continue;
    seen.add(id);
    const label = typeof it.label === 'string' ? it.label.slice(0, MAX_LABEL_CHARS) : '';
    out.push({ taxonomy: it.taxonomy, code: it.code, label });
    if (out.length >= MAX_ITEMS) break;
  }
  return out;
}

function read() {
  if (memory) return memory;
  let raw = null;
  try {
    raw = localStorage.getItem(STORAGE_KEY);
  } catch (_) {
    memory = [];
    return memory;
  }
  if (!raw) return [];
  try {
    const data = JSON.parse(raw);
    if (data && data.version === VERSION) return clean(data.items);
  } catch (_) { /* corrupt JSON: start from an empty list, replaced at the next change */ }
  return [];
}

function write(items) {
  if (!memory) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ version: VERSION, items }));
    } catch (_) {
      memory = items;
    }
  } else {
    memory = items;
  }
  for (const fn of listeners) fn();
}

/** "taxonomy:code", the form used in share links. */
export const idOf = (taxonomy, code) => `${taxonomy}:${code}`;

/** The kept métiers, in the order they were added. */
export const list = () => read().map((it) => ({ ...it }));
export const count = () => read().length;
export const has = (taxonomy, code) => read().some((it) => it.taxonomy === taxonomy && it.code === code);

/** Keeps a métier. Returns 'added', 'present' or 'full'. */
export function add({ taxonomy, code, label }) {
  if (!validRef(taxonomy, code)) return 'present';
  const items = read();
  if (items.some((it) => it.taxonomy === taxonomy && it.code === code)) return 'present';
  if (items.length >= MAX_ITEMS) return 'full';
  write([...items, { taxonomy, code, label: String(label || '').slice(0, MAX_LABEL_CHARS) }]);
  return 'added';
}

export function remove(taxonomy, code) {
  const items = read();
  const rest = items.filter((it) => !(it.taxonomy === taxonomy && it.code === code));
  if (rest.length !== items.length) write(rest);
}

/** Calls `fn` after every change, from this page or (through the storage event) another tab. */
export function onChange(fn) {
  listeners.add(fn);
}

/** Listens to other tabs' changes. */
export function watchStorage() {
  window.addEventListener('storage', (ev) => {
    if (ev.key === STORAGE_KEY || ev.key === null) for (const fn of listeners) fn();
  });
}

// ------------------------------------------------------------------ share links

/** `id` readable in a URL: only what must be escaped is (':' and '/' of URIs stay as they are). */
const encodeId = (id) => encodeURIComponent(id).replace(/%3A/gi, ':').replace(/%2F/gi, '/');

/** The hash of the share link of `items`. */
export const shareHash = (items) => `#/selection?ids=${items.map((it) => encodeId(idOf(it.taxonomy, it.code))).join(',')}`;

/** The absolute share link of `items`. */
export const shareUrl = (items) => `${location.origin}${location.pathname}${shareHash(items)}`;

/**
 * The `ids` parameter of a share link, already percent-decoded: distinct well-formed refs
 * (at most MAX_ITEMS), the ids that are not well-formed, and whether some were cut off.
 */
export function parseIds(param) {
  const refs = [];
  const invalid = [];
  const seen = new Set();
  let truncated = false;
  for (const raw of String(param || '').split(',')) {
    const id = raw.trim();
    if (!id || seen.has(id)) continue;
    seen.add(id);
    const colon = id.indexOf(':');
    const taxonomy = colon > 0 ? id.slice(0, colon).toLowerCase() : '';
    const code = colon > 0 ? id.slice(colon + 1) : '';
    if (!validRef(taxonomy, code)) { invalid.push(id.slice(0, 80)); continue; }
    if (refs.length >= MAX_ITEMS) { truncated = true; continue; }
    refs.push({ taxonomy, code });
  }
  return { refs, invalid, truncated };
}

// ------------------------------------------------------------------ star button

/**
 * The toggle that keeps or drops a métier (`aria-pressed`). `full`: an outlined button with
 * visible text (detail page); otherwise a 44-px icon button named after the métier (cards).
 */
export function starButton({ taxonomy, code, label }, { full = false } = {}) {
  const name = label || code;
  return h('button', {
    type: 'button',
    class: full ? 'btn ghost star-btn' : 'star',
    'aria-pressed': has(taxonomy, code) ? 'true' : 'false',
    'aria-label': full ? null : t('starLabel', name),
    title: full ? null : t('star'),
    dataset: { starTaxonomy: taxonomy, starCode: code },
    onclick: (ev) => {
      const b = ev.currentTarget;
      if (has(taxonomy, code)) {
        remove(taxonomy, code);
        announce(t('starRemoved', name));
      } else if (add({ taxonomy, code, label: name }) === 'full') {
        announce(t('selectionFull', MAX_ITEMS));
      } else {
        announce(t('starAdded', name));
      }
      b.setAttribute('aria-pressed', has(taxonomy, code) ? 'true' : 'false');
    },
  }, starIcon(), full ? h('span', { text: t('star') }) : null);
}

/** Brings every star button of `root` in line with the stored list. */
export function syncStars(root = document) {
  for (const b of root.querySelectorAll('button[data-star-code]')) {
    b.setAttribute('aria-pressed', has(b.dataset.starTaxonomy, b.dataset.starCode) ? 'true' : 'false');
  }
}
