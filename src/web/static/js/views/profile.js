// Profile view (#/profil): centres d'intérêt, skills (ARIA combobox with autocomplete from
// GET /v1/skills/search) and free text → POST /v1/match.
import { $, h, setBusy, skeleton, announce, prefersReducedMotion } from '../dom.js';
import { t } from '../i18n.js';
import { getLang, setProfile } from '../state.js';
import * as api from '../api.js';
import { renderResults, renderError, errorMessage } from '../cards.js';
import { loadInterests, chosenInterests, clearInterests, interestsLangChanged } from './interests.js';

const SKILL_DEBOUNCE_MS = 200;
const MAX_TEXT_CHARS = 500;
const LIMIT = 12;

// This view's working state.
let skills = []; // chosen skills [{code, label}]
let options = []; // suggestions shown in the listbox
let active = -1; // index of the active suggestion
let skillPending = null; // AbortController of the suggestion request
let skillTimer = 0;
let matchPending = null; // AbortController of the match request
let lastAnswer = null; // the last match answer, re-rendered when the language changes

const skillInput = () => $('#skill-input');
const listbox = () => $('#skill-list');
const message = () => $('#profile-msg');

function renderSkillChips() {
  const ul = $('#skill-chips');
  ul.replaceChildren(...skills.map((s, idx) => h('li', { class: 'chip selected' },
    h('span', { text: s.label }),
    h('button', {
      type: 'button', class: 'chip-x', 'aria-label': t('removeSkill', s.label),
      onclick: () => removeSkill(idx, true),
    }, '×'))));
  ul.hidden = skills.length === 0;
}

function addSkill(opt) {
  if (!opt || !opt.label) return;
  const exists = skills.some((s) => s.label.toLowerCase() === opt.label.toLowerCase());
  if (!exists) skills.push({ code: opt.code || '', label: opt.label });
  renderSkillChips();
  const input = skillInput();
  input.value = '';
  closeListbox();
  announce(t('skillAdded', opt.label));
  input.focus();
}

function removeSkill(idx, refocus) {
  const [s] = skills.splice(idx, 1);
  renderSkillChips();
  if (s) announce(t('skillRemoved', s.label));
  if (refocus) skillInput().focus();
}

function closeListbox() {
  const list = listbox();
  const input = skillInput();
  list.hidden = true;
  list.replaceChildren();
  input.setAttribute('aria-expanded', 'false');
  input.removeAttribute('aria-activedescendant');
  options = [];
  active = -1;
}

