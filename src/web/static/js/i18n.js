// The page's words, French first, and the helpers that apply them.
import { getLang } from './state.js';

/** The languages of the page; French first, and the fallback of a missing text. */
export const LANGS = ['fr', 'en'];

/** Every text of the page, each in every language side by side, so a missing translation shows. */
export const MESSAGES = {
  skip: {
    fr: 'Aller au contenu',
    en: 'Skip to content',
  },
  home: {
    fr: 'Boussole — accueil',
    en: 'Boussole — home',
  },
  language: {
    fr: 'Langue',
    en: 'Language',
  },
  sections: {
    fr: 'Sections',
    en: 'Sections',
  },
  tabSearch: {
    fr: 'Rechercher',
    en: 'Search',
  },
  tabProfile: {
    fr: 'Mon profil',
    en: 'My profile',
  },
  searchTitle: {
    fr: 'Quel métier pour toi ?',
    en: 'Which job is right for you?',
  },
  searchLead: {
    fr: 'Décris un métier, une passion ou ce que tu aimes faire : on te propose des pistes.',
    en: 'Describe a job, a passion or what you like doing: we’ll suggest some ideas.',
  },
  searchLabel: {
    fr: 'Un métier, une passion, ce que tu aimes faire…',
    en: 'A job, a passion, what you like doing…',
  },
  searchPlaceholder: {
    fr: 'ex. boulanger, dessiner…',
    en: 'e.g. baker, drawing…',
  },
  searchHint: {
    fr: 'Les résultats s’affichent pendant que tu tapes.',
    en: 'Results appear as you type.',
  },
  clear: {
    fr: 'Effacer',
    en: 'Clear',
  },
  filterLegend: {
    fr: 'Source',
    en: 'Source',
  },
  filterAll: {
    fr: 'Tous',
    en: 'All',
  },
  filterRome: {
    fr: 'Fiches ROME',
    en: 'ROME (France)',
  },
  filterEsco: {
    fr: 'ESCO',
    en: 'ESCO',
  },
  suggestionsTitle: {
    fr: 'Pas d’idée ? Essaie :',
    en: 'No idea? Try:',
  },
  suggestions: {
    fr: ['j’aime les animaux', 'développeur web', 'aide-soignante', 'travailler dehors'],
    en: ['I love animals', 'web developer', 'nursing assistant', 'working outdoors'],
  },
  emptyLead: {
    fr: 'Tape un métier que tu connais, un loisir ou une envie, même en quelques mots.',
    en: 'Type a job you know, a hobby or something you’d like to do, even in a few words.',
  },
  loading: {
    fr: 'Recherche en cours…',
    en: 'Searching…',
  },
  loadingDetail: {
    fr: 'Chargement de la fiche…',
    en: 'Loading…',
  },
  resultsFor: {
    fr: (n, q) => (n === 1 ? `1 métier pour « ${q} »` : `${n} métiers pour « ${q} »`),
    en: (n, q) => (n === 1 ? `1 job for “${q}”` : `${n} jobs for “${q}”`),
  },
  resultsProfile: {
    fr: (n) => (n === 1 ? '1 métier pour ton profil' : `${n} métiers pour ton profil`),
    en: (n) => (n === 1 ? '1 job for your profile' : `${n} jobs for your profile`),
  },
  announceFound: {
    fr: (n) => (n === 1 ? '1 métier trouvé' : `${n} métiers trouvés`),
    en: (n) => (n === 1 ? '1 job found' : `${n} jobs found`),
  },
  announceNone: {
    fr: 'Aucun métier trouvé',
    en: 'No job found',
  },
  noResultTitle: {
    fr: 'Aucun métier trouvé… pour l’instant !',
    en: 'No job found… yet!',
  },
  noResultTips: {
    fr: [
      'Vérifie l’orthographe ou essaie un mot plus simple.',
      'Décris une activité : « réparer des vélos », « soigner », « dessiner ».',
      'Essaie le filtre « Tous » pour chercher dans ROME et ESCO.',
    ],
    en: [
      'Check the spelling or try a simpler word.',
      'Describe an activity: “fixing bikes”, “caring for people”, “drawing”.',
      'Try the “All” filter to search both ROME and ESCO.',
    ],
  },
  tooLong: {
    fr: (n, max) => `Ta recherche est trop longue (${n} caractères, ${max} maximum). Garde quelques mots-clés.`,
    en: (n, max) => `Your search is too long (${n} characters, ${max} max). Keep a few keywords.`,
  },
  errorTitle: {
    fr: 'Oups, quelque chose a coincé.',
    en: 'Oops, something went wrong.',
  },
  serverError: {
    fr: 'Le serveur n’a pas pu répondre. Réessaie dans un instant.',
    en: 'The server could not answer. Please try again in a moment.',
  },
  networkError: {
    fr: 'Impossible de joindre le serveur. Vérifie ta connexion.',
    en: 'Cannot reach the server. Check your connection.',
  },
  retry: {
    fr: 'Réessayer',
    en: 'Try again',
  },
  matchedPrefix: {
    fr: 'correspond à : ',
    en: 'matches: ',
  },
  keySkills: {
    fr: 'Compétences clés',
    en: 'Key skills',
  },
  kinds: {
    fr: {
      preferred: 'intitulé', alt: 'autre intitulé', hidden: 'terme associé', appellation: 'appellation',
      synonym: 'synonyme', gendered: 'autre forme', skill: 'compétence', interest: 'centre d’intérêt',
      onisep: 'métier ONISEP', definition: 'ce que fait ce métier', access: 'accès au métier',
      description: 'description', colloquial: 'mot courant', school: 'parcours scolaire',
      riasec: 'ton profil', facet: 'condition de travail', avoided: 'ce que tu veux éviter',
      entry_level: 'niveau d’accès', onet_alternate: 'intitulé américain (O*NET)',
      onet_reported: 'intitulé donné par des salariés (O*NET)',
    },
    en: {
      preferred: 'title', alt: 'alternative title', hidden: 'related term', appellation: 'job title',
      synonym: 'synonym', gendered: 'gendered form', skill: 'skill', interest: 'interest',
      onisep: 'ONISEP job title', definition: 'what the job is', access: 'how to get in', description: 'description',
      colloquial: 'everyday word', school: 'school path',
      riasec: 'your profile', facet: 'working conditions', avoided: 'what you want to avoid',
      entry_level: 'entry level', onet_alternate: 'US job title (O*NET)',
      onet_reported: 'title reported by workers (O*NET)',
    },
  },
  refineTitle: {
    fr: 'Affiner les résultats',
    en: 'Refine the results',
  },
  chipNot: {
    fr: (label) => `Pas : ${label}`,
    en: (label) => `Not: ${label}`,
  },
  levelChip: {
    fr: {
      none: 'Sans diplôme', cap: 'Accessible avec un CAP', bac: 'Jusqu’au bac', bac2: 'Jusqu’à bac+2',
      bac3: 'Jusqu’à bac+3', bac5: 'Jusqu’à bac+5', doctorate: 'Toutes études',
    },
    en: {
      none: 'No qualification needed', cap: 'Accessible with a CAP', bac: 'Up to the baccalauréat', bac2: 'Up to 2 years after the bac',
      bac3: 'Up to a bachelor’s degree', bac5: 'Up to a master’s degree', doctorate: 'Any length of study',
    },
  },
  noResultFilters: {
    fr: 'Aucun métier ne correspond à tous ces filtres : retire-en un ci-dessous.',
    en: 'No job matches all these filters: remove one below.',
  },
  undecidedTitle: {
    fr: 'Pas d’idée précise ?',
    en: 'No clear idea yet?',
  },
  undecidedText: {
    fr: 'Le questionnaire t’aide à trouver des pistes.',
    en: 'The questionnaire helps you find some ideas.',
  },
  undecidedLink: {
    fr: 'Faire le questionnaire',
    en: 'Take the questionnaire',
  },
  taxonomyName: {
    fr: { rome: 'ROME', esco: 'ESCO' },
    en: { rome: 'ROME', esco: 'ESCO' },
  },
  taxonomyTitle: {
    fr: { rome: 'Fiche ROME (France Travail)', esco: 'Classification européenne ESCO' },
    en: { rome: 'ROME sheet (France Travail)', esco: 'European ESCO classification' },
  },
  back: {
    fr: 'Retour aux résultats',
    en: 'Back to results',
  },
  backSearch: {
    fr: 'Retour à la recherche',
    en: 'Back to search',
  },
  backProfile: {
    fr: 'Retour à mon profil',
    en: 'Back to my profile',
  },
  definition: {
    fr: 'Définition',
    en: 'Description',
  },
  access: {
    fr: 'Accès au métier',
    en: 'How to get there',
  },
  skillsEssential: {
    fr: 'Compétences essentielles',
    en: 'Essential skills',
  },
  equivalents: {
    fr: { esco: 'Équivalent européen (ESCO) : ', rome: 'Fiche ROME : ' },
    en: { esco: 'European equivalent (ESCO): ', rome: 'French equivalent (ROME): ' },
  },
  moreEquivalents: {
    fr: (n) => ` et ${n} autre${n > 1 ? 's' : ''}`,
    en: (n) => ` and ${n} more`,
  },
  skillsCovered: {
    fr: 'Ce que tu sais déjà faire',
    en: 'What you can already do',
  },
  skillsToLearn: {
    fr: 'Ce que tu apprendrais',
    en: 'What you would learn',
  },
  coverageHint: {
    fr: 'D’après les compétences et le texte de ton profil.',
    en: 'From the skills and the text of your profile.',
  },
  noneCovered: {
    fr: 'Aucune de ses compétences clés ne figure encore dans ton profil : tout est à découvrir !',
    en: 'None of its key skills is in your profile yet: everything to discover!',
  },
  onisepTitle: {
    fr: 'En savoir plus',
    en: 'Find out more',
  },
  onisepLink: {
    fr: 'Voir la fiche ONISEP',
    en: 'See the ONISEP page (French)',
  },
  onisepHint: {
    fr: 'Le site de l’ONISEP décrit les études et les formations qui mènent à ce métier.',
    en: 'ONISEP, the French guidance agency, describes the studies and training that lead to this job.',
  },
  skillsOptional: {
    fr: 'Compétences optionnelles',
    en: 'Optional skills',
  },
  showMore: {
    fr: (n) => `Voir ${n} de plus`,
    en: (n) => `Show ${n} more`,
  },
  riasec: {
    fr: 'Profil RIASEC',
    en: 'RIASEC profile',
  },
  riasecHint: {
    fr: 'Les grandes familles d’intérêts associées à ce métier.',
    en: 'The broad interest families linked to this job.',
  },
  riasecNames: {
    fr: {
      R: ['Réaliste', 'concret, manuel'], I: ['Investigateur', 'chercher, comprendre'],
      A: ['Artistique', 'créer, imaginer'], S: ['Social', 'aider, échanger'],
      E: ['Entreprenant', 'convaincre, diriger'], C: ['Conventionnel', 'organiser, être précis'],
    },
    en: {
      R: ['Realistic', 'hands-on, practical'], I: ['Investigative', 'explore, understand'],
      A: ['Artistic', 'create, imagine'], S: ['Social', 'help, connect'],
      E: ['Enterprising', 'persuade, lead'], C: ['Conventional', 'organise, be precise'],
    },
  },
  interests: {
    fr: 'Centres d’intérêt',
    en: 'Interests',
  },
  links: {
    fr: 'Dans l’autre référentiel',
    en: 'In the other classification',
  },
  relations: {
    fr: { exact: 'équivalent', close: 'proche', broad: 'plus général', narrow: 'plus précis' },
    en: { exact: 'equivalent', close: 'close', broad: 'broader', narrow: 'narrower' },
  },
  facetsTitle: {
    fr: 'Conditions de travail',
    en: 'Working conditions',
  },
  facetsHint: {
    fr: 'Où, quand et avec qui on exerce souvent ce métier.',
    en: 'Where, when and with whom this job is often done.',
  },
  entryLevelLabel: {
    fr: 'Niveau d’accès : ',
    en: 'Entry level: ',
  },
  entryLevel: {
    fr: {
      none: 'Accessible sans diplôme',
      cap: 'Accessible avec un CAP',
      bac: 'Accessible avec un bac ou un bac pro',
      bac2: 'Accessible avec un bac+2 (BTS, DUT)',
      bac3: 'Accessible avec un bac+3 (licence, BUT)',
      bac5: 'Accessible avec un bac+5 (master, école d’ingénieur)',
      doctorate: 'Accessible avec un doctorat ou un diplôme d’État (médecine, pharmacie)',
    },
    en: {
      none: 'Accessible without qualification',
      cap: 'Accessible with a CAP (vocational certificate)',
      bac: 'Accessible with the baccalauréat (end of secondary school)',
      bac2: 'Accessible with 2 years of higher education (BTS, DUT)',
      bac3: 'Accessible with a bachelor’s degree (licence, BUT)',
      bac5: 'Accessible with a master’s degree or an engineering school',
      doctorate: 'Accessible with a doctorate or a state degree (medicine, pharmacy)',
    },
  },
  related: {
    fr: 'Métiers proches',
    en: 'Related jobs',
  },
  kin: {
    fr: { broader: 'plus général', narrower: 'plus précis', mobility: 'évolution possible' },
    en: { broader: 'broader', narrower: 'more specific', mobility: 'possible next step' },
  },
  iscoGroup: {
    fr: 'Groupe CITP',
    en: 'ISCO group',
  },
  otherLang: {
    fr: 'En anglais : ',
    en: 'In French: ',
  },
  notFound: {
    fr: 'Cette fiche métier est introuvable.',
    en: 'This job sheet could not be found.',
  },
  noDescription: {
    fr: 'Pas encore de description pour ce métier.',
    en: 'No description for this job yet.',
  },
  profileTitle: {
    fr: 'Mon profil',
    en: 'My profile',
  },
  profileLead: {
    fr: 'Choisis tes centres d’intérêt et ce que tu sais (ou aimes) faire : on cherche les métiers qui collent.',
    en: 'Pick your interests and what you can (or like to) do: we’ll look for jobs that fit.',
  },
  interestsLegend: {
    fr: 'Mes centres d’intérêt',
    en: 'My interests',
  },
  interestsHint: {
    fr: 'Touche un centre d’intérêt pour le sélectionner.',
    en: 'Tap an interest to select it.',
  },
  interestsLoading: {
    fr: 'Chargement des centres d’intérêt…',
    en: 'Loading interests…',
  },
  interestsError: {
    fr: 'Impossible de charger les centres d’intérêt.',
    en: 'Could not load interests.',
  },
  skillsLabel: {
    fr: 'Ce que je sais faire',
    en: 'What I can do',
  },
  skillsPlaceholder: {
    fr: 'ex. cuisiner, programmer…',
    en: 'e.g. cooking, programming…',
  },
  skillsHint: {
    fr: 'Tape quelques lettres puis choisis avec ↑ ↓ et Entrée.',
    en: 'Type a few letters, then pick with ↑ ↓ and Enter.',
  },
  skillsChosen: {
    fr: 'Compétences choisies',
    en: 'Chosen skills',
  },
  suggestionsList: {
    fr: 'Suggestions',
    en: 'Suggestions',
  },
  noSkill: {
    fr: 'Aucune compétence trouvée',
    en: 'No skill found',
  },
  skillAdded: {
    fr: (l) => `Compétence ajoutée : ${l}`,
    en: (l) => `Skill added: ${l}`,
  },
  skillRemoved: {
    fr: (l) => `Compétence retirée : ${l}`,
    en: (l) => `Skill removed: ${l}`,
  },
  removeSkill: {
    fr: (l) => `Retirer ${l}`,
    en: (l) => `Remove ${l}`,
  },
  skillOptions: {
    fr: (n) => (n === 1 ? '1 suggestion' : `${n} suggestions`),
    en: (n) => (n === 1 ? '1 suggestion' : `${n} suggestions`),
  },
  freeLabel: {
    fr: 'Ce que j’aime (facultatif)',
    en: 'What I like (optional)',
  },
  freePlaceholder: {
    fr: 'ex. J’aime bricoler, être dehors et aider les gens.',
    en: 'e.g. I like fixing things, being outdoors and helping people.',
  },
  profileSubmit: {
    fr: 'Trouver mes métiers',
    en: 'Find my jobs',
  },
  profileReset: {
    fr: 'Tout effacer',
    en: 'Clear all',
  },
  profileEmpty: {
    fr: 'Choisis au moins un centre d’intérêt, une compétence, ou écris ce que tu aimes.',
    en: 'Pick at least one interest or skill, or write what you like.',
  },
  footer: {
    fr: 'Données : référentiels ROME (France Travail) et ESCO (Commission européenne). Les suggestions sont des pistes, pas des verdicts : parles-en autour de toi !',
    en: 'Data: ROME (France Travail) and ESCO (European Commission) classifications. Suggestions are ideas, not verdicts: talk about them with people around you!',
  },
  titleSearch: {
    fr: 'Boussole — trouve ton métier',
    en: 'Boussole — find your job',
  },
  titleProfile: {
    fr: 'Mon profil — Boussole',
    en: 'My profile — Boussole',
  },
  titleSelection: {
    fr: 'Ma sélection — Boussole',
    en: 'My shortlist — Boussole',
  },
  tabSelection: {
    fr: 'Ma sélection',
    en: 'My shortlist',
  },
  selectionCount: {
    fr: (n) => (n === 1 ? '1 métier' : `${n} métiers`),
    en: (n) => (n === 1 ? '1 job' : `${n} jobs`),
  },
  selectionTitle: {
    fr: 'Ma sélection',
    en: 'My shortlist',
  },
  selectionLead: {
    fr: 'Les métiers que tu as gardés. Ils restent sur cet appareil : partage le lien pour les retrouver ailleurs ou les montrer à quelqu’un.',
    en: 'The jobs you kept. They stay on this device: share the link to find them elsewhere or show them to someone.',
  },
  selectionEmpty: {
    fr: 'Ta sélection est vide pour l’instant.',
    en: 'Your shortlist is empty for now.',
  },
  selectionEmptyHint: {
    fr: 'Touche l’étoile d’un métier (dans les résultats ou sur sa fiche) pour le garder ici.',
    en: 'Tap the star of a job (in the results or on its page) to keep it here.',
  },
  selectionHeading: {
    fr: (n) => (n === 1 ? '1 métier gardé' : `${n} métiers gardés`),
    en: (n) => (n === 1 ? '1 job kept' : `${n} jobs kept`),
  },
  selectionLoading: {
    fr: 'Chargement de la sélection…',
    en: 'Loading the shortlist…',
  },
  selectionFull: {
    fr: (max) => `Ta sélection est pleine (${max} métiers) : retires-en un pour en garder un autre.`,
    en: (max) => `Your shortlist is full (${max} jobs): remove one to keep another.`,
  },
  sharedTitle: {
    fr: 'Sélection partagée',
    en: 'Shared shortlist',
  },
  sharedLead: {
    fr: 'Quelqu’un t’a envoyé ces métiers. Touche l’étoile pour garder ceux qui te plaisent.',
    en: 'Someone sent you these jobs. Tap the star to keep the ones you like.',
  },
  sharedHeading: {
    fr: (n) => (n === 1 ? '1 métier dans ce lien' : `${n} métiers dans ce lien`),
    en: (n) => (n === 1 ? '1 job in this link' : `${n} jobs in this link`),
  },
  sharedAddAll: {
    fr: 'Tout garder dans ma sélection',
    en: 'Keep them all in my shortlist',
  },
  sharedAdded: {
    fr: (n) => (n === 1 ? '1 métier ajouté à ta sélection' : `${n} métiers ajoutés à ta sélection`),
    en: (n) => (n === 1 ? '1 job added to your shortlist' : `${n} jobs added to your shortlist`),
  },
  sharedMine: {
    fr: 'Voir ma sélection',
    en: 'See my shortlist',
  },
  sharedEmpty: {
    fr: 'Ce lien ne contient aucun métier.',
    en: 'This link has no job in it.',
  },
  sharedTooMany: {
    fr: (max) => `Ce lien contient trop de métiers : seuls les ${max} premiers sont affichés.`,
    en: (max) => `This link has too many jobs: only the first ${max} are shown.`,
  },
  unknownTitle: {
    fr: (n) => (n === 1 ? 'Un métier de ce lien est introuvable' : `${n} métiers de ce lien sont introuvables`),
    en: (n) => (n === 1 ? 'One job of this link could not be found' : `${n} jobs of this link could not be found`),
  },
  unknownHint: {
    fr: 'Le lien est peut-être incomplet, ou ces fiches n’existent plus.',
    en: 'The link may be incomplete, or these job sheets no longer exist.',
  },
  unknownItem: {
    fr: 'Métier introuvable',
    en: 'Job not found',
  },
  shareTitle: {
    fr: 'Partager ma sélection',
    en: 'Share my shortlist',
  },
  shareHint: {
    fr: 'Ce lien ouvre ta sélection sur un autre téléphone ou ordinateur.',
    en: 'This link opens your shortlist on another phone or computer.',
  },
  shareLabel: {
    fr: 'Lien de ma sélection',
    en: 'Link to my shortlist',
  },
  copyLink: {
    fr: 'Copier le lien',
    en: 'Copy the link',
  },
  copied: {
    fr: 'Lien copié !',
    en: 'Link copied!',
  },
  copyFailed: {
    fr: 'Copie impossible : le lien est sélectionné, copie-le à la main.',
    en: 'Could not copy: the link is selected, copy it by hand.',
  },
  shareNative: {
    fr: 'Partager…',
    en: 'Share…',
  },
  shareText: {
    fr: 'Ma sélection de métiers sur Boussole',
    en: 'My shortlist of jobs on Boussole',
  },
  star: {
    fr: 'Garder dans ma sélection',
    en: 'Keep in my shortlist',
  },
  starLabel: {
    fr: (l) => `Garder « ${l} » dans ma sélection`,
    en: (l) => `Keep “${l}” in my shortlist`,
  },
  starAdded: {
    fr: (l) => `« ${l} » ajouté à ta sélection`,
    en: (l) => `“${l}” added to your shortlist`,
  },
  starRemoved: {
    fr: (l) => `« ${l} » retiré de ta sélection`,
    en: (l) => `“${l}” removed from your shortlist`,
  },
  remove: {
    fr: 'Retirer',
    en: 'Remove',
  },
  removeLabel: {
    fr: (l) => `Retirer « ${l} » de ma sélection`,
    en: (l) => `Remove “${l}” from my shortlist`,
  },
  backSelection: {
    fr: 'Retour à ma sélection',
    en: 'Back to my shortlist',
  },
  // "Je ne sais pas quoi chercher" (views/quiz.js)
  quizCta: {
    fr: 'Je ne sais pas quoi chercher',
    en: 'I don’t know what to look for',
  },
  quizCtaSub: {
    fr: 'Réponds à 18 petites questions (2 minutes) pour trouver des pistes.',
    en: 'Answer 18 short questions (2 minutes) to find some ideas.',
  },
  quizTitle: {
    fr: 'Je ne sais pas quoi chercher',
    en: 'I don’t know what to look for',
  },
  quizLead: {
    fr: 'Dis-nous ce que tu aimerais faire : on en déduit ton profil et des métiers à explorer.',
    en: 'Tell us what you would like to do: we work out your profile and jobs to explore.',
  },
  titleQuiz: {
    fr: 'Je ne sais pas quoi chercher — Boussole',
    en: 'I don’t know what to look for — Boussole',
  },
  backQuiz: {
    fr: 'Retour à mon profil d’intérêts',
    en: 'Back to my interest profile',
  },
  quizIntro: {
    fr: (n) => `${n} petites phrases sur des activités. Pour chacune, dis si ça te plairait.`,
    en: (n) => `${n} short sentences about activities. For each one, say whether you would enjoy it.`,
  },
  quizPoints: {
    fr: [
      'Environ 2 minutes. Il n’y a ni bonne ni mauvaise réponse.',
      'Tu peux revenir en arrière, passer une question ou t’arrêter quand tu veux.',
      'Tes réponses restent sur ton appareil.',
    ],
    en: [
      'About 2 minutes. There are no right or wrong answers.',
      'You can go back, skip a question or stop whenever you like.',
      'Your answers stay on your device.',
    ],
  },
  quizStart: {
    fr: 'Commencer',
    en: 'Start',
  },
  quizResume: {
    fr: (i, n) => `Reprendre (question ${i} sur ${n})`,
    en: (i, n) => `Resume (question ${i} of ${n})`,
  },
  quizRestart: {
    fr: 'Recommencer',
    en: 'Start again',
  },
  quizProgress: {
    fr: (i, n) => `Question ${i} sur ${n}`,
    en: (i, n) => `Question ${i} of ${n}`,
  },
  quizAsk: {
    fr: 'Ça te plairait de…',
    en: 'Would you enjoy…',
  },
  quizScale: {
    fr: ['Pas du tout', 'Un peu', 'Assez', 'Beaucoup'],
    en: ['Not at all', 'A little', 'Quite a lot', 'A lot'],
  },
  quizKeys: {
    fr: 'Choisis avec les flèches ou en touchant une réponse, puis « Suivant » (ou Entrée).',
    en: 'Choose with the arrow keys or by tapping an answer, then “Next” (or Enter).',
  },
  quizPrev: {
    fr: 'Précédent',
    en: 'Back',
  },
  quizNext: {
    fr: 'Suivant',
    en: 'Next',
  },
  quizFinish: {
    fr: 'Voir mon profil',
    en: 'See my profile',
  },
  quizStop: {
    fr: 'Arrêter et voir mes pistes',
    en: 'Stop and see my ideas',
  },
  quizItems: {
    fr: [
      'réparer ou fabriquer des objets avec tes mains ?',
      'comprendre comment fonctionnent le corps humain, la nature ou les machines ?',
      'dessiner, peindre, prendre des photos ou filmer ?',
      'aider des personnes qui ont un souci ou qui sont malades ?',
      'convaincre quelqu’un, négocier ou vendre ?',
      'ranger, classer et organiser des documents ou des fichiers ?',
      'travailler dehors, dans la nature ou sur un chantier ?',
      'faire des expériences, chercher, résoudre des énigmes ?',
      'écrire des histoires, faire de la musique ou du théâtre ?',
      'expliquer des choses, apprendre aux autres ?',
      'diriger une équipe et prendre des décisions ?',
      'suivre des règles précises et vérifier que tout est juste ?',
      'utiliser des outils, des machines ou conduire des engins ?',
      'analyser des chiffres ou des données pour trouver une explication ?',
      'imaginer et créer des choses nouvelles (décors, vêtements, jeux…) ?',
      'écouter les gens et les conseiller ?',
      'lancer un projet ou organiser un événement ?',
      'tenir un budget, faire des comptes ?',
    ],
    en: [
      'fixing or making things with your hands?',
      'understanding how the human body, nature or machines work?',
      'drawing, painting, taking photos or filming?',
      'helping people who have a problem or are ill?',
      'persuading someone, negotiating or selling?',
      'sorting, filing and organising documents or files?',
      'working outdoors, in nature or on a building site?',
      'doing experiments, investigating, solving puzzles?',
      'writing stories, making music or acting?',
      'explaining things, teaching others?',
      'leading a team and making decisions?',
      'following precise rules and checking everything is right?',
      'using tools, machines or driving vehicles?',
      'analysing figures or data to find an explanation?',
      'imagining and creating new things (sets, clothes, games…)?',
      'listening to people and giving them advice?',
      'starting a project or organising an event?',
      'keeping a budget, doing the accounts?',
    ],
  },
  quizProfileTitle: {
    fr: (names) => `Ton profil : ${names.length > 1 ? `${names.slice(0, -1).join(', ')} et ${names[names.length - 1]}` : names[0]}`,
    en: (names) => `Your profile: ${names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]}`,
  },
  quizExplain: {
    fr: {
      R: 'Tu aimes le concret : agir avec tes mains, utiliser des outils, voir le résultat de ton travail. On le retrouve dans l’artisanat, le bâtiment, la nature ou la mécanique.',
      I: 'Tu aimes comprendre : te poser des questions, chercher, observer, résoudre des problèmes. Les sciences, la santé ou l’informatique vont souvent dans ce sens.',
      A: 'Tu aimes créer et t’exprimer : imaginer, dessiner, écrire, jouer. C’est le quotidien des métiers de la création, du design ou du spectacle.',
      S: 'Tu aimes être avec les autres : aider, écouter, expliquer, prendre soin. On le retrouve dans le soin, l’éducation, l’animation ou l’accompagnement.',
      E: 'Tu aimes entraîner les autres : convaincre, décider, lancer des projets. Le commerce, la gestion d’une équipe ou la création d’entreprise vont dans ce sens.',
      C: 'Tu aimes quand c’est bien organisé : classer, vérifier, suivre une méthode. La gestion, la comptabilité, l’administration ou la logistique en ont besoin.',
    },
    en: {
      R: 'You like concrete things: working with your hands, using tools, seeing the result of your work. Crafts, building, nature and mechanics are often like that.',
      I: 'You like to understand: asking questions, investigating, observing, solving problems. Science, health and computing often go that way.',
      A: 'You like to create and express yourself: imagining, drawing, writing, performing. That is the daily life of jobs in creation, design or the arts.',
      S: 'You like being with people: helping, listening, explaining, caring. You find it in care, education, youth work and support jobs.',
      E: 'You like to lead others: persuading, deciding, starting projects. Sales, managing a team or starting a business go that way.',
      C: 'You like things well organised: sorting, checking, following a method. Management, accounting, administration and logistics need that.',
    },
  },
  quizVerdict: {
    fr: 'Ce sont des pistes, pas des verdicts : tes goûts peuvent changer, et un métier se découvre aussi en le voyant de près (stage, rencontre). Parles-en autour de toi !',
    en: 'These are ideas, not verdicts: your tastes can change, and you also discover a job by seeing it up close (an internship, a meeting). Talk about it with people around you!',
  },
  quizResults: {
    fr: (n) => (n === 1 ? '1 métier qui correspond à ton profil' : `${n} métiers qui correspondent à ton profil`),
    en: (n) => (n === 1 ? '1 job that fits your profile' : `${n} jobs that fit your profile`),
  },
  quizPartial: {
    fr: (k, n) => `Tu as répondu à ${k} question${k > 1 ? 's' : ''} sur ${n} : ces pistes sont moins précises.`,
    en: (k, n) => `You answered ${k} question${k > 1 ? 's' : ''} out of ${n}: these ideas are less precise.`,
  },
  quizContinue: {
    fr: 'Continuer le questionnaire',
    en: 'Continue the questionnaire',
  },
  quizRefine: {
    fr: 'Affiner avec mon profil',
    en: 'Refine with my profile',
  },
  quizNothingTitle: {
    fr: 'Rien ne t’a attiré pour l’instant',
    en: 'Nothing appealed to you yet',
  },
  quizNothing: {
    fr: 'Ce n’est pas grave ! Essaie la recherche libre, ou choisis des centres d’intérêt dans « Mon profil ».',
    en: 'That’s fine! Try the free search, or pick some interests in “My profile”.',
  },
};

/** The text for `key` in the current language (French when missing); functions are called with `args`. */
export function t(key, ...args) {
  const m = MESSAGES[key];
  const v = m && (m[getLang()] ?? m.fr);
  return typeof v === 'function' ? v(...args) : v;
}

/** Applies the current language to the static page: `lang`, and every `data-i18n*` element. */
export function applyI18n() {
  document.documentElement.lang = getLang();
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const v = t(el.dataset.i18n);
    if (typeof v === 'string') el.textContent = v;
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  for (const b of document.querySelectorAll('.lang-btn')) b.setAttribute('aria-pressed', b.dataset.lang === getLang() ? 'true' : 'false');
  const meta = document.querySelector('meta[name="description"]');
  if (meta) meta.content = t('searchLead');
}
