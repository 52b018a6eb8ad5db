// Occupation detail view (#/metier/{taxonomy}/{code}): définition, accès, skills, working
// conditions and entry level, RIASEC, centres d'intérêt, the other taxonomy's occupations,
// related occupations.
import { $, h, setBusy, announce } from '../dom.js';
import { t } from '../i18n.js';
import { getLang, getOrigin, getProfile } from '../state.js';
import * as api from '../api.js';
import { ErrorCode } from '../error-codes.js';
import { badge, detailHref, renderError } from '../cards.js';
import { starButton } from '../shortlist.js';

let pending = null; // AbortController of the request in flight
let shownKey = ''; // `${lang}|${taxonomy}|${code}` of the page asked for last

function section(title, ...content) {
  return h('section', { class: 'd-section' }, h('h2', { text: title }), ...content);
}

function paragraphs(text) {
  return String(text).split(/\n{2,}|\r\n\r\n/).map((p) => p.trim()).filter(Boolean)
    .map((p) => h('p', { class: 'prose', text: p }));
}

function skillList(items, max) {
  const labels = items.map((s) => (typeof s === 'string' ? s : s && s.label)).filter(Boolean);
  const list = h('ul', { class: 'skill-list' }, labels.slice(0, max).map((l) => h('li', { text: l })));
  if (labels.length <= max) return [list];
  const rest = labels.slice(max);
  const more = h('details', { class: 'more' },
    h('summary', { text: t('showMore', rest.length) }),
    h('ul', { class: 'skill-list' }, rest.map((l) => h('li', { text: l }))));
  return [list, more];
}

const LEVELS = ['none', 'cap', 'bac', 'bac2', 'bac3', 'bac5', 'doctorate'];

/** A facet's label: a string in the page's language, or {fr, en}. */
function labelText(label) {
  if (typeof label === 'string') return label;
  if (label && typeof label === 'object') return label[getLang()] || label.fr || label.en || '';
  return '';
}

/**
 * "Conditions de travail": the entry level in words ("Accessible avec un CAP") and the
 * métier's contextes de travail (facets of kind `context`) as a list; null when it has none.
 */
function facetsSection(d) {
  const facets = Array.isArray(d.facets) ? d.facets.filter((f) => f && typeof f === 'object') : [];
  const contexts = [...new Set(facets.filter((f) => f.kind !== 'level').map((f) => labelText(f.label)).filter(Boolean))];
  let level = LEVELS.includes(d.entry_level) ? t('entryLevel')[d.entry_level] : '';
  if (!level) {
    // No level of its own: the label of a level facet, if the answer has one.
    const lf = facets.find((f) => f.kind === 'level' && labelText(f.label));
    level = lf ? labelText(lf.label) : '';
  }
  if (!contexts.length && !level) return null;
  return h('section', { class: 'd-section d-facets', id: 'facets' },
    h('h2', { text: t('facetsTitle') }),
    level ? h('p', { class: 'entry-level' }, h('span', { class: 'entry-level-label', text: t('entryLevelLabel') }), h('strong', { text: level })) : null,
    contexts.length ? h('p', { class: 'hint', text: t('facetsHint') }) : null,
    contexts.length ? h('ul', { class: 'tags facet-list' }, contexts.map((l) => h('li', { class: 'tag', text: l }))) : null);
}

