// "Je ne sais pas quoi chercher" (#/quiz): 18 short statements about activities, three per
// RIASEC type, one per screen, each answered on a 4-step scale (a radio group: arrow keys,
// Space, Enter for "next"). The answers give six scores in [0, 1] → POST /v1/match
// {riasec} → the person's strongest types explained in plain words and the métiers that fit.
// Answers stay on the device (localStorage); the person can stop at any time.
import { $, h, announce, setBusy, skeleton } from '../dom.js';
import { t } from '../i18n.js';
import { getLang } from '../state.js';
import * as api from '../api.js';
import { renderResults, renderError } from '../cards.js';

const KEY = 'boussole.quiz.v1';
const LETTERS = ['R', 'I', 'A', 'S', 'E', 'C'];
/** The type each statement of `t('quizItems')` speaks of: the six types in turn, three times. */
const ITEMS = [...LETTERS, ...LETTERS, ...LETTERS];
/** Answers: 0 "pas du tout" … 3 "beaucoup"; null: not answered (skipped). */
const STEPS = 4;
const LIMIT = 12;
/** Types explained on the result screen, at most. */
const TOP = 3;

// This view's working state (also kept in localStorage).
let answers = new Array(ITEMS.length).fill(null);
let index = 0; // the question on screen
let screen = 'intro'; // 'intro' | 'question' | 'result'
let loaded = false; // saved answers read
let pending = null; // AbortController of the match request
let shownKey = ''; // `${lang}|${scores}` of the results on screen

const box = () => $('#quiz-box');
const out = () => $('#quiz-out');

function load() {
  if (loaded) return;
  loaded = true;
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (saved && Array.isArray(saved.answers) && saved.answers.length === ITEMS.length) {
      answers = saved.answers.map((a) => (Number.isInteger(a) && a >= 0 && a < STEPS ? a : null));
      index = Number.isInteger(saved.index) ? Math.min(Math.max(saved.index, 0), ITEMS.length - 1) : 0;
      if (saved.done) screen = 'result';
    }
  } catch (_) { /* corrupt or unavailable storage: start afresh */ }
}

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify({ answers, index, done: screen === 'result' }));
  } catch (_) { /* private mode: the quiz still works for this visit */ }
}

const answered = () => answers.filter((a) => a !== null).length;

/** Six scores in [0, 1]: per type, the mean of its answered statements (0 when none). */
export function quizScores(list = answers) {
  const scores = {};
  for (const letter of LETTERS) {
    const mine = list.filter((a, i) => ITEMS[i] === letter && a !== null);
    scores[letter] = mine.length ? Math.round((mine.reduce((s, a) => s + a, 0) / (mine.length * (STEPS - 1))) * 1000) / 1000 : 0;
  }
  return scores;
}

/** The strongest types (score above 0), highest first; ties in RIASEC order. */
function topTypes(scores) {
  return LETTERS.filter((l) => scores[l] > 0).sort((a, b) => scores[b] - scores[a] || LETTERS.indexOf(a) - LETTERS.indexOf(b)).slice(0, TOP);
}

function focusFirst(el) {
  if (el) el.focus({ preventScroll: false });
}

function renderIntro() {
  screen = 'intro';
  out().replaceChildren();
  const started = answered() > 0;
  box().replaceChildren(h('div', { class: 'card-box quiz-intro' },
    h('p', { text: t('quizIntro', ITEMS.length) }),
    h('ul', { class: 'quiz-points' }, t('quizPoints').map((p) => h('li', { text: p }))),
    h('div', { class: 'actions' },
      h('button', {
        type: 'button', class: 'btn primary', id: 'quiz-start',
        text: started ? t('quizResume', index + 1, ITEMS.length) : t('quizStart'),
        onclick: () => renderQuestion(started ? index : 0, true),
      }),
      started ? h('button', { type: 'button', class: 'btn ghost', id: 'quiz-restart', text: t('quizRestart'), onclick: restart }) : null)));
}

/** The progress bar (decorative: the text says it), `part` in [0, 1] filled. */
function bar(part) {
  const fill = h('span');
  fill.style.width = `${Math.round(part * 100)}%`; // CSSOM: the page's CSP refuses style attributes
  return h('div', { class: 'quiz-bar', 'aria-hidden': 'true' }, fill);
}

function renderQuestion(i, focus) {
  screen = 'question';
  index = Math.min(Math.max(i, 0), ITEMS.length - 1);
  save();
  out().replaceChildren();
  const n = ITEMS.length;
  const last = index === n - 1;
  const name = `quiz-a${index}`;
  const options = t('quizScale').map((label, v) => {
    const id = `quiz-${index}-${v}`;
    return h('div', { class: 'scale-opt' },
      h('input', { type: 'radio', name, id, value: String(v), checked: answers[index] === v,
        onchange: () => { answers[index] = v; save(); } }),
      h('label', { for: id, text: label }));
  });
  const form = h('form', { class: 'card-box quiz-q', id: 'quiz-form', novalidate: true, 'aria-labelledby': 'quiz-progress' },
    h('p', { class: 'quiz-progress', id: 'quiz-progress', text: t('quizProgress', index + 1, n) }),
    bar((index + 1) / n),
    h('fieldset', { class: 'scale' },
      h('legend', { class: 'quiz-statement', id: 'quiz-statement' },
        h('span', { class: 'quiz-ask', text: t('quizAsk') }), ' ', t('quizItems')[index]),
      h('div', { class: 'scale-opts' }, options)),
    h('p', { class: 'hint', text: t('quizKeys') }),
    h('div', { class: 'actions quiz-nav' },
      h('button', { type: 'button', class: 'btn ghost', id: 'quiz-prev', text: t('quizPrev'),
        onclick: () => (index === 0 ? renderIntro() : renderQuestion(index - 1, true)) }),
      h('button', { type: 'submit', class: 'btn primary', id: 'quiz-next', text: last ? t('quizFinish') : t('quizNext') })),
    h('p', { class: 'quiz-stop' },
      h('button', { type: 'button', class: 'btn link', id: 'quiz-stop', text: t('quizStop'), onclick: () => showResult(true) })));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); next(); });
  // Enter on a radio moves on, whatever the browser's implicit submission does.
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && ev.target && ev.target.type === 'radio') { ev.preventDefault(); next(); }
  });
  box().replaceChildren(form);
  if (focus) focusAnswer();
}

