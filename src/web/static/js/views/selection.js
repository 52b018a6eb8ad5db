// Shortlist view: #/selection shows the métiers kept on this device (remove, share);
// #/selection?ids=rome:D1102,esco:<uri> shows a shared list, fetched from
// GET /v1/occupations/{taxonomy}/{code}, with unknown ids named in a message.
import { $, h, setBusy, skeleton, announce } from '../dom.js';
import { t } from '../i18n.js';
import { getLang } from '../state.js';
import * as api from '../api.js';
import { ErrorCode } from '../error-codes.js';
import { badge, occupationCard, renderError } from '../cards.js';
import * as shortlist from '../shortlist.js';

const PARALLEL_REQUESTS = 4;

let pending = null; // AbortController of the fetches in flight
let mode = 'mine'; // 'mine' | 'shared'
let params = new URLSearchParams();
let focusAfterRender = null; // index of the remove button to focus after a removal

const out = () => $('#selection-out');

function setHeading(title, lead) {
  $('#selection-title').textContent = title;
  $('#selection-lead').textContent = lead;
}

/** Fetches the pages of `refs`, a few at a time: [{ref, data}] or [{ref, error}], in order. */
async function fetchAll(refs, lang, signal) {
  const results = new Array(refs.length);
  let next = 0;
  async function worker() {
    while (next < refs.length) {
      const i = next++;
      const ref = refs[i];
      try {
        results[i] = { ref, data: await api.occupation(ref.taxonomy, ref.code, lang, signal) };
      } catch (e) {
        if (e && e.name === 'AbortError') throw e;
        results[i] = { ref, error: e };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL_REQUESTS, refs.length) }, worker));
  return results;
}

const cardData = (d) => ({ taxonomy: d.taxonomy, code: d.code, label: d.label, description: d.description });

function removeButton(item, index) {
  const name = item.label || item.code;
  return h('p', { class: 'card-actions' }, h('button', {
    type: 'button', class: 'btn ghost small remove', text: t('remove'), 'aria-label': t('removeLabel', name),
    onclick: () => {
      focusAfterRender = index;
      shortlist.remove(item.taxonomy, item.code);
      announce(t('starRemoved', name));
    },
  }));
}

/** A kept métier whose page is gone from the index: named, with its remove button. */
function missingCard(item, index) {
  return h('li', { class: 'card result missing' },
    h('div', { class: 'card-top' }, badge(item.taxonomy), item.taxonomy === 'rome' ? h('span', { class: 'code', text: item.code }) : null),
    h('h3', { class: 'card-title', text: item.label || item.code }),
    h('p', { class: 'muted', text: t('unknownItem') }),
    removeButton(item, index));
}

function shareBox(items) {
  const url = shortlist.shareUrl(items);
  const msg = h('p', { class: 'share-msg', id: 'share-msg', role: 'status' });
  const input = h('input', { id: 'share-url', class: 'share-url', type: 'url', readonly: true, value: url, 'aria-describedby': 'share-hint' });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      msg.textContent = t('copied');
    } catch (_) {
      input.focus();
      input.select();
      msg.textContent = t('copyFailed');
    }
  };
  return h('section', { class: 'd-section share', 'aria-labelledby': 'share-title' },
    h('h2', { id: 'share-title', text: t('shareTitle') }),
    h('p', { class: 'hint', id: 'share-hint', text: t('shareHint') }),
    h('label', { for: 'share-url', class: 'label', text: t('shareLabel') }),
    input,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn primary', id: 'share-copy', text: t('copyLink'), onclick: copy }),
      typeof navigator.share === 'function'
        ? h('button', {
          type: 'button', class: 'btn ghost', text: t('shareNative'),
          onclick: () => navigator.share({ title: t('shareText'), url }).catch(() => {}),
        })
        : null),
    msg);
}

async function renderMine(seq) {
  setHeading(t('selectionTitle'), t('selectionLead'));
  const box = out();
  const items = shortlist.list();
  if (!items.length) {
    setBusy(box, false);
    box.replaceChildren(h('div', { class: 'state empty' },
      h('h2', { text: t('selectionEmpty') }),
      h('p', { class: 'muted', text: t('selectionEmptyHint') }),
      h('a', { class: 'btn primary', href: '#/', text: t('backSearch') })));
    if (focusAfterRender !== null) { focusAfterRender = null; $('#selection-title').focus(); }
    return;
  }
  const results = await load(items, seq);
  if (!results) return;
  const failed = results.find((r) => r.error && r.error.code !== ErrorCode.NotFound);
  if (failed) { renderError(box, failed.error, () => showSelection(params)); return; }
  box.replaceChildren(
    h('h2', { class: 'results-title', text: t('selectionHeading', items.length) }),
    h('ul', { class: 'results selection-list' }, results.map((r, i) => (r.data
      ? occupationCard(cardData(r.data), { star: false, extra: removeButton({ ...r.ref, label: r.data.label }, i) })
      : missingCard(items[i], i)))),
    shareBox(items));
  if (focusAfterRender !== null) {
    const buttons = box.querySelectorAll('button.remove');
    const b = buttons[Math.min(focusAfterRender, buttons.length - 1)];
    focusAfterRender = null;
    if (b) b.focus();
  }
}

