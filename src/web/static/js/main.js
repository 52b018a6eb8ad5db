// Boussole web client, entry point: language, routing between the views (hash URLs, so the
// back button and shared links work) and the wiring the views share. Native ES modules, no
// build step, no dependency.
//
//   main.js ── views/search.js     #/?q=…&t=…&f=…&x=…&lvl=… search as you type, refined by chips
//           ├─ views/profile.js    #/profil             interests (views/interests.js), skills, free text → match
//           ├─ views/detail.js     #/metier/{tax}/{code} one occupation
//           ├─ views/selection.js  #/selection[?ids=…]  the shortlist, or a shared one
//           └─ views/quiz.js       #/quiz               "je ne sais pas quoi chercher": RIASEC questionnaire → match
//   shared: state.js (shared state), i18n.js (words), api.js (HTTP client), dom.js (helpers),
//           cards.js (result cards), shortlist.js (stored shortlist, star button, share links),
//           refine.js (refinement chips of a search, the "pas d'idée précise ?" banner)
import { $ } from './dom.js';
import { LANGS, t, applyI18n } from './i18n.js';
import * as state from './state.js';
import * as shortlist from './shortlist.js';
import { initSearch, showSearch, searchTitle, searchLangChanged, searchHash } from './views/search.js';

/**
 * Views other than search load on first use, so the first page weighs only what it shows (a
 * phone on a small data plan may never open the questionnaire). A view is shown once its module
 * is ready, so its form never appears before its handlers.
 */
const LAZY = {
  profile: () => import('./views/profile.js'),
  detail: () => import('./views/detail.js'),
  selection: () => import('./views/selection.js'),
  quiz: () => import('./views/quiz.js'),
};
/** Modules already loaded, by view. */
const modules = {};
const loading = {};

function load(view) {
  if (!loading[view]) {
    loading[view] = LAZY[view]().then((m) => {
      if (view === 'profile') m.initProfile();
      modules[view] = m;
      return m;
    });
  }
  return loading[view];
}

const VIEWS = ['search', 'profile', 'detail', 'selection', 'quiz'];
const LANG_KEY = 'boussole.lang';

const decode = (s) => {
  try { return decodeURIComponent(s); } catch (_) { return s; }
};

/** The view named by the location's hash, with its parameters. */
function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const cut = raw.indexOf('?');
  const path = cut < 0 ? raw : raw.slice(0, cut);
  const params = new URLSearchParams(cut < 0 ? '' : raw.slice(cut + 1));
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'metier' && parts.length >= 3) {
    return { view: 'detail', taxonomy: decode(parts[1]), code: decode(parts.slice(2).join('/')) };
  }
  if (parts[0] === 'profil' || parts[0] === 'profile') return { view: 'profile', params };
  if (parts[0] === 'selection') return { view: 'selection', params };
  if (parts[0] === 'quiz') return { view: 'quiz', params };
  return { view: 'search', params };
}

/** The hash a view was shown under, when the browser does not say. */
function defaultHash(view) {
  if (view === 'profile') return '#/profil';
  if (view === 'selection') return '#/selection';
  if (view === 'quiz') return '#/quiz';
  return searchHash();
}

