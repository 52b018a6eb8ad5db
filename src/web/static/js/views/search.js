// Search view (#/?q=…&t=rome|esco&f=…&x=…&lvl=…): answers as you type, debounced, stale
// requests aborted; chips under the results' heading refine them (refine.js): `f` the facets
// required, `x` those excluded, `lvl` the highest entry level. A new query starts unfiltered.
import { $, h, setBusy, skeleton } from '../dom.js';
import { t } from '../i18n.js';
import { getLang, getView } from '../state.js';
import * as api from '../api.js';
import { ErrorCode } from '../error-codes.js';
import { renderResults, renderError } from '../cards.js';
import {
  emptyFilters, hasFilters, filtersKey, filtersFromParams, filtersToParams, isFacetId, isLevel,
  chooseChips, refineBar, undecidedBanner,
} from '../refine.js';

const MAX_QUERY_CHARS = 200;
const SEARCH_DEBOUNCE_MS = 250;
const LIMIT = 12;

// This view's working state.
let query = ''; // the query last run (trimmed, spaces collapsed)
let pending = null; // AbortController of the request in flight
let timer = 0; // debounce timer
let rendered = ''; // `${lang}|${taxonomy}|${q}|${filters}` of what the results show ('' when nothing)
// The refinement of the query on screen, forgotten when the query changes.
let filters = emptyFilters();
let dismissed = new Set(); // chips the query turned on ("pas le week-end") and the person turned off: `x:id`, `lvl:level`
let touched = new Set(); // keys of the chips pressed for this query: they stay on screen
let chipOrder = new Map(); // chip key → rank, so chips keep their place while the results change
let focusChip = ''; // key of the chip to give focus back to once the results are drawn

function resetFilters() {
  filters = emptyFilters();
  dismissed = new Set();
  touched = new Set();
  chipOrder = new Map();
}

/** The facets of GET /v1/facets, or null when they cannot be had (the results show without chips). */
const facetList = () => api.facets().then((d) => (d && Array.isArray(d.results) ? d.results : null)).catch(() => null);

const out = () => $('#search-out');
const input = () => $('#q');

function currentTaxonomy() {
  const r = document.querySelector('input[name="taxonomy"]:checked');
  return r ? r.value : '';
}

function syncClear() {
  $('#q-clear').hidden = input().value === '';
}

function renderSuggestions() {
  const box = out();
  setBusy(box, false);
  box.replaceChildren(h('div', { class: 'state start' },
    h('p', { class: 'start-lead', text: t('emptyLead') }),
    h('h2', { class: 'small-title', id: 'sugg-title', text: t('suggestionsTitle') }),
    h('ul', { class: 'chips suggestions', 'aria-labelledby': 'sugg-title' },
      t('suggestions').map((s) => h('li', null, h('button', {
        type: 'button', class: 'chip', text: s,
        onclick: () => {
          input().value = s;
          syncClear();
          runSearch(true);
          input().focus();
        },
      }))))));
  rendered = '';
}

function scheduleSearch() {
  clearTimeout(timer);
  timer = setTimeout(() => runSearch(false), SEARCH_DEBOUNCE_MS);
}

/** The hash of the search view for the last query. */
export function searchHash() {
  const p = api.qs({ q: query, t: currentTaxonomy(), ...(query ? filtersToParams(filters) : {}) });
  return p ? `#/?${p}` : '#/';
}

function writeSearchHash() {
  if (getView() !== 'search') return;
  const hash = searchHash();
  if (location.hash !== hash) history.replaceState(history.state, '', hash);
}

function warn(text) {
  out().replaceChildren(h('div', { class: 'state warn', role: 'alert' }, h('p', { text })));
}

/**
 * The filters the answer's `intent` turns on: the facets the query rules out ("pas le
 * week-end") become exclusions, shown as pressed chips and sent as `exclude` from then on,
 * unless the person turned them off. True when the filters changed. (The query's level, "j'ai
 * un CAP", is only offered as a chip: the engine already prefers what it reaches.)
 */
function adoptIntent(intent) {
  if (!intent || typeof intent !== 'object') return false;
  let changed = false;
  for (const id of Array.isArray(intent.avoided) ? intent.avoided : []) {
    if (isFacetId(id) && !filters.exclude.includes(id) && !filters.require.includes(id) && !dismissed.has(`x:${id}`)) {
      filters.exclude.push(id);
      changed = true;
    }
  }
  return changed;
}

/** A chip was pressed (click, tap, Enter or Space): change the filters and search again. */
function toggleChip(chip, button) {
  touched.add(chip.key);
  const on = button.getAttribute('aria-pressed') !== 'true';
  if (chip.type === 'require') {
    filters.require = on ? [...filters.require, chip.id] : filters.require.filter((id) => id !== chip.id);
  } else if (chip.type === 'exclude') {
    filters.exclude = on ? [...filters.exclude, chip.id] : filters.exclude.filter((id) => id !== chip.id);
    if (on) dismissed.delete(chip.key); else dismissed.add(chip.key);
  } else {
    filters.maxLevel = on ? chip.level : '';
    if (on) dismissed.delete(chip.key); else dismissed.add(chip.key);
    // One highest level at a time.
    for (const b of button.closest('.refine').querySelectorAll('.chip-level')) if (b !== button) b.setAttribute('aria-pressed', 'false');
  }
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
  focusChip = chip.key;
  runSearch(true);
}

