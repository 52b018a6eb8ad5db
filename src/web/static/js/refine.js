// Refining a search: the chips that split its results (facets of GET /v1/facets: ROME's
// contextes de travail, and entry levels), the filters they stand for, how those filters
// travel in the hash, and the banner for someone who says they don't know what to do.
// Pure helpers and renderers: views/search.js owns the filters and runs the search.
import { h } from './dom.js';
import { t } from './i18n.js';
import { getLang } from './state.js';

/** Entry levels, lowest first: the values of `max_level` and of a result's `entry_level`. */
export const LEVELS = ['none', 'cap', 'bac', 'bac2', 'bac3', 'bac5', 'doctorate'];

/** Unpressed facet chips shown at most (pressed ones are always shown). */
const MAX_CHIPS = 6;
/** Level chips offered at most. */
const MAX_LEVEL_CHIPS = 3;
/** A chip is offered when this share of the shown results carries its facet (bounds included). */
const MIN_SHARE = 0.2;
const MAX_SHARE = 0.8;
/** Filters read from a hash: at most this many ids each. */
const MAX_IDS = 12;

const FACET_ID = /^[a-z][a-z0-9_-]{0,63}$/i;
export const isFacetId = (id) => typeof id === 'string' && FACET_ID.test(id);
export const isLevel = (l) => LEVELS.includes(l);

/** Filters: facet ids every result must have, facet ids none may have, the highest entry level. */
export const emptyFilters = () => ({ require: [], exclude: [], maxLevel: '' });

export const hasFilters = (f) => f.require.length > 0 || f.exclude.length > 0 || f.maxLevel !== '';

/** A string naming the filters (equal filters, equal keys). */
export const filtersKey = (f) => `${f.require.join(',')}|${f.exclude.join(',')}|${f.maxLevel}`;

function idList(value) {
  const ids = [];
  for (const id of String(value || '').split(',')) {
    const s = id.trim();
    if (isFacetId(s) && !ids.includes(s) && ids.length < MAX_IDS) ids.push(s);
  }
  return ids;
}

/** The filters of a search hash: `f` (required ids), `x` (excluded ids), `lvl` (max level). */
export function filtersFromParams(params) {
  const require = idList(params.get('f'));
  const exclude = idList(params.get('x')).filter((id) => !require.includes(id));
  const lvl = params.get('lvl') || '';
  return { require, exclude, maxLevel: isLevel(lvl) ? lvl : '' };
}

/** The hash parameters of `filters` (empty strings are left out by api.qs). */
export const filtersToParams = (f) => ({ f: f.require.join(','), x: f.exclude.join(','), lvl: f.maxLevel });

/** The label of a facet of GET /v1/facets in the page's language (`label`: {fr, en} or a string). */
export function facetLabel(facet) {
  if (!facet) return '';
  const l = facet.label;
  if (typeof l === 'string') return l;
  if (l && typeof l === 'object') return l[getLang()] || l.fr || l.en || '';
  return '';
}

const shareOf = (count, n) => (n ? count / n : 0);
/** How far a share is from half, in thousandths (3 of 10 and 7 of 10 are equally far). */
const fromHalf = (share) => Math.round(Math.abs(share - 0.5) * 1000);

/**
 * The chips for the results on screen: `{ key, type: 'exclude' | 'require' | 'level', id, level,
 * label, pressed }`, in display order. Exclusion chips (the query's "pas le week-end" and those
 * the person turned off, `dismissed`), then facet chips (the required ones, pressed; those
 * pressed earlier for this query, `touched`; then the facets with `chip: true` carried by 20 to
 * 80 % of the results, closest to half first, at most 6 unpressed), then entry-level chips
 * when the results' levels differ (and the level the query names, `intentLevel`). `order`: a
 * Map key → rank kept for the whole query, so a chip does not move when the results change
 * under it.
 */