function renderDetail(out, d) {
  out.replaceChildren();
  const otherLang = getLang() === 'fr' ? 'en' : 'fr';
  const otherLabel = d.labels && d.labels[otherLang];
  out.append(h('header', { class: 'd-head' },
    h('div', { class: 'card-top' }, badge(d.taxonomy),
      d.taxonomy === 'rome' ? h('span', { class: 'code', text: d.code }) : null,
      d.isco_group ? h('span', { class: 'code', text: `${t('iscoGroup')} ${d.isco_group}` }) : null),
    h('h1', { id: 'detail-title', tabindex: '-1', text: d.label || d.code }),
    otherLabel && otherLabel !== d.label
      ? h('p', { class: 'other-lang' }, t('otherLang'), h('span', { lang: otherLang, text: otherLabel }))
      : null,
    h('p', { class: 'd-actions' }, starButton({ taxonomy: d.taxonomy, code: d.code, label: d.label }, { full: true }))));

  const main = h('div', { class: 'd-main' });
  const side = h('div', { class: 'd-side' });
  out.append(h('div', { class: 'd-grid' }, main, side));

  main.append(section(t('definition'), ...(d.description ? paragraphs(d.description) : [h('p', { class: 'muted', text: t('noDescription') })])));
  if (d.access) main.append(section(t('access'), ...paragraphs(d.access)));

  // With a profile: what the person already has of the métier's essential skills, and what
  // they would learn (most central first, as the API orders them).
  if (Array.isArray(d.skills_covered) && Array.isArray(d.skills_to_learn)) {
    main.append(h('div', { class: 'coverage', id: 'coverage' },
      h('p', { class: 'hint', text: t('coverageHint') }),
      section(t('skillsCovered'), ...(d.skills_covered.length
        ? [h('ul', { class: 'skill-list covered' }, d.skills_covered.map((s) => h('li', { text: s.label })))]
        : [h('p', { class: 'muted', text: t('noneCovered') })])),
      d.skills_to_learn.length
        ? section(t('skillsToLearn'), h('ul', { class: 'skill-list to-learn' }, d.skills_to_learn.map((s) => h('li', { text: s.label }))))
        : null));
  }

  const sk = d.skills || {};
  if (Array.isArray(sk.essential) && sk.essential.length) main.append(section(t('skillsEssential'), ...skillList(sk.essential, 12)));
  if (Array.isArray(sk.optional) && sk.optional.length) main.append(section(t('skillsOptional'), ...skillList(sk.optional, 6)));

  const facets = facetsSection(d);
  if (facets) side.append(facets);
  if (Array.isArray(d.riasec) && d.riasec.length) {
    const names = t('riasecNames');
    side.append(section(t('riasec'),
      h('p', { class: 'hint', text: t('riasecHint') }),
      h('ul', { class: 'riasec' }, d.riasec.map((code) => {
        const n = names[code] || [code, ''];
        return h('li', null, h('span', { class: `riasec-letter r-${code}`, 'aria-hidden': 'true', text: code }),
          h('span', null, h('strong', { text: n[0] }), n[1] ? h('span', { class: 'muted', text: ` — ${n[1]}` }) : null));
      }))));
  }
  // ONISEP's page on the métier: a plain link (the page keeps working without it).
  const onisep = Array.isArray(d.onisep) ? d.onisep.filter((o) => o && /^https?:\/\//.test(o.url || '')) : [];
  if (onisep.length) {
    side.append(section(t('onisepTitle'),
      h('p', { class: 'hint', text: t('onisepHint') }),
      h('ul', { class: 'onisep-list' }, onisep.slice(0, 3).map((o) => h('li', null,
        h('a', { href: o.url, rel: 'noopener', class: 'onisep-link', hreflang: 'fr' },
          t('onisepLink'), o.title && onisep.length > 1 ? h('span', { class: 'muted', text: ` — ${o.title}` }) : null))))));
  }
  if (Array.isArray(d.interests) && d.interests.length) {
    side.append(section(t('interests'), h('ul', { class: 'tags' }, d.interests.map((i) => h('li', { class: 'tag', text: i })))));
  }
  if (Array.isArray(d.links) && d.links.length) {
    side.append(section(t('links'), h('ul', { class: 'link-list' }, d.links.map((l) => h('li', null,
      h('a', { href: detailHref(l.taxonomy, l.code) }, badge(l.taxonomy), h('span', { class: 'll', text: l.label || l.code })),
      l.relation ? h('span', { class: 'rel', text: t('relations')[l.relation] || l.relation }) : null)))));
  }
  if (Array.isArray(d.related) && d.related.length) {
    out.append(section(t('related'), h('ul', { class: 'related' }, d.related.map((r) => h('li', null,
      h('a', { href: detailHref(r.taxonomy, r.code), class: 'related-link' }, badge(r.taxonomy), h('span', { class: 'rl', text: r.label || r.code }),
        t('kin')[r.relation] ? h('span', { class: 'kin', text: t('kin')[r.relation] }) : null))))));
  }
  document.title = `${d.label || d.code} — Boussole`;
}

function setBackLink() {
  const origin = getOrigin();
  let label;
  if (origin.view === 'profile') label = t('backProfile');
  else if (origin.view === 'selection') label = t('backSelection');
  else if (origin.view === 'quiz') label = t('backQuiz');
  else label = /[?&]q=/.test(origin.hash) ? t('back') : t('backSearch');
  $('#back-link span[data-i18n]').textContent = label;
  $('#back-link').setAttribute('href', origin.hash || '#/');
}

/** Shows the page of one occupation; `focus`: move focus to its title. */
export async function showDetail(taxonomy, code, { focus = true } = {}) {
  const out = $('#detail-out');
  const lang = getLang();
  const p = getProfile();
  const profile = p.skills.length || p.text ? p : null;
  const key = `${lang}|${taxonomy}|${code}|${JSON.stringify(profile)}`;
  if (pending) pending.abort();
  pending = null;
  shownKey = key;
  setBackLink();

  const cached = api.cachedOccupation(taxonomy, code, lang, profile);
  if (cached) {
    setBusy(out, false);
    renderDetail(out, cached);
    if (focus) $('#detail-title').focus({ preventScroll: true });
    return;
  }
  const ctrl = new AbortController();
  pending = ctrl;
  setBusy(out, true);
  out.replaceChildren(h('p', { class: 'sr-only', text: t('loadingDetail') }),
    h('div', { class: 'card skeleton detail-sk', 'aria-hidden': 'true' },
      h('span', { class: 'sk sk-badge' }), h('span', { class: 'sk sk-title' }),
      h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })));
  announce(t('loadingDetail'));
  try {
    const d = await api.occupation(taxonomy, code, lang, ctrl.signal, profile);
    if (ctrl.signal.aborted || shownKey !== key) return;
    renderDetail(out, d);
    announce(d.label || '');
    if (focus) $('#detail-title').focus({ preventScroll: true });
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    if (e.code === ErrorCode.NotFound) {
      out.replaceChildren(h('div', { class: 'state error', role: 'alert' },
        h('h1', { id: 'detail-title', tabindex: '-1', text: t('notFound') }), h('p', { class: 'muted', text: e.message })));
    } else {
      renderError(out, e, () => showDetail(taxonomy, code));
    }
  } finally {
    if (pending === ctrl) { pending = null; setBusy(out, false); }
  }
}