function show(view) {
  const prev = state.getView();
  if (prev !== view && prev !== 'detail') state.saveScroll(prev, window.scrollY);
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
  const shownTab = view === 'detail' ? state.getOrigin().view : view;
  // The questionnaire is a way into the profile.
  const tab = shownTab === 'quiz' ? 'profile' : shownTab;
  for (const a of document.querySelectorAll('.tab')) {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  state.setView(view);
}

function setTitle() {
  const view = state.getView();
  if (view === 'profile') document.title = t('titleProfile');
  else if (view === 'selection') document.title = t('titleSelection');
  else if (view === 'quiz') document.title = t('titleQuiz');
  else if (view === 'search') document.title = searchTitle();
}

/** Back from a detail page: the list scrolled as it was, focus on the link that was followed. */
function restoreFocus() {
  const view = state.getView();
  window.scrollTo(0, state.getScroll(view));
  const href = state.getLastOpened();
  if (!href) return;
  const link = [...document.querySelectorAll(`#view-${view} a[href]`)].find((a) => a.getAttribute('href') === href);
  if (link) link.focus({ preventScroll: true });
}

/** Shows the view of the current hash; `oldHash`: the hash before (from hashchange), if any. */
function route(oldHash) {
  const r = parseHash();
  if (r.view === 'search') {
    showRoute(r, oldHash, null);
    return;
  }
  const hash = location.hash;
  load(r.view).then((m) => {
    // Another route may have been taken while the module loaded.
    if (location.hash === hash) showRoute(r, oldHash, m);
  });
}

/** Shows route `r` with its view's module `m` (none for search, which is always loaded). */
function showRoute(r, oldHash, m) {
  const prev = state.getView();
  if (r.view === 'detail') {
    if (prev !== 'detail') {
      const from = oldHash !== null && parseHash(oldHash).view === prev ? oldHash : defaultHash(prev);
      state.setOrigin(prev, from);
    }
    show('detail');
    window.scrollTo(0, 0);
    m.showDetail(r.taxonomy, r.code, { focus: true });
    return;
  }
  show(r.view);
  setTitle();
  if (r.view === 'profile') m.showProfile();
  else if (r.view === 'search') showSearch(r.params);
  else if (r.view === 'quiz') m.showQuiz({ focus: prev !== 'detail' });
  else {
    // The shortlist may have to be fetched again: focus returns once it is drawn.
    m.showSelection(r.params).then(() => { if (prev === 'detail' && state.getView() === 'selection') restoreFocus(); });
    return;
  }
  if (prev === 'detail') restoreFocus();
}

function setLanguage(lang) {
  if (!LANGS.includes(lang) || lang === state.getLang()) return;
  state.setLang(lang);
  try { localStorage.setItem(LANG_KEY, lang); } catch (_) { /* private mode */ }
  applyI18n();
  updateTabCount();
  // Re-render everything that depends on the language.
  const view = state.getView();
  searchLangChanged();
  // A view not loaded yet is drawn in the new language when it first shows.
  modules.profile?.profileLangChanged(view === 'profile');
  modules.quiz?.quizLangChanged(view === 'quiz');
  if (view === 'detail' || view === 'selection') route(null);
  else setTitle();
}

function updateTabCount() {
  const n = shortlist.count();
  const el = $('#selection-count');
  el.textContent = n ? String(n) : '';
  el.hidden = n === 0;
  // The badge is a bare number: the link's name says what it counts.
  const tab = el.closest('.tab');
  if (n) tab.setAttribute('aria-label', `${t('tabSelection')} (${t('selectionCount', n)})`);
  else tab.removeAttribute('aria-label');
}

function init() {
  let lang = 'fr';
  try { lang = localStorage.getItem(LANG_KEY) || 'fr'; } catch (_) { /* storage disabled */ }
  state.setLang(LANGS.includes(lang) ? lang : 'fr');
  applyI18n();
  initSearch();

  for (const b of document.querySelectorAll('.lang-btn')) b.addEventListener('click', () => setLanguage(b.dataset.lang));

  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a[href^="#/"]');
    if (!a) return;
    // Remember which occupation was opened, so focus returns there on "back".
    if (a.getAttribute('href').startsWith('#/metier/') && !a.closest('#view-detail')) state.setLastOpened(a.getAttribute('href'));
    state.markInAppNav();
  });
  $('#back-link').addEventListener('click', (ev) => {
    if (state.isInAppNav() && history.length > 1) { ev.preventDefault(); history.back(); }
  });

  shortlist.onChange(() => {
    shortlist.syncStars();
    updateTabCount();
    modules.selection?.selectionChanged(state.getView() === 'selection');
  });
  shortlist.watchStorage();
  updateTabCount();

  window.addEventListener('hashchange', (ev) => {
    const i = ev.oldURL ? ev.oldURL.indexOf('#') : -1;
    route(i < 0 ? '#/' : ev.oldURL.slice(i));
  });
  route(null);
}

// Module scripts run once the document is parsed.
init();
