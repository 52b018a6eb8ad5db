// Boussole web client: plain JS, no build step, no dependency.
// All server text is inserted with textContent / createElement (never innerHTML).
'use strict';

(() => {
  const MAX_QUERY_CHARS = 200;
  const SEARCH_DEBOUNCE_MS = 250;
  const SKILL_DEBOUNCE_MS = 200;
  const LIMIT = 12;

  // ---------------------------------------------------------------- i18n
  const I18N = {
    fr: {
      skip: 'Aller au contenu',
      home: 'Boussole — accueil',
      language: 'Langue',
      sections: 'Sections',
      tabSearch: 'Rechercher',
      tabProfile: 'Mon profil',
      searchTitle: 'Quel métier pour toi ?',
      searchLead: 'Décris un métier, une passion ou ce que tu aimes faire : on te propose des pistes.',
      searchLabel: 'Un métier, une passion, ce que tu aimes faire…',
      searchPlaceholder: 'ex. boulanger, dessiner…',
      searchHint: 'Les résultats s’affichent pendant que tu tapes.',
      clear: 'Effacer',
      filterLegend: 'Source',
      filterAll: 'Tous',
      filterRome: 'Fiches ROME',
      filterEsco: 'ESCO',
      suggestionsTitle: 'Pas d’idée ? Essaie :',
      suggestions: ['j’aime les animaux', 'développeur web', 'aide-soignante', 'travailler dehors'],
      emptyLead: 'Tape un métier que tu connais, un loisir ou une envie, même en quelques mots.',
      loading: 'Recherche en cours…',
      loadingDetail: 'Chargement de la fiche…',
      resultsFor: (n, q) => (n === 1 ? `1 métier pour « ${q} »` : `${n} métiers pour « ${q} »`),
      resultsProfile: (n) => (n === 1 ? '1 métier pour ton profil' : `${n} métiers pour ton profil`),
      announceFound: (n) => (n === 1 ? '1 métier trouvé' : `${n} métiers trouvés`),
      announceNone: 'Aucun métier trouvé',
      noResultTitle: 'Aucun métier trouvé… pour l’instant !',
      noResultTips: [
        'Vérifie l’orthographe ou essaie un mot plus simple.',
        'Décris une activité : « réparer des vélos », « soigner », « dessiner ».',
        'Essaie le filtre « Tous » pour chercher dans ROME et ESCO.',
      ],
      tooLong: (n, max) => `Ta recherche est trop longue (${n} caractères, ${max} maximum). Garde quelques mots-clés.`,
      errorTitle: 'Oups, quelque chose a coincé.',
      serverError: 'Le serveur n’a pas pu répondre. Réessaie dans un instant.',
      networkError: 'Impossible de joindre le serveur. Vérifie ta connexion.',
      retry: 'Réessayer',
      matchedPrefix: 'correspond à : ',
      keySkills: 'Compétences clés',
      kinds: {
        preferred: 'intitulé', alt: 'autre intitulé', hidden: 'terme associé', appellation: 'appellation',
        synonym: 'synonyme', gendered: 'autre forme', skill: 'compétence', interest: 'centre d’intérêt',
        lexical: 'mot-clé', onisep: 'métier ONISEP', definition: 'ce que fait ce métier', access: 'accès au métier',
        description: 'description', colloquial: 'mot courant', school: 'parcours scolaire',
      },
      taxonomyName: { rome: 'ROME', esco: 'ESCO' },
      taxonomyTitle: { rome: 'Fiche ROME (France Travail)', esco: 'Classification européenne ESCO' },
      back: 'Retour aux résultats',
      backSearch: 'Retour à la recherche',
      backProfile: 'Retour à mon profil',
      definition: 'Définition',
      access: 'Accès au métier',
      skillsEssential: 'Compétences essentielles',
      skillsOptional: 'Compétences optionnelles',
      showMore: (n) => `Voir ${n} de plus`,
      riasec: 'Profil RIASEC',
      riasecHint: 'Les grandes familles d’intérêts associées à ce métier.',
      riasecNames: {
        R: ['Réaliste', 'concret, manuel'], I: ['Investigateur', 'chercher, comprendre'],
        A: ['Artistique', 'créer, imaginer'], S: ['Social', 'aider, échanger'],
        E: ['Entreprenant', 'convaincre, diriger'], C: ['Conventionnel', 'organiser, être précis'],
      },
      interests: 'Centres d’intérêt',
      links: 'Dans l’autre référentiel',
      relations: { exact: 'équivalent', close: 'proche', broad: 'plus général', narrow: 'plus précis' },
      related: 'Métiers proches',
      kin: { broader: 'plus général', narrower: 'plus précis', mobility: 'évolution possible' },
      iscoGroup: 'Groupe CITP',
      otherLang: 'En anglais : ',
      notFound: 'Cette fiche métier est introuvable.',
      noDescription: 'Pas encore de description pour ce métier.',
      profileTitle: 'Mon profil',
      profileLead: 'Choisis tes centres d’intérêt et ce que tu sais (ou aimes) faire : on cherche les métiers qui collent.',
      interestsLegend: 'Mes centres d’intérêt',
      interestsHint: 'Touche un centre d’intérêt pour le sélectionner.',
      interestsLoading: 'Chargement des centres d’intérêt…',
      interestsError: 'Impossible de charger les centres d’intérêt.',
      skillsLabel: 'Ce que je sais faire',
      skillsPlaceholder: 'ex. cuisiner, programmer…',
      skillsHint: 'Tape quelques lettres puis choisis avec ↑ ↓ et Entrée.',
      skillsChosen: 'Compétences choisies',
      suggestionsLabel: 'Suggestions',
      suggestionsList: 'Suggestions',
      noSkill: 'Aucune compétence trouvée',
      skillAdded: (l) => `Compétence ajoutée : ${l}`,
      skillRemoved: (l) => `Compétence retirée : ${l}`,
      removeSkill: (l) => `Retirer ${l}`,
      skillOptions: (n) => (n === 1 ? '1 suggestion' : `${n} suggestions`),
      freeLabel: 'Ce que j’aime (facultatif)',
      freePlaceholder: 'ex. J’aime bricoler, être dehors et aider les gens.',
      profileSubmit: 'Trouver mes métiers',
      profileReset: 'Tout effacer',
      profileEmpty: 'Choisis au moins un centre d’intérêt, une compétence, ou écris ce que tu aimes.',
      footer: 'Données : référentiels ROME (France Travail) et ESCO (Commission européenne). Les suggestions sont des pistes, pas des verdicts : parles-en autour de toi !',
      titleSearch: 'Boussole — trouve ton métier',
      titleProfile: 'Mon profil — Boussole',
      suggestions_aria: 'Exemples de recherche',
    },
    en: {
      skip: 'Skip to content',
      home: 'Boussole — home',
      language: 'Language',
      sections: 'Sections',
      tabSearch: 'Search',
      tabProfile: 'My profile',
      searchTitle: 'Which job is right for you?',
      searchLead: 'Describe a job, a passion or what you like doing: we’ll suggest some ideas.',
      searchLabel: 'A job, a passion, what you like doing…',
      searchPlaceholder: 'e.g. baker, drawing…',
      searchHint: 'Results appear as you type.',
      clear: 'Clear',
      filterLegend: 'Source',
      filterAll: 'All',
      filterRome: 'ROME (France)',
      filterEsco: 'ESCO',
      suggestionsTitle: 'No idea? Try:',
      suggestions: ['I love animals', 'web developer', 'nursing assistant', 'working outdoors'],
      emptyLead: 'Type a job you know, a hobby or something you’d like to do, even in a few words.',
      loading: 'Searching…',
      loadingDetail: 'Loading…',
      resultsFor: (n, q) => (n === 1 ? `1 job for “${q}”` : `${n} jobs for “${q}”`),
      resultsProfile: (n) => (n === 1 ? '1 job for your profile' : `${n} jobs for your profile`),
      announceFound: (n) => (n === 1 ? '1 job found' : `${n} jobs found`),
      announceNone: 'No job found',
      noResultTitle: 'No job found… yet!',
      noResultTips: [
        'Check the spelling or try a simpler word.',
        'Describe an activity: “fixing bikes”, “caring for people”, “drawing”.',
        'Try the “All” filter to search both ROME and ESCO.',
      ],
      tooLong: (n, max) => `Your search is too long (${n} characters, ${max} max). Keep a few keywords.`,
      errorTitle: 'Oops, something went wrong.',
      serverError: 'The server could not answer. Please try again in a moment.',
      networkError: 'Cannot reach the server. Check your connection.',
      retry: 'Try again',
      matchedPrefix: 'matches: ',
      keySkills: 'Key skills',
      kinds: {
        preferred: 'title', alt: 'alternative title', hidden: 'related term', appellation: 'job title',
        synonym: 'synonym', gendered: 'gendered form', skill: 'skill', interest: 'interest', lexical: 'keyword',
        onisep: 'ONISEP job title', definition: 'what the job is', access: 'how to get in', description: 'description',
        colloquial: 'everyday word', school: 'school path',
      },
      taxonomyName: { rome: 'ROME', esco: 'ESCO' },
      taxonomyTitle: { rome: 'ROME sheet (France Travail)', esco: 'European ESCO classification' },
      back: 'Back to results',
      backSearch: 'Back to search',
      backProfile: 'Back to my profile',
      definition: 'Description',
      access: 'How to get there',
      skillsEssential: 'Essential skills',
      skillsOptional: 'Optional skills',
      showMore: (n) => `Show ${n} more`,
      riasec: 'RIASEC profile',
      riasecHint: 'The broad interest families linked to this job.',
      riasecNames: {
        R: ['Realistic', 'hands-on, practical'], I: ['Investigative', 'explore, understand'],
        A: ['Artistic', 'create, imagine'], S: ['Social', 'help, connect'],
        E: ['Enterprising', 'persuade, lead'], C: ['Conventional', 'organise, be precise'],
      },
      interests: 'Interests',
      links: 'In the other classification',
      relations: { exact: 'equivalent', close: 'close', broad: 'broader', narrow: 'narrower' },
      related: 'Related jobs',
      kin: { broader: 'broader', narrower: 'more specific', mobility: 'possible next step' },
      iscoGroup: 'ISCO group',
      otherLang: 'In French: ',
      notFound: 'This job sheet could not be found.',
      noDescription: 'No description for this job yet.',
      profileTitle: 'My profile',
      profileLead: 'Pick your interests and what you can (or like to) do: we’ll look for jobs that fit.',
      interestsLegend: 'My interests',
      interestsHint: 'Tap an interest to select it.',
      interestsLoading: 'Loading interests…',
      interestsError: 'Could not load interests.',
      skillsLabel: 'What I can do',
      skillsPlaceholder: 'e.g. cooking, programming…',
      skillsHint: 'Type a few letters, then pick with ↑ ↓ and Enter.',
      skillsChosen: 'Chosen skills',
      suggestionsLabel: 'Suggestions',
      suggestionsList: 'Suggestions',
      noSkill: 'No skill found',
      skillAdded: (l) => `Skill added: ${l}`,
      skillRemoved: (l) => `Skill removed: ${l}`,
      removeSkill: (l) => `Remove ${l}`,
      skillOptions: (n) => (n === 1 ? '1 suggestion' : `${n} suggestions`),
      freeLabel: 'What I like (optional)',
      freePlaceholder: 'e.g. I like fixing things, being outdoors and helping people.',
      profileSubmit: 'Find my jobs',
      profileReset: 'Clear all',
      profileEmpty: 'Pick at least one interest or skill, or write what you like.',
      footer: 'Data: ROME (France Travail) and ESCO (European Commission) classifications. Suggestions are ideas, not verdicts: talk about them with people around you!',
      titleSearch: 'Boussole — find your job',
      titleProfile: 'My profile — Boussole',
      suggestions_aria: 'Search examples',
    },
  };

  // ---------------------------------------------------------------- state
  const state = {
    lang: 'fr',
    view: 'search', // search | profile | detail
    origin: 'search', // view the detail was opened from
    inAppNav: false, // true once the user navigated inside the app (history.back is safe)
    search: { q: '', taxonomy: '', ctrl: null, timer: 0, last: null, rendered: '' },
    detail: { ctrl: null, key: '', cache: new Map() },
    profile: {
      interests: [], // [{code,label}] for the current language
      interestsLang: '',
      selected: new Set(), // interest codes
      skills: [], // [{code,label}]
      ctrl: null,
      skillCtrl: null,
      skillTimer: 0,
      options: [],
      active: -1,
      last: null,
    },
    scroll: { search: 0, profile: 0 },
    lastOpened: '', // href of the last opened card, to restore focus on back
  };

  const t = (key, ...args) => {
    const v = (I18N[state.lang] && I18N[state.lang][key]) ?? I18N.fr[key];
    return typeof v === 'function' ? v(...args) : v;
  };

  // ---------------------------------------------------------------- DOM helpers
  const $ = (sel, root = document) => root.querySelector(sel);

  /** Create an element. `attrs`: class, text, dataset, on<Event>, others via setAttribute. */
  function h(tag, attrs, ...children) {
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

  function truncate(s, n) {
    if (!s) return '';
    const str = String(s).replace(/\s+/g, ' ').trim();
    if (str.length <= n) return str;
    const cut = str.slice(0, n);
    const sp = cut.lastIndexOf(' ');
    return `${(sp > n * 0.6 ? cut.slice(0, sp) : cut).replace(/[\s,;:.–-]+$/, '')}…`;
  }

  const live = () => $('#live');
  let liveTimer = 0;
  function announce(msg) {
    const el = live();
    el.textContent = '';
    clearTimeout(liveTimer);
    // A tick between clear and set makes screen readers re-announce identical text.
    liveTimer = setTimeout(() => { el.textContent = msg; }, 60);
  }

  // ---------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(message, code, status) {
      super(message);
      this.code = code;
      this.status = status;
    }
  }

  async function api(path, { signal, method = 'GET', body } = {}) {
    let res;
    try {
      res = await fetch(path, {
        method,
        signal,
        headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError(t('networkError'), 'network', 0);
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      data = null;
    }
    if (!res.ok) {
      const err = data && data.error;
      throw new ApiError((err && err.message) || t('serverError'), (err && err.code) || 'http_' + res.status, res.status);
    }
    if (data === null) throw new ApiError(t('serverError'), 'bad_json', res.status);
    return data;
  }

  const qs = (params) => {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) u.set(k, v);
    return u.toString();
  };

  const detailHref = (taxonomy, code) => `#/metier/${encodeURIComponent(taxonomy)}/${encodeURIComponent(code)}`;

  // ---------------------------------------------------------------- shared renderers
  function setBusy(el, busy) {
    el.setAttribute('aria-busy', busy ? 'true' : 'false');
    el.classList.toggle('is-loading', busy);
  }

  function skeleton(n, label) {
    const list = h('ul', { class: 'results', 'aria-hidden': 'true' });
    for (let i = 0; i < n; i++) {
      list.append(h('li', { class: 'card skeleton' },
        h('span', { class: 'sk sk-badge' }), h('span', { class: 'sk sk-title' }),
        h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })));
    }
    return [h('p', { class: 'sr-only', text: label }), list];
  }

  function badge(taxonomy) {
    const tax = taxonomy === 'esco' ? 'esco' : 'rome';
    return h('span', { class: `badge badge-${tax}`, title: t('taxonomyTitle')[tax], text: t('taxonomyName')[tax] });
  }

  const EVIDENCE_CHARS = 110;

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
      const frag = h('span', { class: 'm' }, h('q', { lang: m.lang || null, text }), kind ? `\u00a0(${kind})` : '');
      parts.push(frag);
      if (parts.length >= 2) break;
    }
    if (!parts.length) return null;
    const p = h('p', { class: 'matched' }, checkIcon(), t('matchedPrefix'));
    parts.forEach((frag, i) => { if (i) p.append(', '); p.append(frag); });
    return p;
  }

  function checkIcon() {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('class', 'ico');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', 'M5 12.5l4.2 4.2L19 7');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '2.4');
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    svg.append(path);
    return svg;
  }

  function resultCard(r) {
    const href = detailHref(r.taxonomy, r.code);
    const skills = Array.isArray(r.skills) ? r.skills.filter(Boolean).slice(0, 3) : [];
    return h('li', { class: 'card result' },
      h('div', { class: 'card-top' }, badge(r.taxonomy),
        r.taxonomy === 'rome' ? h('span', { class: 'code', text: r.code }) : null),
      h('h3', { class: 'card-title' }, h('a', { href, class: 'card-link', text: r.label || r.code })),
      r.description ? h('p', { class: 'desc', text: truncate(r.description, 150) }) : null,
      skills.length
        ? h('div', { class: 'skills' },
          h('span', { class: 'sr-only', text: `${t('keySkills')} : ` }),
          h('ul', { class: 'tags', 'aria-label': t('keySkills') }, skills.map((s) => h('li', { class: 'tag', text: truncate(s, 48) }))))
        : null,
      matchedLine(r.matched, r.label, r.description));
  }

  function renderResults(out, data, heading) {
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
      h('ul', { class: 'results' }, results.map(resultCard)));
    announce(t('announceFound', results.length));
  }

  function renderError(out, err, retryFn) {
    out.replaceChildren(h('div', { class: 'state error', role: 'alert' },
      h('h2', { text: t('errorTitle') }),
      h('p', { text: (err && err.message) || t('serverError') }),
      retryFn ? h('button', { type: 'button', class: 'btn primary', onclick: retryFn, text: t('retry') }) : null));
  }

  // ---------------------------------------------------------------- search view
  const searchOut = () => $('#search-out');
  const searchInput = () => $('#q');

  function currentTaxonomy() {
    const r = document.querySelector('input[name="taxonomy"]:checked');
    return r ? r.value : '';
  }

  function renderSuggestions() {
    const out = searchOut();
    setBusy(out, false);
    out.replaceChildren(h('div', { class: 'state start' },
      h('p', { class: 'start-lead', text: t('emptyLead') }),
      h('h2', { class: 'small-title', id: 'sugg-title', text: t('suggestionsTitle') }),
      h('ul', { class: 'chips suggestions', 'aria-labelledby': 'sugg-title' },
        t('suggestions').map((s) => h('li', null, h('button', {
          type: 'button', class: 'chip', text: s,
          onclick: () => {
            searchInput().value = s;
            syncClear();
            runSearch(true);
            searchInput().focus();
          },
        }))))));
    state.search.rendered = '';
  }

  function syncClear() {
    $('#q-clear').hidden = searchInput().value === '';
  }

  function scheduleSearch() {
    clearTimeout(state.search.timer);
    state.search.timer = setTimeout(() => runSearch(false), SEARCH_DEBOUNCE_MS);
  }

  function writeSearchHash(q, taxonomy) {
    if (state.view !== 'search') return;
    const p = qs({ q, t: taxonomy });
    const hash = p ? `#/?${p}` : '#/';
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }

  async function runSearch(force) {
    clearTimeout(state.search.timer);
    const raw = searchInput().value;
    const q = raw.trim().replace(/\s+/g, ' ');
    const taxonomy = currentTaxonomy();
    const key = `${state.lang}|${taxonomy}|${q}`;
    if (!force && key === state.search.rendered) return;
    if (state.search.ctrl) state.search.ctrl.abort();
    state.search.ctrl = null;
    state.search.q = q;
    state.search.taxonomy = taxonomy;
    writeSearchHash(q, taxonomy);
    document.body.classList.toggle('has-query', q !== '');
    const out = searchOut();
    $('.search-row').classList.remove('loading');

    if (!q) { renderSuggestions(); return; }
    if (q.length > MAX_QUERY_CHARS) {
      setBusy(out, false);
      out.replaceChildren(h('div', { class: 'state warn', role: 'alert' }, h('p', { text: t('tooLong', q.length, MAX_QUERY_CHARS) })));
      state.search.rendered = key;
      return;
    }

    const ctrl = new AbortController();
    state.search.ctrl = ctrl;
    setBusy(out, true);
    $('.search-row').classList.add('loading');
    // Keep previous results visible (dimmed) while typing; skeleton otherwise.
    if (!out.querySelector('.results')) out.replaceChildren(...skeleton(3, t('loading')));
    try {
      const data = await api(`/v1/search?${qs({ q, lang: state.lang, taxonomy, limit: LIMIT })}`, { signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      state.search.last = data;
      renderResults(out, data, (n) => t('resultsFor', n, q));
      state.search.rendered = key;
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      if (e && e.code === 'query_too_long') {
        out.replaceChildren(h('div', { class: 'state warn', role: 'alert' }, h('p', { text: e.message || t('tooLong', q.length, MAX_QUERY_CHARS) })));
      } else if (e && e.code === 'empty_query') {
        renderSuggestions();
      } else {
        renderError(out, e, () => runSearch(true));
      }
      state.search.rendered = '';
    } finally {
      if (state.search.ctrl === ctrl) {
        state.search.ctrl = null;
        setBusy(out, false);
        $('.search-row').classList.remove('loading');
      }
    }
  }

  // ---------------------------------------------------------------- detail view
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

  function renderDetail(out, d) {
    out.replaceChildren();
    const otherLang = state.lang === 'fr' ? 'en' : 'fr';
    const otherLabel = d.labels && d.labels[otherLang];
    const head = h('header', { class: 'd-head' },
      h('div', { class: 'card-top' }, badge(d.taxonomy),
        d.taxonomy === 'rome' ? h('span', { class: 'code', text: d.code }) : null,
        d.isco_group ? h('span', { class: 'code', text: `${t('iscoGroup')} ${d.isco_group}` }) : null),
      h('h1', { id: 'detail-title', tabindex: '-1', text: d.label || d.code }),
      otherLabel && otherLabel !== d.label
        ? h('p', { class: 'other-lang' }, t('otherLang'), h('span', { lang: otherLang, text: otherLabel }))
        : null);
    out.append(head);

    const grid = h('div', { class: 'd-grid' });
    const main = h('div', { class: 'd-main' });
    const side = h('div', { class: 'd-side' });
    grid.append(main, side);
    out.append(grid);

    main.append(section(t('definition'), ...(d.description ? paragraphs(d.description) : [h('p', { class: 'muted', text: t('noDescription') })])));
    if (d.access) main.append(section(t('access'), ...paragraphs(d.access)));

    const sk = d.skills || {};
    if (Array.isArray(sk.essential) && sk.essential.length) main.append(section(t('skillsEssential'), ...skillList(sk.essential, 12)));
    if (Array.isArray(sk.optional) && sk.optional.length) main.append(section(t('skillsOptional'), ...skillList(sk.optional, 6)));

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
        h('a', { href: detailHref(r.taxonomy, r.code), class: 'related-link' }, badge(r.taxonomy), h('span', { text: r.label || r.code }),
          t('kin')[r.relation] ? h('span', { class: 'kin', text: t('kin')[r.relation] }) : null))))));
    }
    document.title = `${d.label || d.code} — Boussole`;
  }

  async function showDetail(taxonomy, code, { focus = true } = {}) {
    const out = $('#detail-out');
    const key = `${state.lang}|${taxonomy}|${code}`;
    if (state.detail.ctrl) state.detail.ctrl.abort();
    state.detail.key = key;
    const backLabel = state.origin === 'profile' ? t('backProfile') : (state.search.q ? t('back') : t('backSearch'));
    $('#back-link span[data-i18n]').textContent = backLabel;
    $('#back-link').setAttribute('href', state.origin === 'profile' ? '#/profil' : searchHashOf());

    const cached = state.detail.cache.get(key);
    if (cached) {
      renderDetail(out, cached);
      if (focus) $('#detail-title').focus({ preventScroll: true });
      return;
    }
    const ctrl = new AbortController();
    state.detail.ctrl = ctrl;
    setBusy(out, true);
    out.replaceChildren(h('p', { class: 'sr-only', text: t('loadingDetail') }),
      h('div', { class: 'card skeleton detail-sk', 'aria-hidden': 'true' },
        h('span', { class: 'sk sk-badge' }), h('span', { class: 'sk sk-title' }),
        h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line' }), h('span', { class: 'sk sk-line short' })));
    announce(t('loadingDetail'));
    try {
      const d = await api(`/v1/occupations/${encodeURIComponent(taxonomy)}/${encodeURIComponent(code)}?${qs({ lang: state.lang })}`, { signal: ctrl.signal });
      if (ctrl.signal.aborted || state.detail.key !== key) return;
      state.detail.cache.set(key, d);
      renderDetail(out, d);
      announce(d.label || '');
      if (focus) $('#detail-title').focus({ preventScroll: true });
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      if (e && e.code === 'not_found') {
        out.replaceChildren(h('div', { class: 'state error', role: 'alert' },
          h('h1', { id: 'detail-title', tabindex: '-1', text: t('notFound') }), h('p', { class: 'muted', text: e.message })));
      } else {
        renderError(out, e, () => showDetail(taxonomy, code));
      }
    } finally {
      if (state.detail.ctrl === ctrl) { state.detail.ctrl = null; setBusy(out, false); }
    }
  }

  function searchHashOf() {
    const p = qs({ q: state.search.q, t: state.search.taxonomy });
    return p ? `#/?${p}` : '#/';
  }

  // ---------------------------------------------------------------- profile view
  async function loadInterests() {
    const box = $('#interests');
    if (state.profile.interestsLang === state.lang && state.profile.interests.length) return;
    box.replaceChildren(h('p', { class: 'muted', text: t('interestsLoading') }));
    box.setAttribute('aria-busy', 'true');
    try {
      const data = await api(`/v1/interests?${qs({ lang: state.lang })}`);
      state.profile.interests = (data.results || []).filter((i) => i && i.label);
      state.profile.interestsLang = state.lang;
      renderInterests();
    } catch (e) {
      box.replaceChildren(h('p', { class: 'form-msg', text: `${t('interestsError')} ${e.message || ''}` }),
        h('button', { type: 'button', class: 'btn ghost small', text: t('retry'), onclick: () => loadInterests() }));
    } finally {
      box.setAttribute('aria-busy', 'false');
    }
  }

  function renderInterests() {
    const box = $('#interests');
    box.replaceChildren(h('ul', { class: 'chips' }, state.profile.interests.map((i) => {
      const code = i.code || i.label;
      const on = state.profile.selected.has(code);
      return h('li', null, h('button', {
        type: 'button', class: 'chip toggle', 'aria-pressed': on ? 'true' : 'false', text: i.label,
        onclick: (ev) => {
          const b = ev.currentTarget;
          const now = !state.profile.selected.has(code);
          if (now) state.profile.selected.add(code); else state.profile.selected.delete(code);
          b.setAttribute('aria-pressed', now ? 'true' : 'false');
        },
      }));
    })));
  }

  function renderSkillChips() {
    const ul = $('#skill-chips');
    ul.replaceChildren(...state.profile.skills.map((s, idx) => h('li', { class: 'chip selected' },
      h('span', { text: s.label }),
      h('button', {
        type: 'button', class: 'chip-x', 'aria-label': t('removeSkill', s.label),
        onclick: () => removeSkill(idx, true),
      }, '×'))));
    ul.hidden = state.profile.skills.length === 0;
  }

  function addSkill(opt) {
    if (!opt || !opt.label) return;
    const exists = state.profile.skills.some((s) => s.label.toLowerCase() === opt.label.toLowerCase());
    if (!exists) state.profile.skills.push({ code: opt.code || '', label: opt.label });
    renderSkillChips();
    const input = $('#skill-input');
    input.value = '';
    closeListbox();
    announce(t('skillAdded', opt.label));
    input.focus();
  }

  function removeSkill(idx, refocus) {
    const [s] = state.profile.skills.splice(idx, 1);
    renderSkillChips();
    if (s) announce(t('skillRemoved', s.label));
    if (refocus) $('#skill-input').focus();
  }

  function closeListbox() {
    const list = $('#skill-list');
    const input = $('#skill-input');
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    state.profile.options = [];
    state.profile.active = -1;
  }

  function setActive(i) {
    const list = $('#skill-list');
    const input = $('#skill-input');
    const opts = [...list.querySelectorAll('[role="option"]:not([aria-disabled="true"])')];
    if (!opts.length) { state.profile.active = -1; return; }
    const n = opts.length;
    state.profile.active = ((i % n) + n) % n;
    opts.forEach((o, k) => o.setAttribute('aria-selected', k === state.profile.active ? 'true' : 'false'));
    const el = opts[state.profile.active];
    input.setAttribute('aria-activedescendant', el.id);
    el.scrollIntoView({ block: 'nearest' });
  }

  function openListbox(options) {
    const list = $('#skill-list');
    const input = $('#skill-input');
    state.profile.options = options;
    state.profile.active = -1;
    input.removeAttribute('aria-activedescendant');
    if (!options.length) {
      list.replaceChildren(h('li', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false', class: 'opt none', id: 'skill-opt-none', text: t('noSkill') }));
    } else {
      list.replaceChildren(...options.map((o, i) => h('li', {
        role: 'option', id: `skill-opt-${i}`, class: 'opt', 'aria-selected': 'false',
        onmousedown: (ev) => ev.preventDefault(), // keep focus in the input
        onclick: () => addSkill(o),
      }, h('span', { text: o.label }), o.taxonomy ? h('span', { class: 'opt-tax', text: (t('taxonomyName')[o.taxonomy] || o.taxonomy) }) : null)));
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    announce(options.length ? t('skillOptions', options.length) : t('noSkill'));
  }

  async function fetchSkills() {
    const input = $('#skill-input');
    const q = input.value.trim();
    if (state.profile.skillCtrl) state.profile.skillCtrl.abort();
    if (q.length < 2) { closeListbox(); return; }
    const ctrl = new AbortController();
    state.profile.skillCtrl = ctrl;
    input.parentElement.classList.add('loading');
    try {
      const data = await api(`/v1/skills/search?${qs({ q, lang: state.lang, limit: 8 })}`, { signal: ctrl.signal });
      if (ctrl.signal.aborted || document.activeElement !== input) return;
      const seen = new Set(state.profile.skills.map((s) => s.label.toLowerCase()));
      const opts = [];
      for (const r of data.results || []) {
        if (!r || !r.label) continue;
        const k = r.label.toLowerCase();
        if (seen.has(k)) continue;
        seen.add(k);
        opts.push(r);
      }
      openListbox(opts);
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      closeListbox();
      $('#profile-msg').textContent = e.message || t('serverError');
    } finally {
      if (state.profile.skillCtrl === ctrl) { state.profile.skillCtrl = null; input.parentElement.classList.remove('loading'); }
    }
  }

  function onSkillKeydown(ev) {
    const list = $('#skill-list');
    const open = !list.hidden;
    switch (ev.key) {
      case 'ArrowDown':
        ev.preventDefault();
        if (!open) { fetchSkills(); return; }
        setActive(state.profile.active + 1);
        break;
      case 'ArrowUp':
        ev.preventDefault();
        if (!open) return;
        setActive(state.profile.active < 0 ? -1 : state.profile.active - 1);
        break;
      case 'Home':
      case 'End':
        if (open && state.profile.options.length && ev.ctrlKey) {
          ev.preventDefault();
          setActive(ev.key === 'Home' ? 0 : state.profile.options.length - 1);
        }
        break;
      case 'Enter':
        if (open && state.profile.active >= 0) {
          ev.preventDefault();
          addSkill(state.profile.options[state.profile.active]);
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
        if (!ev.target.value && state.profile.skills.length) removeSkill(state.profile.skills.length - 1, false);
        break;
      default:
    }
  }

  async function submitProfile(ev) {
    if (ev) ev.preventDefault();
    const msg = $('#profile-msg');
    msg.textContent = '';
    const text = $('#free-text').value.trim();
    const interests = state.profile.interests
      .filter((i) => state.profile.selected.has(i.code || i.label)).map((i) => i.label);
    const skills = state.profile.skills.map((s) => s.label);
    if (!text && !interests.length && !skills.length) {
      msg.textContent = t('profileEmpty');
      return;
    }
    if (text.length > 500) { msg.textContent = t('tooLong', text.length, 500); return; }
    const out = $('#profile-out');
    if (state.profile.ctrl) state.profile.ctrl.abort();
    const ctrl = new AbortController();
    state.profile.ctrl = ctrl;
    setBusy(out, true);
    $('#profile-submit').setAttribute('aria-disabled', 'true');
    out.replaceChildren(...skeleton(3, t('loading')));
    out.scrollIntoView({ behavior: prefersReducedMotion() ? 'auto' : 'smooth', block: 'start' });
    const body = { text, skills, interests, lang: state.lang, limit: LIMIT };
    try {
      const data = await api('/v1/match', { method: 'POST', body, signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      state.profile.last = data;
      renderResults(out, data, (n) => t('resultsProfile', n));
    } catch (e) {
      if (e && e.name === 'AbortError') return;
      renderError(out, e, () => submitProfile());
    } finally {
      if (state.profile.ctrl === ctrl) {
        state.profile.ctrl = null;
        setBusy(out, false);
        $('#profile-submit').removeAttribute('aria-disabled');
      }
    }
  }

  function resetProfile() {
    state.profile.selected.clear();
    state.profile.skills = [];
    $('#free-text').value = '';
    $('#skill-input').value = '';
    $('#profile-msg').textContent = '';
    $('#profile-out').replaceChildren();
    closeListbox();
    renderSkillChips();
    renderInterests();
  }

  const prefersReducedMotion = () => window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  // ---------------------------------------------------------------- language
  function applyI18n() {
    document.documentElement.lang = state.lang;
    for (const el of document.querySelectorAll('[data-i18n]')) {
      const v = t(el.dataset.i18n);
      if (typeof v === 'string') el.textContent = v;
    }
    for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
    for (const b of document.querySelectorAll('.lang-btn')) b.setAttribute('aria-pressed', b.dataset.lang === state.lang ? 'true' : 'false');
    const meta = document.querySelector('meta[name="description"]');
    if (meta) meta.content = t('searchLead');
  }

  function setLang(lang) {
    if (!I18N[lang] || lang === state.lang) return;
    state.lang = lang;
    try { localStorage.setItem('boussole.lang', lang); } catch (_) { /* private mode */ }
    applyI18n();
    // Re-render everything that depends on the language.
    state.search.rendered = '';
    if (state.search.q) runSearch(true); else if (state.view === 'search' || !searchOut().firstChild) renderSuggestions();
    closeListbox();
    renderSkillChips();
    state.profile.interestsLang = '';
    if (state.view === 'profile') loadInterests();
    if (state.profile.last) {
      renderResults($('#profile-out'), state.profile.last, (n) => t('resultsProfile', n));
    }
    if (state.view === 'detail') route(false);
    else setTitle();
  }

  function setTitle() {
    if (state.view === 'profile') document.title = t('titleProfile');
    else if (state.view === 'search') document.title = state.search.q ? `${state.search.q} — Boussole` : t('titleSearch');
  }

  // ---------------------------------------------------------------- routing
  function parseHash() {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path, query = ''] = raw.split('?');
    const parts = path.split('/').filter(Boolean);
    if (parts[0] === 'metier' && parts.length >= 3) {
      let code;
      try { code = decodeURIComponent(parts.slice(2).join('/')); } catch (_) { code = parts.slice(2).join('/'); }
      return { view: 'detail', taxonomy: decodeURIComponent(parts[1]), code };
    }
    if (parts[0] === 'profil' || parts[0] === 'profile') return { view: 'profile' };
    return { view: 'search', params: new URLSearchParams(query) };
  }

  function show(view) {
    if (state.view !== view && state.view !== 'detail') state.scroll[state.view] = window.scrollY;
    for (const v of ['search', 'profile', 'detail']) $(`#view-${v}`).hidden = v !== view;
    const tab = view === 'detail' ? state.origin : view;
    for (const a of document.querySelectorAll('.tab')) {
      if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    state.view = view;
  }

  function route(fromNav) {
    const r = parseHash();
    const prev = state.view;
    if (r.view === 'detail') {
      if (prev !== 'detail') state.origin = prev;
      show('detail');
      window.scrollTo(0, 0);
      showDetail(r.taxonomy, r.code, { focus: true });
      return;
    }
    show(r.view);
    setTitle();
    if (r.view === 'profile') {
      loadInterests();
      if (prev === 'detail') restoreFocus();
      return;
    }
    // search
    const q = (r.params && r.params.get('q')) || '';
    const tax = (r.params && r.params.get('t')) || '';
    const radio = document.querySelector(`input[name="taxonomy"][value="${['rome', 'esco'].includes(tax) ? tax : ''}"]`);
    if (radio && !radio.checked) radio.checked = true;
    if (q !== searchInput().value.trim() || !searchOut().firstChild) {
      searchInput().value = q;
      syncClear();
      runSearch(false);
    }
    if (prev === 'detail') restoreFocus();
    void fromNav;
  }

  function restoreFocus() {
    const view = state.view;
    const y = state.scroll[view] || 0;
    window.scrollTo(0, y);
    if (!state.lastOpened) return;
    const link = [...document.querySelectorAll(`#view-${view} a[href]`)].find((a) => a.getAttribute('href') === state.lastOpened);
    if (link) link.focus({ preventScroll: true });
  }

  // ---------------------------------------------------------------- init
  function init() {
    let lang = 'fr';
    try { lang = localStorage.getItem('boussole.lang') || 'fr'; } catch (_) { /* ignore */ }
    state.lang = I18N[lang] ? lang : 'fr';
    applyI18n();

    const input = searchInput();
    input.addEventListener('input', () => { syncClear(); scheduleSearch(); });
    $('#search-form').addEventListener('submit', (ev) => { ev.preventDefault(); runSearch(true); });
    $('#q-clear').addEventListener('click', () => {
      input.value = '';
      syncClear();
      runSearch(false);
      input.focus();
    });
    for (const r of document.querySelectorAll('input[name="taxonomy"]')) r.addEventListener('change', () => runSearch(false));

    for (const b of document.querySelectorAll('.lang-btn')) b.addEventListener('click', () => setLang(b.dataset.lang));

    // Remember which card was opened, so focus returns there on "back".
    document.addEventListener('click', (ev) => {
      const a = ev.target.closest && ev.target.closest('a[href^="#/metier/"]');
      if (a && !a.closest('#view-detail')) state.lastOpened = a.getAttribute('href');
      if (a || (ev.target.closest && ev.target.closest('a.tab'))) state.inAppNav = true;
    });
    $('#back-link').addEventListener('click', (ev) => {
      if (state.inAppNav && history.length > 1) { ev.preventDefault(); history.back(); }
    });

    const sk = $('#skill-input');
    sk.addEventListener('input', () => {
      $('#profile-msg').textContent = '';
      clearTimeout(state.profile.skillTimer);
      state.profile.skillTimer = setTimeout(fetchSkills, SKILL_DEBOUNCE_MS);
    });
    sk.addEventListener('keydown', onSkillKeydown);
    sk.addEventListener('blur', () => setTimeout(() => { if (document.activeElement !== sk) closeListbox(); }, 150));
    $('#profile-form').addEventListener('submit', submitProfile);
    $('#profile-reset').addEventListener('click', resetProfile);
    renderSkillChips();

    window.addEventListener('hashchange', () => route(true));
    route(false);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