/** The results with the undecided banner and the chips; focus back on the chip just pressed. */
function renderAnswer(box, data, facets, q) {
  renderResults(box, data, (n) => t('resultsFor', n, q));
  const results = Array.isArray(data.results) ? data.results : [];
  const intentLevel = data.intent && isLevel(data.intent.max_level) ? data.intent.max_level : '';
  const bar = refineBar(chooseChips(results, facets, filters, { dismissed, touched, order: chipOrder, intentLevel }), toggleChip);
  const title = box.querySelector('.results-title');
  if (bar && title) title.after(bar);
  else if (bar) box.prepend(bar);
  if (!results.length && hasFilters(filters)) {
    const empty = box.querySelector('.state.empty h2');
    if (empty) empty.after(h('p', { class: 'filter-hint', text: t('noResultFilters') }));
  }
  if (data.intent && data.intent.undecided === true) box.prepend(undecidedBanner());
  // Focus back on the chip pressed (its button was drawn anew), unless the person went elsewhere meanwhile.
  const active = document.activeElement;
  if (focusChip && (!active || active === document.body || box.contains(active))) {
    const want = focusChip;
    focusChip = '';
    const chips = [...box.querySelectorAll('.refine-chip')];
    const target = chips.find((b) => b.dataset.chip === want) || chips[0];
    if (target) target.focus({ preventScroll: true });
  }
  focusChip = '';
}

async function runSearch(force) {
  clearTimeout(timer);
  const q = input().value.trim().replace(/\s+/g, ' ');
  const taxonomy = currentTaxonomy();
  const lang = getLang();
  if (q !== query) {
    resetFilters();
    focusChip = '';
  }
  const key = `${lang}|${taxonomy}|${q}|${filtersKey(filters)}`;
  if (!force && key === rendered) return;
  if (pending) pending.abort();
  pending = null;
  query = q;
  writeSearchHash();
  document.body.classList.toggle('has-query', q !== '');
  const box = out();
  const row = $('.search-row');
  row.classList.remove('loading');

  if (!q) { renderSuggestions(); return; }
  if (q.length > MAX_QUERY_CHARS) {
    setBusy(box, false);
    warn(t('tooLong', q.length, MAX_QUERY_CHARS));
    rendered = key;
    return;
  }

  const ctrl = new AbortController();
  pending = ctrl;
  setBusy(box, true);
  row.classList.add('loading');
  // Keep previous results visible (dimmed) while typing; skeleton otherwise.
  if (!box.querySelector('.results')) box.replaceChildren(...skeleton(3, t('loading')));
  try {
    const [data, facets] = await Promise.all([
      api.search({
        q, lang, taxonomy, limit: LIMIT, group: 'metier',
        require: filters.require, exclude: filters.exclude, maxLevel: filters.maxLevel,
      }, ctrl.signal),
      facetList(),
    ]);
    if (ctrl.signal.aborted) return;
    if (adoptIntent(data.intent)) writeSearchHash();
    renderAnswer(box, data, facets, q);
    rendered = `${lang}|${taxonomy}|${q}|${filtersKey(filters)}`;
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    focusChip = '';
    if (e.code === ErrorCode.InvalidParameter && hasFilters(filters)) {
      // A shared link naming a facet this index does not have: search without the filters.
      resetFilters();
      rendered = '';
      if (pending === ctrl) pending = null;
      runSearch(true);
      return;
    }
    if (e.code === ErrorCode.QueryTooLong || e.code === ErrorCode.TooManyTokens) warn(e.message || t('tooLong', q.length, MAX_QUERY_CHARS));
    else if (e.code === ErrorCode.EmptyQuery) renderSuggestions();
    else renderError(box, e, () => runSearch(true));
    rendered = '';
  } finally {
    if (pending === ctrl) {
      pending = null;
      setBusy(box, false);
      row.classList.remove('loading');
    }
  }
}

/** The page title while this view is shown. */
export const searchTitle = () => (query ? `${query} — Boussole` : t('titleSearch'));

/** Shows the search of the hash's `q`, `t` and filter parameters (nothing new when already shown). */
export function showSearch(params) {
  const q = params.get('q') || '';
  const tax = params.get('t') || '';
  const wanted = filtersFromParams(params);
  const radio = document.querySelector(`input[name="taxonomy"][value="${['rome', 'esco'].includes(tax) ? tax : ''}"]`);
  if (radio && !radio.checked) radio.checked = true;
  const sameFilters = filtersKey(wanted) === filtersKey(filters);
  if (q !== input().value.trim() || !out().firstChild || !sameFilters) {
    input().value = q;
    syncClear();
    const norm = q.trim().replace(/\s+/g, ' ');
    if (!sameFilters || norm !== query) {
      // The hash's filters belong to its query: set both, so runSearch keeps them.
      resetFilters();
      filters = norm ? wanted : emptyFilters();
      query = norm;
      rendered = '';
    }
    runSearch(false);
  }
}

/** Re-renders in the new language. */
export function searchLangChanged() {
  rendered = '';
  if (query) runSearch(true);
  else renderSuggestions();
}

export function initSearch() {
  const box = input();
  box.addEventListener('input', () => { syncClear(); scheduleSearch(); });
  $('#search-form').addEventListener('submit', (ev) => { ev.preventDefault(); runSearch(true); });
  $('#q-clear').addEventListener('click', () => {
    box.value = '';
    syncClear();
    runSearch(false);
    box.focus();
  });
  for (const r of document.querySelectorAll('input[name="taxonomy"]')) r.addEventListener('change', () => runSearch(false));
}
