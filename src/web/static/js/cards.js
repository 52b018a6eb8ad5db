// Renderers shared by the views: taxonomy badge, result cards ("why it matched"), result
// lists, error states.
import { h, truncate, announce, checkIcon } from './dom.js';
import { t } from './i18n.js';
import { starButton } from './shortlist.js';

/** The hash of an occupation's detail page. */
export const detailHref = (taxonomy, code) => `#/metier/${encodeURIComponent(taxonomy)}/${encodeURIComponent(code)}`;

/** What to tell the user about a failed request. */
export function errorMessage(err) {
  if (err && err.code === 'network') return t('networkError');
  return (err && err.message) || t('serverError');
}

export function badge(taxonomy) {
  const tax = taxonomy === 'esco' ? 'esco' : 'rome';
  return h('span', { class: `badge badge-${tax}`, title: t('taxonomyTitle')[tax], text: t('taxonomyName')[tax] });
}

const EVIDENCE_CHARS = 110;

/** "correspond à : « … » (kind), « … » (kind)": at most two pieces of evidence the card does not already show. */
function matchedLine(matched, label, description) {
  if (!Array.isArray(matched) || matched.length === 0) return null;
  const seen = new Set();
  const parts = [];
  // Prefer the matches that explain something the card does not already say.
  const lower = (x) => String(x || '').toLowerCase();
  const same = (m) => label && m && m.text && lower(m.text) === lower(label);
  // A sentence the card already prints as its description says nothing new.
  const repeated = (m) => description && m && m.text && lower(description).startsWith(lower(m.text));
  const fresh = matched.filter((m) => !repeated(m));
  const ordered = [...fresh.filter((m) => !same(m)), ...fresh.filter(same)];
  for (const m of ordered) {
    if (!m || !m.text) continue;
    const key = m.text.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const kind = t('kinds')[m.kind] || m.kind || '';
    // Sentences (definitions, descriptions) are shortened to keep the card to a glance.
    const text = m.text.length > EVIDENCE_CHARS ? `${m.text.slice(0, EVIDENCE_CHARS).replace(/\s+\S*$/, '')}…` : m.text;
    parts.push(h('span', { class: 'm' }, h('q', { lang: m.lang || null, text }), kind ? `\u00a0(${kind})` : ''));
    if (parts.length >= 2) break;
  }
  if (!parts.length) return null;
  const p = h('p', { class: 'matched' }, checkIcon(), t('matchedPrefix'));
  parts.forEach((frag, i) => { if (i) p.append(', '); p.append(frag); });
  return p;
}

/**
 * One occupation as a card: badge, title (a link covering the whole card), description,
 * key skills, why it matched, and the shortlist star. `extra`: more content at the end.
 */
export function occupationCard(r, { extra = null, star = true } = {}) {
  const skills = Array.isArray(r.skills) ? r.skills.filter(Boolean).slice(0, 3) : [];
  return h('li', { class: 'card result' },
    h('div', { class: 'card-top' }, badge(r.taxonomy),
      r.taxonomy === 'rome' ? h('span', { class: 'code', text: r.code }) : null,
      star ? starButton({ taxonomy: r.taxonomy, code: r.code, label: r.label }) : null),
    h('h3', { class: 'card-title' }, h('a', { href: detailHref(r.taxonomy, r.code), class: 'card-link', text: r.label || r.code })),
    r.description ? h('p', { class: 'desc', text: truncate(r.description, 150) }) : null,
    skills.length
      ? h('div', { class: 'skills' },
        h('span', { class: 'sr-only', text: `${t('keySkills')} : ` }),
        h('ul', { class: 'tags', 'aria-label': t('keySkills') }, skills.map((s) => h('li', { class: 'tag', text: truncate(s, 48) }))))
      : null,
    equivalentsLine(r.equivalents, r.label),
    matchedLine(r.matched, r.label, r.description),
    extra);
}

/**
 * "Équivalent européen (ESCO) : Boulanger / Boulangère": the same métier in the other
 * taxonomy, on one line (one card per métier, `group=metier`); at most two named.
 */
function equivalentsLine(equivalents, label) {
  if (!Array.isArray(equivalents) || !equivalents.length) return null;
  const tax = equivalents[0].taxonomy === 'rome' ? 'rome' : 'esco';
  const names = [...new Set(equivalents.filter((e) => e && e.taxonomy === tax).map((e) => e.label || e.code))];
  if (!names.length) return null;
  const shown = names.slice(0, 2);
  const rest = names.length - shown.length;
  return h('p', { class: 'equiv', 'data-taxonomy': tax },
    h('span', { class: 'equiv-label', text: t('equivalents')[tax] }),
    shown.map((n, i) => [i ? ', ' : '', h('span', { class: 'equiv-name', text: truncate(n, 60) })]).flat(),
    rest > 0 ? t('moreEquivalents', rest) : '');
}

/** A search or match answer: a heading and the cards, or the no-result tips; announced. */
export function renderResults(out, data, heading) {
  out.replaceChildren();
  const results = (data && Array.isArray(data.results)) ? data.results : [];
  if (!results.length) {
    out.append(h('div', { class: 'state empty' },
      h('h2', { text: t('noResultTitle') }),
      h('ul', { class: 'tips' }, t('noResultTips').map((s) => h('li', { text: s })))));
    announce(t('announceNone'));
    return;
  }
  out.append(
    h('h2', { class: 'results-title', text: heading(results.length) }),
    h('ul', { class: 'results' }, results.map((r) => occupationCard(r))));
  announce(t('announceFound', results.length));
}

export function renderError(out, err, retryFn) {
  out.replaceChildren(h('div', { class: 'state error', role: 'alert' },
    h('h2', { text: t('errorTitle') }),
    h('p', { text: errorMessage(err) }),
    retryFn ? h('button', { type: 'button', class: 'btn primary', onclick: retryFn, text: t('retry') }) : null));
}