export function chooseChips(results, facetList, filters, {
  dismissed = new Set(), touched = new Set(), order = new Map(), intentLevel = '',
} = {}) {
  const list = Array.isArray(results) ? results : [];
  const byId = new Map((Array.isArray(facetList) ? facetList : []).filter((f) => f && isFacetId(f.id)).map((f) => [f.id, f]));
  const labelOf = (id) => facetLabel(byId.get(id)) || id;
  const rank = (key) => {
    if (!order.has(key)) order.set(key, order.size);
    return order.get(key);
  };

  // Exclusions: on (sent as `exclude`), or turned off by the person (shown, unpressed).
  const excluded = [...filters.exclude];
  for (const key of dismissed) if (key.startsWith('x:') && !excluded.includes(key.slice(2))) excluded.push(key.slice(2));
  const exclusionChips = excluded.map((id) => ({
    key: `x:${id}`, type: 'exclude', id, label: t('chipNot', labelOf(id)), pressed: filters.exclude.includes(id),
  }));

  // Facets that split the results.
  const n = list.length;
  const counts = new Map();
  for (const r of list) {
    const ids = Array.isArray(r && r.facets) ? new Set(r.facets) : new Set();
    for (const id of ids) counts.set(id, (counts.get(id) || 0) + 1);
  }
  const taken = new Set([...filters.require, ...excluded]);
  const facetOrder = [...byId.keys()];
  const fresh = [...byId.values()]
    .filter((f) => f.chip === true && f.kind !== 'level' && !taken.has(f.id))
    .map((f) => ({ id: f.id, share: shareOf(counts.get(f.id) || 0, n) }))
    .filter((c) => n >= 2 && c.share >= MIN_SHARE - 1e-9 && c.share <= MAX_SHARE + 1e-9)
    .sort((a, b) => fromHalf(a.share) - fromHalf(b.share) || facetOrder.indexOf(a.id) - facetOrder.indexOf(b.id))
    .map((c) => c.id);
  const sticky = [...touched].filter((k) => k.startsWith('f:')).map((k) => k.slice(2))
    .filter((id) => !taken.has(id) && byId.has(id));
  const unpressed = [...new Set([...sticky, ...fresh])].slice(0, Math.max(MAX_CHIPS, sticky.length));
  const facetChips = [
    ...filters.require.map((id) => ({ key: `f:${id}`, type: 'require', id, label: labelOf(id), pressed: true })),
    ...unpressed.map((id) => ({ key: `f:${id}`, type: 'require', id, label: labelOf(id), pressed: false })),
  ];
  // Chips seen before keep their place; new ones follow, best split first.
  facetChips.forEach((c) => rank(c.key));
  facetChips.sort((a, b) => rank(a.key) - rank(b.key));

  // Entry levels: "Accessible avec un CAP" keeps the results reachable with a CAP.
  const known = list.map((r) => r && r.entry_level).filter(isLevel).map((l) => LEVELS.indexOf(l));
  const levelKeys = new Set();
  if (new Set(known).size > 1) {
    LEVELS.slice(0, -1)
      .map((level, i) => ({ level, share: shareOf(known.filter((k) => k <= i).length, known.length) }))
      .filter((c) => c.share > 0 && c.share < 1)
      .sort((a, b) => fromHalf(a.share) - fromHalf(b.share))
      .slice(0, MAX_LEVEL_CHIPS)
      .forEach((c) => levelKeys.add(c.level));
  }
  if (filters.maxLevel) levelKeys.add(filters.maxLevel);
  if (isLevel(intentLevel) && intentLevel !== LEVELS[LEVELS.length - 1]) levelKeys.add(intentLevel);
  for (const k of touched) if (k.startsWith('lvl:') && isLevel(k.slice(4))) levelKeys.add(k.slice(4));
  for (const k of dismissed) if (k.startsWith('lvl:') && isLevel(k.slice(4))) levelKeys.add(k.slice(4));
  const levelChips = LEVELS.filter((l) => levelKeys.has(l)).map((level) => ({
    key: `lvl:${level}`, type: 'level', level, label: t('levelChip')[level], pressed: filters.maxLevel === level,
  }));

  return [...exclusionChips, ...facetChips, ...levelChips];
}

/**
 * The row of chips: a group named "Affiner les résultats", each chip a toggle button
 * (aria-pressed) marked with `data-chip` (its key), so focus can find it again once the
 * results are drawn anew. `onToggle(chip, button)` is called on press (click, tap, Enter, Space).
 */
export function refineBar(chips, onToggle) {
  if (!chips.length) return null;
  return h('div', { class: 'refine', role: 'group', 'aria-labelledby': 'refine-title' },
    h('p', { class: 'refine-title', id: 'refine-title', text: t('refineTitle') }),
    h('ul', { class: 'chips refine-chips' }, chips.map((c) => h('li', null, h('button', {
      type: 'button',
      class: `chip toggle refine-chip chip-${c.type}`,
      'aria-pressed': c.pressed ? 'true' : 'false',
      dataset: { chip: c.key },
      text: c.label,
      onclick: (ev) => onToggle(c, ev.currentTarget),
    })))));
}

/** "Pas d'idée précise ? Le questionnaire t'aide à trouver des pistes", with a link to #/quiz. */
export function undecidedBanner() {
  return h('div', { class: 'undecided', id: 'undecided' },
    h('p', null, h('strong', { text: t('undecidedTitle') }), ' ', t('undecidedText')),
    h('a', { href: '#/quiz', class: 'btn primary small undecided-link', id: 'undecided-link', text: t('undecidedLink') }));
}
