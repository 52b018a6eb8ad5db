// DOM helpers. Server text is always inserted with textContent / createElement, never innerHTML.

export const $ = (sel, root = document) => root.querySelector(sel);

/** Create an element. `attrs`: class, text, dataset, on<Event>, others via setAttribute. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A decorative 24×24 stroked icon made of `paths` (SVG path data). */
export function icon(cls, ...paths) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', cls);
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2.2');
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    svg.append(path);
  }
  return svg;
}

export const checkIcon = () => icon('ico', 'M5 12.5l4.2 4.2L19 7');
export const starIcon = () => icon('ico star-ico', 'M12 3.2l2.7 5.6 6.1.8-4.5 4.2 1.1 6.1L12 17l-5.4 2.9 1.1-6.1-4.5-4.2 6.1-.8z');

/** `s` on one line, cut at a word boundary to at most `n` characters. */
export function truncate(s, n) {
  if (!s) return '';
  const str = String(s).replace(/\s+/g, ' ').trim();
  if (str.length <= n) return str;
  const cut = str.slice(0, n);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > n * 0.6 ? cut.slice(0, sp) : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

let liveTimer = 0;
/** Says `msg` in the page's aria-live region. */
export function announce(msg) {
  const el = $('#live');
  el.textContent = '';
  clearTimeout(liveTimer);
  // A tick between clear and set makes screen readers re-announce identical text.
  liveTimer = setTimeout(() => { el.textContent = msg; }, 60);
}

export function setBusy(el, busy) {
  el.setAttribute('aria-busy', busy ? 'true' : 'false');
  el.classList.toggle('is-loading', busy);
}

/** Placeholder cards while a list loads, with `label` for screen readers. */
export function skeleton(n, label) {
  const list = h('ul', { class: 'results', 'aria-hidden': 'true' });
  for (let i = 0; i < n; i++) {
    list.append(h('li', { class: 'card skeleton' },
      h('span', { class: 'sk sk-badge' }), h('span', { class: 'sk sk-title' }),
      h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })));
  }
  return [h('p', { class: 'sr-only', text: label }), list];
}

export const prefersReducedMotion = () => window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