function setActive(i) {
  const input = skillInput();
  const opts = [...listbox().querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
  if (!opts.length) { active = -1; return; }
  const n = opts.length;
  active = ((i % n) + n) % n;
  opts.forEach((o, k) => o.setAttribute('aria-selected', k === active ? 'true' : 'false'));
  const el = opts[active];
  input.setAttribute('aria-activedescendant', el.id);
  el.scrollIntoView({ block: 'nearest' });
}

function openListbox(found) {
  const list = listbox();
  const input = skillInput();
  options = found;
  active = -1;
  input.removeAttribute('aria-activedescendant');
  if (!found.length) {
    list.replaceChildren(h('li', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', class: 'opt none', id: 'skill-opt-none', text: t('noSkill') }));
  } else {
    list.replaceChildren(...found.map((o, i) => h('li', {
      role: 'option', id: `skill-opt-${i}`, class: 'opt', 'aria-selected': 'false',
      onmousedown: (ev) => ev.preventDefault(), // keep focus in the input
      onclick: () => addSkill(o),
    }, h('span', { text: o.label }), o.taxonomy ? h('span', { class: 'opt-tax', text: (t('taxonomyName')[o.taxonomy] || o.taxonomy) }) : null)));
  }
  list.hidden = false;
  input.setAttribute('aria-expanded', 'true');
  announce(found.length ? t('skillOptions', found.length) : t('noSkill'));
}

async function fetchSkills() {
  const input = skillInput();
  const q = input.value.trim();
  if (skillPending) skillPending.abort();
  if (q.length < 2) { closeListbox(); return; }
  const ctrl = new AbortController();
  skillPending = ctrl;
  input.parentElement.classList.add('loading');
  try {
    const data = await api.searchSkills({ q, lang: getLang(), limit: 8 }, ctrl.signal);
    if (ctrl.signal.aborted || document.activeElement !== input) return;
    const seen = new Set(skills.map((s) => s.label.toLowerCase()));
    const found = [];
    for (const r of data.results || []) {
      if (!r || !r.label) continue;
      const k = r.label.toLowerCase();
      if (seen.has(k)) continue;
      seen.add(k);
      found.push(r);
    }
    openListbox(found);
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    closeListbox();
    message().textContent = errorMessage(e);
  } finally {
    if (skillPending === ctrl) { skillPending = null; input.parentElement.classList.remove('loading'); }
  }
}

function onSkillKeydown(ev) {
  const open = !listbox().hidden;
  switch (ev.key) {
    case 'ArrowDown':
      ev.preventDefault();
      if (!open) { fetchSkills(); return; }
      setActive(active + 1);
      break;
    case 'ArrowUp':
      ev.preventDefault();
      if (!open) return;
      setActive(active < 0 ? -1 : active - 1);
      break;
    case 'Home':
    case 'End':
      if (open && options.length && ev.ctrlKey) {
        ev.preventDefault();
        setActive(ev.key === 'Home' ? 0 : options.length - 1);
      }
      break;
    case 'Enter':
      if (open && active >= 0) {
        ev.preventDefault();
        addSkill(options[active]);
      } else if (open) {
        ev.preventDefault(); // don't submit the form while choosing
      }
      break;
    case 'Escape':
      if (open) { ev.preventDefault(); closeListbox(); } else if (ev.target.value) { ev.preventDefault(); ev.target.value = ''; }
      break;
    case 'Tab':
      closeListbox();
      break;
    case 'Backspace':
      if (!ev.target.value && skills.length) removeSkill(skills.length - 1, false);
      break;
    default:
  }
}

async function submitProfile(ev) {
  if (ev) ev.preventDefault();
  const msg = message();
  msg.textContent = '';
  const text = $('#free-text').value.trim();
  const interests = chosenInterests();
  const chosen = skills.map((s) => s.label);
  if (!text && !interests.length && !chosen.length) {
    msg.textContent = t('profileEmpty');
    return;
  }
  if (text.length > MAX_TEXT_CHARS) { msg.textContent = t('tooLong', text.length, MAX_TEXT_CHARS); return; }
  const out = $('#profile-out');
  if (matchPending) matchPending.abort();
  const ctrl = new AbortController();
  matchPending = ctrl;
  setBusy(out, true);
  $('#profile-submit').setAttribute('aria-disabled', 'true');
  out.replaceChildren(...skeleton(3, t('loading')));
  out.scrollIntoView({ behavior: prefersReducedMotion() ? 'auto' : 'smooth', block: 'start' });
  const body = { text, skills: chosen, interests, lang: getLang(), limit: LIMIT, group: 'metier' };
  // The detail pages opened from here say which skills the profile covers.
  setProfile({ skills: chosen, text });
  try {
    const data = await api.match(body, ctrl.signal);
    if (ctrl.signal.aborted) return;
    lastAnswer = data;
    renderResults(out, data, (n) => t('resultsProfile', n));
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    renderError(out, e, () => submitProfile());
  } finally {
    if (matchPending === ctrl) {
      matchPending = null;
      setBusy(out, false);
      $('#profile-submit').removeAttribute('aria-disabled');
    }
  }
}

function resetProfile() {
  clearInterests();
  skills = [];
  lastAnswer = null;
  setProfile();
  $('#free-text').value = '';
  skillInput().value = '';
  message().textContent = '';
  $('#profile-out').replaceChildren();
  closeListbox();
  renderSkillChips();
}

/** Shows the profile view. */
export function showProfile() {
  loadInterests();
}

/** Re-renders in the new language. */
export function profileLangChanged(visible) {
  closeListbox();
  renderSkillChips();
  interestsLangChanged();
  if (visible) loadInterests();
  if (lastAnswer) renderResults($('#profile-out'), lastAnswer, (n) => t('resultsProfile', n));
}

export function initProfile() {
  const sk = skillInput();
  sk.addEventListener('input', () => {
    message().textContent = '';
    clearTimeout(skillTimer);
    skillTimer = setTimeout(fetchSkills, SKILL_DEBOUNCE_MS);
  });
  sk.addEventListener('keydown', onSkillKeydown);
  sk.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== sk) closeListbox(); }, 150));
  $('#profile-form').addEventListener('submit', submitProfile);
  $('#profile-reset').addEventListener('click', resetProfile);
  renderSkillChips();
}
