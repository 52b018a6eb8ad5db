// The centres d'intérêt picker of the profile view: toggle chips (aria-pressed) loaded from
// GET /v1/interests in the page's language.
import { $, h } from '../dom.js';
import { t } from '../i18n.js';
import { getLang } from '../state.js';
import * as api from '../api.js';
import { errorMessage } from '../cards.js';

let interests = []; // [{code, label}] in `loadedLang`
let loadedLang = '';
const selected = new Set(); // codes (or labels, for an interest without code)

const keyOf = (i) => i.code || i.label;

function render() {
  $('#interests').replaceChildren(h('ul', { class: 'chips' }, interests.map((i) => {
    const key = keyOf(i);
    return h('li', null, h('button', {
      type: 'button', class: 'chip toggle', 'aria-pressed': selected.has(key) ? 'true' : 'false', text: i.label,
      onclick: (ev) => {
        const on = !selected.has(key);
        if (on) selected.add(key); else selected.delete(key);
        ev.currentTarget.setAttribute('aria-pressed', on ? 'true' : 'false');
      },
    }));
  })));
}

/** Loads the interests in the page's language, unless they already are. */
export async function loadInterests() {
  const box = $('#interests');
  const lang = getLang();
  if (loadedLang === lang && interests.length) return;
  box.replaceChildren(h('p', { class: 'muted', text: t('interestsLoading') }));
  box.setAttribute('aria-busy', 'true');
  try {
    const data = await api.interests(lang);
    interests = (data.results || []).filter((i) => i && i.label);
    loadedLang = lang;
    render();
  } catch (e) {
    box.replaceChildren(h('p', { class: 'form-msg', text: `${t('interestsError')} ${errorMessage(e)}` }),
      h('button', { type: 'button', class: 'btn ghost small', text: t('retry'), onclick: () => loadInterests() }));
  } finally {
    box.setAttribute('aria-busy', 'false');
  }
}

/** Labels of the chosen interests, in the page's language. */
export const chosenInterests = () => interests.filter((i) => selected.has(keyOf(i))).map((i) => i.label);

/** Forgets the loaded list (the language changed); the choices are kept by code. */
export function interestsLangChanged() {
  loadedLang = '';
}

export function clearInterests() {
  selected.clear();
  if (interests.length) render();
}
