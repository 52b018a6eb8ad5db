// Search view (#/?q=…&t=rome|esco): answers as you type, debounced, stale requests aborted.
import { $, h, setBusy, skeleton } from '../dom.js';
import { t } from '../i18n.js';
import { getLang, getView } from '../state.js';
import * as api from '../api.js';
import { ErrorCode } from '../error-codes.js';
import { renderResults, renderError } from '../cards.js';

const MAX_QUERY_CHARS = 200;
const SEARCH_DEBOUNCE_MS = 250;
const LIMIT = 12;

// This view's working state.
let query = ''; // the query last run (trimmed, spaces collapsed)
let pending = null; // AbortController of the request in flight
let timer = 0; // debounce timer
let rendered = ''; // `${lang}|${taxonomy}|${q}` of what the results show ('' when nothing)

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
  const p = api.qs({ q: query, t: currentTaxonomy() });
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

async function runSearch(force) {
  clearTimeout(timer);
  const q = input().value.trim().replace(/\s+/g, ' ');
  const taxonomy = currentTaxonomy();
  const lang = getLang();
  const key = `${lang}|${taxonomy}|${q}`;
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
    const data = await api.search({ q, lang, taxonomy, limit: LIMIT, group: 'metier' }, ctrl.signal);
    if (ctrl.signal.aborted) return;
    renderResults(box, data, (n) => t('resultsFor', n, q));
    rendered = key;
  } catch (e) {
    if (e && e.name === 'AbortError') return;
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

/** Shows the search of the hash's `q` and `t` parameters (nothing new when already shown). */
export function showSearch(params) {
  const q = params.get('q') || '';
  const tax = params.get('t') || '';
  const radio = document.querySelector(`input[name="taxonomy"][value="${['rome', 'esco'].includes(tax) ? tax : ''}"]`);
  if (radio && !radio.checked) radio.checked = true;
  if (q !== input().value.trim() || !out().firstChild) {
    input().value = q;
    syncClear();
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
