// The state several modules share, in one place, read and written only through these functions.
// Each view keeps its private working state (timers, pending requests, form contents) inside its
// own module; the shortlist lives in shortlist.js (it is stored on the device).

const state = {
  /** Language of the page: 'fr' or 'en'. */
  lang: 'fr',
  /** The view on screen: 'search' | 'profile' | 'detail' | 'selection' | 'quiz'. */
  view: 'search',
  /** Where a detail page was opened from: { view, hash }, for its back link. */
  origin: { view: 'search', hash: '#/' },
  /** True once the user navigated inside the app, so history.back() stays in the app. */
  inAppNav: false,
  /** href of the last occupation link followed, to give it focus again on "back". */
  lastOpened: '',
  /** Scroll position of each list view when it was left. */
  scroll: { search: 0, profile: 0, selection: 0, quiz: 0 },
  /** The profile last submitted in the profile view: { skills: [labels], text }. */
  profile: { skills: [], text: '' },
};

export const getLang = () => state.lang;
export function setLang(lang) { state.lang = lang; }

export const getView = () => state.view;
export function setView(view) { state.view = view; }

export const getOrigin = () => ({ ...state.origin });
export function setOrigin(view, hash) { state.origin = { view, hash }; }

export const isInAppNav = () => state.inAppNav;
export function markInAppNav() { state.inAppNav = true; }

export const getLastOpened = () => state.lastOpened;
export function setLastOpened(href) { state.lastOpened = href; }

export const getProfile = () => ({ skills: [...state.profile.skills], text: state.profile.text });
export function setProfile({ skills = [], text = '' } = {}) { state.profile = { skills: [...skills], text }; }

export const getScroll = (view) => state.scroll[view] || 0;
export function saveScroll(view, y) { if (view in state.scroll) state.scroll[view] = y; }