/** Focus on the chosen answer of the question on screen, else on its first answer. */
function focusAnswer() {
  const radios = [...box().querySelectorAll('input[type="radio"]')];
  focusFirst(radios.find((r) => r.checked) || radios[0]);
}

function next() {
  if (index >= ITEMS.length - 1) showResult(true);
  else renderQuestion(index + 1, true);
}

function restart() {
  answers = new Array(ITEMS.length).fill(null);
  index = 0;
  shownKey = '';
  renderQuestion(0, true);
}

/** The result screen: the strongest types explained, then the métiers that fit them. */
function showResult(focus) {
  screen = 'result';
  save();
  const scores = quizScores();
  const top = topTypes(scores);
  const n = answered();
  const names = t('riasecNames');
  const partial = n < ITEMS.length
    ? h('p', { class: 'quiz-partial' }, t('quizPartial', n, ITEMS.length), ' ',
      h('button', { type: 'button', class: 'btn link', id: 'quiz-continue', text: t('quizContinue'),
        onclick: () => renderQuestion(Math.max(answers.findIndex((a) => a === null), 0), true) }))
    : null;
  const actions = h('div', { class: 'actions' },
    h('button', { type: 'button', class: 'btn ghost', id: 'quiz-again', text: t('quizRestart'), onclick: restart }),
    h('a', { class: 'btn ghost', href: '#/profil', text: t('quizRefine') }));
  if (!top.length) {
    box().replaceChildren(h('div', { class: 'card-box quiz-result' },
      h('h2', { id: 'quiz-result-title', tabindex: '-1', text: t('quizNothingTitle') }),
      h('p', { text: t('quizNothing') }),
      partial, actions));
    out().replaceChildren();
    shownKey = '';
    if (focus) focusFirst($('#quiz-result-title'));
    return;
  }
  const typeName = (l) => (names[l] ? names[l][0] : l);
  box().replaceChildren(h('div', { class: 'quiz-result' },
    h('h2', { id: 'quiz-result-title', tabindex: '-1', text: t('quizProfileTitle', top.map(typeName)) }),
    partial,
    h('ul', { class: 'quiz-types' }, top.map((l) => h('li', { class: 'card-box quiz-type', dataset: { type: l } },
      h('span', { class: `riasec-letter r-${l}`, 'aria-hidden': 'true', text: l }),
      h('div', null,
        h('h3', { text: typeName(l) }),
        h('p', { text: t('quizExplain')[l] }))))),
    h('p', { class: 'quiz-note', text: t('quizVerdict') }),
    actions));
  if (focus) focusFirst($('#quiz-result-title'));
  announce(t('quizProfileTitle', top.map(typeName)));
  fetchResults(scores);
}

async function fetchResults(scores, force = false) {
  const lang = getLang();
  const key = `${lang}|${JSON.stringify(scores)}`;
  if (!force && key === shownKey && out().querySelector('.results')) return;
  if (pending) pending.abort();
  const ctrl = new AbortController();
  pending = ctrl;
  const o = out();
  setBusy(o, true);
  o.replaceChildren(...skeleton(3, t('loading')));
  try {
    const data = await api.match({ riasec: scores, lang, limit: LIMIT, group: 'metier' }, ctrl.signal);
    if (ctrl.signal.aborted) return;
    renderResults(o, data, (k) => t('quizResults', k));
    shownKey = key;
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    renderError(o, e, () => fetchResults(scores, true));
    shownKey = '';
  } finally {
    if (pending === ctrl) { pending = null; setBusy(o, false); }
  }
}

/**
 * Shows the questionnaire where the person left it (what is on screen stays as it was).
 * `focus`: arriving from elsewhere (not back from a métier page), focus goes to the view's
 * heading, or to the answers when a question is on screen.
 */
export function showQuiz({ focus = false } = {}) {
  load();
  if (screen === 'result') {
    if (!$('#quiz-result-title')) showResult(false);
    else if (topTypes(quizScores()).length) fetchResults(quizScores());
  } else if (screen === 'question') {
    if (!$('#quiz-form')) renderQuestion(index, focus);
    else if (focus) focusAnswer();
    return;
  } else if (!$('.quiz-intro')) {
    renderIntro();
  }
  if (focus) $('#quiz-title').focus();
}

/** Re-renders in the new language (a hidden view is drawn again when next shown). */
export function quizLangChanged(visible) {
  if (!loaded) return;
  if (!visible) { box().replaceChildren(); out().replaceChildren(); shownKey = ''; return; }
  if (screen === 'result') showResult(false);
  else if (screen === 'question') renderQuestion(index, false);
  else renderIntro();
}