async function renderShared(seq) {
  setHeading(t('sharedTitle'), t('sharedLead'));
  const box = out();
  const { refs, invalid, truncated } = shortlist.parseIds(params.get('ids'));
  const mine = h('p', null, h('a', { class: 'btn ghost', href: '#/selection', text: t('sharedMine') }));
  if (!refs.length && !invalid.length) {
    setBusy(box, false);
    box.replaceChildren(h('div', { class: 'state empty' }, h('h2', { text: t('sharedEmpty') })), mine);
    return;
  }
  const results = await load(refs, seq);
  if (!results) return;
  const failed = results.find((r) => r.error && r.error.code !== ErrorCode.NotFound);
  if (failed) { renderError(box, failed.error, () => showSelection(params)); return; }
  const found = results.filter((r) => r.data).map((r) => cardData(r.data));
  const unknown = [...results.filter((r) => r.error).map((r) => shortlist.idOf(r.ref.taxonomy, r.ref.code)), ...invalid];
  const parts = [];
  if (unknown.length) {
    parts.push(h('div', { class: 'state warn unknown', role: 'status' },
      h('h2', { text: t('unknownTitle', unknown.length) }),
      h('p', { text: t('unknownHint') }),
      h('ul', { class: 'ids' }, unknown.map((id) => h('li', null, h('code', { text: id }))))));
  }
  if (truncated) parts.push(h('div', { class: 'state warn', role: 'status' }, h('p', { text: t('sharedTooMany', shortlist.MAX_ITEMS) })));
  if (found.length) {
    parts.push(
      h('h2', { class: 'results-title', text: t('sharedHeading', found.length) }),
      h('p', { class: 'actions' }, h('button', {
        type: 'button', class: 'btn primary', id: 'shared-add-all', text: t('sharedAddAll'),
        onclick: () => {
          let added = 0;
          let full = false;
          for (const r of found) {
            const res = shortlist.add(r);
            if (res === 'added') added++;
            else if (res === 'full') full = true;
          }
          announce(full ? t('selectionFull', shortlist.MAX_ITEMS) : t('sharedAdded', added));
        },
      })),
      h('ul', { class: 'results' }, found.map((r) => occupationCard(r))));
  }
  parts.push(mine);
  box.replaceChildren(...parts);
  announce(found.length ? t('sharedHeading', found.length) : t('unknownTitle', unknown.length));
}

let renderSeq = 0;

/** Fetches `refs` behind a skeleton; null when a newer render started meanwhile. */
async function load(refs, seq) {
  const box = out();
  if (pending) pending.abort();
  const ctrl = new AbortController();
  pending = ctrl;
  const allCached = refs.every((r) => api.cachedOccupation(r.taxonomy, r.code, getLang()));
  if (!allCached) {
    setBusy(box, true);
    box.replaceChildren(...skeleton(Math.min(refs.length, 3), t('selectionLoading')));
  }
  try {
    const results = await fetchAll(refs, getLang(), ctrl.signal);
    return seq === renderSeq ? results : null;
  } catch (e) {
    if (e && e.name === 'AbortError') return null;
    throw e;
  } finally {
    if (pending === ctrl) { pending = null; setBusy(box, false); }
  }
}

let shownKey = ''; // what the view shows: language, mode and ids ('' while loading or failed)

/**
 * Shows the shortlist, or the shared list of the hash's `ids` parameter. Resolves once drawn;
 * a list already drawn (back from a detail page) is kept as it is, with its focus and scroll.
 */
export async function showSelection(hashParams) {
  params = hashParams;
  mode = params.has('ids') ? 'shared' : 'mine';
  document.title = t('titleSelection');
  const ids = mode === 'shared' ? params.get('ids') : shortlist.list().map((it) => shortlist.idOf(it.taxonomy, it.code)).join(',');
  const key = `${getLang()}|${mode}|${ids}`;
  if (key === shownKey && out().firstChild && !pending) return;
  shownKey = '';
  const seq = ++renderSeq;
  await (mode === 'shared' ? renderShared(seq) : renderMine(seq));
  if (seq === renderSeq && out().querySelector('.results, .state.empty')) shownKey = key;
}

/** The stored list changed: the own list is drawn again; a shared list keeps its cards. */
export function selectionChanged(visible) {
  if (visible && mode === 'mine') showSelection(params);
}
