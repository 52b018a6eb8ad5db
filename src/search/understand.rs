//! Query understanding: turns what a young person types into what the ranking channels need.
//!
//! Steps, in order (each can be switched off for the evaluation's ablations, see
//! [`UnderstandConfig`]):
//! 1. split into clauses (punctuation, "mais", "but"…) and words, folded for matching while
//!    keeping each word's accented spelling for the embedding;
//! 2. texting spellings expanded from the SMS lexicon ("g envi" → "j ai envie");
//! 3. spelling correction against the vocabulary of every catalogue text (labels,
//!    définitions, accès, descriptions, skills, contexts, centres d'intérêt): a word the
//!    catalogue never uses is replaced by a catalogue word with the same French phonetic key
//!    ("electrissien" → "electricien", "mecanik" → "mecanique") or, failing that, the most
//!    frequent one within the typo budget;
//! 4. slang job names and school context from the lexicons: the phrase is rewritten into
//!    standard words and its ROME fiches become hints ("cuistot" → "cuisinier", G1602);
//! 5. negation and constraints: "pas de nuit", "mais pas à l'hôpital", "without…" take their
//!    words out of the positive text and become concepts to demote; "sans diplôme", "études
//!    courtes" ask for fiches reachable at CAP/bac level.

use std::collections::HashMap;

use super::lexical::{edit_distance, letter_mask, may_be_within};
use super::lexicon::Lexicons;
use crate::catalog::Catalogue;
use crate::text::{fold, is_query_stop_word, is_stop_word, normalize_word};

/// Which understanding steps run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnderstandConfig {
    /// Expand texting spellings.
    pub sms: bool,
    /// Correct words unknown to the catalogue.
    pub spelling: bool,
    /// Rewrite slang job names and use their fiches as hints.
    pub colloquial: bool,
    /// Rewrite school and diploma context and use its fiches as hints.
    pub school: bool,
    /// Detect negations and study-length constraints.
    pub negation: bool,
}

impl Default for UnderstandConfig {
    fn default() -> Self {
        UnderstandConfig { sms: true, spelling: true, colloquial: true, school: true, negation: true }
    }
}

impl UnderstandConfig {
    fn bits(self) -> u8 {
        u8::from(self.sms)
            | u8::from(self.spelling) << 1
            | u8::from(self.colloquial) << 2
            | u8::from(self.school) << 3
            | u8::from(self.negation) << 4
    }

    fn from_bits(b: u8) -> UnderstandConfig {
        UnderstandConfig {
            sms: b & 1 != 0,
            spelling: b & 2 != 0,
            colloquial: b & 4 != 0,
            school: b & 8 != 0,
            negation: b & 16 != 0,
        }
    }
}

/// Where a hint comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HintSource {
    /// A slang or short job name.
    Colloquial,
    /// A diploma, bac series or school subject.
    School,
}

/// A ROME fiche the query points to through a lexicon.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    /// ROME code.
    pub code: String,
    /// Weight in (0, 1]: the lexicon's first fiche weighs most.
    pub weight: f32,
    /// The phrase that led to it, as folded.
    pub phrase: String,
    /// Which lexicon.
    pub source: HintSource,
}

/// What the query says, ready for the channels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Understood {
    /// The text to embed: positive words only, rewritten and spelling-corrected.
    pub positive: String,
    /// The text to match lexically: as `positive`, but with words as typed where spelling
    /// correction changed them (the lexical index has its own typo tolerance, and a wrong
    /// correction must not hide the right match).
    pub lexical: String,
    /// Whether anything was rewritten or removed.
    pub rewritten: bool,
    /// Folded concepts the person rules out ("nuit", "hopital"), each as alternative folded
    /// phrases to look for in an occupation's texts.
    pub negated: Vec<NegatedConcept>,
    /// The person asks for short studies or has no diploma.
    pub short_studies: bool,
    /// ROME fiches pointed to by the lexicons.
    pub hints: Vec<Hint>,
    /// The query's clauses, each with its polarity: what facet detection embeds.
    pub clauses: Vec<Clause>,
    /// Every content word was negated ("je veux pas bosser le week-end"): `positive` kept them
    /// all for lack of anything else, but the query names no field.
    pub negated_only: bool,
    /// Facets, level and intent found in the clauses by meaning (filled by the engine, which
    /// embeds the clauses: see [`super::facets::FacetDetector`]).
    pub facets: super::facets::QueryFacets,
    /// The embedding of `positive`, when understanding already computed it (a one-clause
    /// query): the ranking reuses it instead of running the model again.
    pub vector: Option<std::sync::Arc<[f32]>>,
}

/// One clause of a query ("je veux bosser dehors", "mais pas le week-end").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Clause {
    /// The clause as written (after texting expansion and spelling correction).
    pub text: String,
    /// The clause without its negation words: what it is about, whichever the polarity.
    pub topic: String,
    /// Whether the clause rules its topic out ("pas", "sans", "can't stand", "scared of").
    pub negated: bool,
}

/// Something ruled out, with the phrases that reveal it in an occupation's texts.
#[derive(Debug, Clone, PartialEq)]
pub struct NegatedConcept {
    /// The words as typed (folded).
    pub said: String,
    /// Folded phrases whose presence in an occupation's labels, contexts or definition reveals
    /// the concept.
    pub reveals: Vec<String>,
}

/// Words that open a negated scope.
const NEGATION_TRIGGERS: &[&str] = &[
    "pas",
    "sans",
    "jamais",
    "aucun",
    "aucune",
    "ni",
    "not",
    "no",
    "without",
    "never",
    "except",
    "sauf",
    "hors",
    "dont",
    "deteste",
    "hate",
    "cannot",
    "cant",
    "wont",
    "nothing",
    "avoid",
    "eviter",
    "peur",
    "scared",
    "afraid",
    "allergique",
    "allergic",
    "horreur",
    "supporte",
    "stand",
];

/// Words that only carry a negation and say nothing about its topic.
const NEGATION_ONLY: &[&str] = &["ne", "n", "t", "can", "don", "won", "do", "does", "did", "i", "m", "of", "de", "d"];

/// Whether word `i` opens a negated scope: a trigger, or an English "n't" ("don t", "can t").
fn is_negation(ws: &[Word], i: usize) -> bool {
    let w = ws[i].folded.as_str();
    // "je sais pas" is not a negation of what follows.
    let after_sais = i > 0 && matches!(ws[i - 1].folded.as_str(), "sais" | "sait" | "jsp");
    // "stand" and "supporte" are aversions only when negated themselves ("can't stand", "je
    // supporte pas" already has "pas").
    let plain = NEGATION_TRIGGERS.contains(&w) && !matches!(w, "stand" | "supporte");
    let contraction = w.ends_with('n') && ws.get(i + 1).is_some_and(|n| n.folded == "t" && n.clause == ws[i].clause);
    (plain || contraction) && !after_sais
}

/// The clauses of a query: punctuation and clause words ("mais", "et", "but") split it.
fn clauses_of(ws: &[Word]) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut start = 0;
    for i in 0..=ws.len() {
        let ends = i == ws.len()
            || (i > start && (ws[i].clause != ws[i - 1].clause || CLAUSE_BREAKS.contains(&ws[i].folded.as_str())));
        if !ends {
            continue;
        }
        let part = &ws[start..i];
        let negated = (0..part.len()).any(|k| is_negation(part, k));
        let text = part.iter().map(|w| w.shown.as_str()).filter(|w| !CLAUSE_BREAKS.contains(w)).collect::<Vec<_>>();
        let topic: Vec<&str> = part
            .iter()
            .enumerate()
            .filter(|&(k, w)| {
                !CLAUSE_BREAKS.contains(&w.folded.as_str())
                    && !(negated
                        && (is_negation(part, k)
                            || NEGATION_ONLY.contains(&w.folded.as_str())
                            || NEGATION_TRIGGERS.contains(&w.folded.as_str())))
            })
            .map(|(_, w)| w.shown.as_str())
            .collect();
        if part.iter().any(|w| !is_stop_word(&w.folded) && !is_query_stop_word(&w.folded)) {
            let clause = Clause { text: text.join(" "), topic: topic.join(" "), negated };
            // "et", "ou" only part clauses of opposite polarity ("j'aime les animaux et je veux
            // pas bosser le week-end"); "Agent de sécurité et de surveillance" stays one.
            let joined = part.first().is_some_and(|w| JOINING.contains(&w.folded.as_str()))
                && part.first().map(|w| w.clause) == start.checked_sub(1).map(|p| ws[p].clause);
            match out.last_mut() {
                Some(last) if joined && last.negated == negated => {
                    last.text = format!("{} {}", last.text, clause.text);
                    last.topic = format!("{} {}", last.topic, clause.topic);
                }
                _ => out.push(clause),
            }
        }
        start = i;
    }
    out
}

/// Clause words that join rather than oppose.
const JOINING: &[&str] = &["et", "ou", "and", "or"];

/// Words that end a clause (a negation never reaches past them).
const CLAUSE_BREAKS: &[&str] =
    &["mais", "et", "ou", "car", "parce", "plutot", "but", "and", "or", "because", "rather", "instead"];

/// Content words a negated scope keeps at most.
const NEGATION_SCOPE: usize = 3;

/// Words that, negated or qualified, speak about study length, not a job.
const STUDY_WORDS: &[&str] = &[
    "etude",
    "etudes",
    "diplome",
    "diplomes",
    "ecole",
    "bac",
    "fac",
    "universite",
    "study",
    "studies",
    "studying",
    "degree",
    "school",
    "college",
    "university",
    "longue",
    "longues",
    "long",
];

/// Phrases asking for short studies or saying there is no diploma (folded).
const SHORT_STUDY_PHRASES: &[&str] = &[
    "etudes courtes",
    "courtes etudes",
    "etude courte",
    "peu d etudes",
    "peu d etude",
    "pas trop d etudes",
    "arrete l ecole",
    "arreter l ecole",
    "quitte l ecole",
    "quitter l ecole",
    "arrete les cours",
    "decroche",
    "decrocheur",
    "decrocheuse",
    "rapidement",
    "vite",
    "tout de suite",
    "short studies",
    "short training",
    "quickly",
    "no degree",
    "dropped out",
    "left school",
    "quit school",
    "apprentissage",
];

/// Negated words that name a working condition, with the phrases of ROME contextes de travail,
/// labels and définitions that reveal it (folded). Other negated words reveal themselves.
const CONCEPTS: &[(&[&str], &[&str])] = &[
    (
        &["hopital", "hopitaux", "hosto", "clinique", "hospital"],
        &["hopital", "hospitalier", "hospitaliere", "etablissement de sante", "clinique", "service hospitalier"],
    ),
    (&["nuit", "night", "nights"], &["travail de nuit", "nuit", "horaires decales", "travail poste"]),
    (&["week", "weekend", "weekends", "samedi", "dimanche"], &["week end", "samedi", "dimanche", "jours feries"]),
    (
        &["bureau", "ecran", "ordinateur", "ordi", "assis", "desk", "office", "screen", "computer"],
        &["station assise prolongee", "en bureau", "bureau d etudes", "informatique", "logiciel"],
    ),
    (&["dehors", "exterieur", "froid", "outside", "outdoors"], &["en exterieur", "exterieur"]),
    (
        &["deplacement", "deplacements", "voyager", "bouger", "travel", "travelling"],
        &["deplacements professionnels", "grand deplacement", "zone internationale"],
    ),
    (
        &["public", "client", "clients", "gens", "people", "customers"],
        &["en contact avec du public", "clientele", "accueil"],
    ),
    (
        &["sang", "blood", "piqure", "piqures"],
        &["soins infirmiers", "chirurgie", "prelevement", "bloc operatoire", "sang"],
    ),
    (&["chiffre", "chiffres", "maths", "math", "calcul", "numbers"], &["comptab", "finance", "statistique", "actuari"]),
    (&["horaires", "astreinte"], &["horaires decales", "astreinte", "travail poste"]),
];

/// A catalogue word with its frequency.
#[derive(Debug, Clone)]
struct VocabWord {
    word: String,
    count: u32,
}

/// The words of every catalogue text, for spelling correction.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    counts: HashMap<String, u32>,
    /// Phonetic key → most frequent word with that key.
    phonetic: HashMap<String, usize>,
    words: Vec<VocabWord>,
    /// Word ids by byte length, for typo scans.
    by_len: Vec<Vec<u32>>,
    /// `letter_mask` of each word (same order as `words`).
    masks: Vec<u64>,
}

impl Vocabulary {
    /// Collects the folded words of every text of `catalogue` plus `extra` words.
    pub fn of(catalogue: &Catalogue, extra: impl IntoIterator<Item = String>) -> Vocabulary {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut add = |text: &str| {
            for w in fold(text).split(' ').filter(|w| !w.is_empty()) {
                *counts.entry(w.to_string()).or_insert(0) += 1;
            }
        };
        for f in &catalogue.forms {
            add(&f.text);
        }
        for p in &catalogue.passages {
            add(&p.text);
        }
        for o in &catalogue.occupations {
            o.contexts.iter().for_each(|c| add(c));
        }
        for s in &catalogue.skills {
            s.label.fr.iter().chain(s.label.en.iter()).for_each(|l| add(l));
        }
        for i in &catalogue.interests {
            add(&i.label);
            i.definition.iter().for_each(|d| add(d));
        }
        for e in extra {
            add(&e);
        }
        let mut words: Vec<VocabWord> = counts.iter().map(|(w, &c)| VocabWord { word: w.clone(), count: c }).collect();
        words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
        let mut phonetic = HashMap::new();
        let mut by_len: Vec<Vec<u32>> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            phonetic.entry(phonetic_key(&w.word)).or_insert(i);
            let len = w.word.len();
            if by_len.len() <= len {
                by_len.resize(len + 1, Vec::new());
            }
            by_len[len].push(i as u32);
        }
        let masks = words.iter().map(|w| letter_mask(w.word.as_bytes())).collect();
        Vocabulary { counts, phonetic, words, by_len, masks }
    }

    /// Whether the catalogue uses this folded word.
    pub fn contains(&self, word: &str) -> bool {
        self.counts.contains_key(word)
    }

    /// Distinct words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The catalogue word a misspelt folded word most likely stands for.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let chars = word.chars().count();
        // Stop words and everyday query words ("trucs", "bosser") are never jobs misspelt.
        if chars < 4
            || self.contains(word)
            || is_query_stop_word(word)
            || word.chars().any(|c| c.is_ascii_digit())
            || !word.is_ascii()
        {
            return None;
        }
        // The closest spelling first (a typo: "parrk" → "park"), then the same sound
        // ("mecanik" → "mecanique", too far in letters).
        let phonetic = || self.phonetic.get(&phonetic_key(word)).map(|&i| self.words[i].word.as_str());
        if chars < 5 {
            return phonetic();
        }
        let budget = if chars >= 9 { 2 } else { 1 };
        let bytes = word.as_bytes();
        let mask = letter_mask(bytes);
        let mut best: Option<(usize, u32, usize)> = None;
        let lo = bytes.len().saturating_sub(budget);
        let hi = (bytes.len() + budget).min(self.by_len.len().saturating_sub(1));
        for len in lo..=hi {
            for &i in self.by_len.get(len).map(Vec::as_slice).unwrap_or(&[]) {
                let candidate = &self.words[i as usize];
                // A first-letter typo is rare; keeping the first letter also bounds the scan.
                if candidate.word.as_bytes().first() != bytes.first()
                    || !may_be_within(mask, self.masks[i as usize], budget)
                {
                    continue;
                }
                if let Some(d) = edit_distance(bytes, candidate.word.as_bytes(), budget) {
                    let better = match best {
                        None => true,
                        Some((bd, bc, _)) => d < bd || (d == bd && candidate.count > bc),
                    };
                    if better {
                        best = Some((d, candidate.count, i as usize));
                    }
                }
            }
        }
        best.map(|(_, _, i)| self.words[i].word.as_str()).or_else(phonetic)
    }
}

/// A French phonetic key of a folded word: spellings that sound alike share it
/// ("electrissien"/"electricien", "patissie"/"patissier", "mecanik"/"mecanique").
pub fn phonetic_key(word: &str) -> String {
    let w = word.as_bytes();
    let mut out = String::with_capacity(w.len());
    let at = |i: usize| w.get(i).copied().unwrap_or(b' ');
    let mut i = 0;
    while i < w.len() {
        let c = w[i];
        let next = at(i + 1);
        let (sound, step): (&str, usize) = match c {
            b'p' if next == b'h' => ("f", 2),
            b'q' if next == b'u' => ("k", 2),
            b'q' => ("k", 1),
            b'c' if next == b'h' => ("ch", 2),
            b'c' if matches!(next, b'e' | b'i' | b'y') => ("s", 1),
            b'c' if next == b'k' => ("k", 2),
            b'c' => ("k", 1),
            b'g' if matches!(next, b'e' | b'i' | b'y') => ("j", 1),
            b'g' if next == b'u' && matches!(at(i + 2), b'e' | b'i') => ("g", 2),
            b's' if next == b'c' && matches!(at(i + 2), b'e' | b'i') => ("s", 2),
            b't' if next == b'i' && at(i + 2) == b'o' && at(i + 3) == b'n' => ("s", 1),
            b'z' => ("s", 1),
            b'x' => ("ks", 1),
            b'w' => ("v", 1),
            b'y' => ("i", 1),
            b'h' => ("", 1),
            b'e' if next == b'a' && at(i + 2) == b'u' => ("o", 3),
            b'a' if next == b'u' => ("o", 2),
            b'a' if next == b'i' => ("e", 2),
            b'e' if next == b'i' => ("e", 2),
            b'o' if next == b'u' => ("u", 2),
            b'e' if matches!(next, b'n' | b'm')
                && !matches!(at(i + 2), b'a' | b'e' | b'i' | b'o' | b'u' | b'n' | b'm') =>
            {
                ("an", 2)
            }
            _ => (std::str::from_utf8(&w[i..i + 1]).unwrap_or(""), 1),
        };
        out.push_str(sound);
        i += step;
    }
    // Silent endings: "-er", "-ez", "-et", "-e", "-es", "-s", "-t", "-x", "-d".
    for ending in ["er", "ez", "et", "es", "e", "s", "t", "x", "d"] {
        if out.len() > ending.len() + 2 && out.ends_with(ending) {
            out.truncate(out.len() - ending.len());
            break;
        }
    }
    // Double letters sound single.
    let mut key = String::with_capacity(out.len());
    for c in out.chars() {
        if !key.ends_with(c) {
            key.push(c);
        }
    }
    key
}

/// One word of the query: folded for matching, accented (lower case) for the embedding.
#[derive(Debug, Clone, PartialEq)]
struct Word {
    folded: String,
    shown: String,
    clause: usize,
    /// The folded word as typed, when spelling correction replaced it.
    typed: Option<String>,
}

/// Splits text into words with their clause number; punctuation ends a clause.
fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut clause = 0;
    let mut current = String::new();
    let flush = |current: &mut String, clause: usize, out: &mut Vec<Word>| {
        if !current.is_empty() {
            let shown = current.to_lowercase();
            let folded = fold(&shown);
            // Folding never splits an alphanumeric run, so one word stays one word.
            if !folded.is_empty() {
                out.push(Word { folded, shown, clause, typed: None });
            }
            current.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            current.push(c);
        } else {
            flush(&mut current, clause, &mut out);
            if matches!(c, ',' | '.' | ';' | '!' | '?' | ':' | '(' | ')' | '\n') {
                clause += 1;
            }
        }
    }
    flush(&mut current, clause, &mut out);
    out
}

/// Query understanding over a catalogue's vocabulary and the lexicons.
pub struct Understander {
    vocabulary: Vocabulary,
    /// Folded words of the occupation titles: a lexicon phrase made only of them is ordinary
    /// job vocabulary ("maintenance", "commerce"), not slang, and is not rewritten.
    title_words: std::collections::HashSet<String>,
    lexicons: Lexicons,
    /// [`UnderstandConfig`] bits: switched by the evaluation's ablations on a shared engine.
    config: std::sync::atomic::AtomicU8,
    /// Words of the language: never spelling-corrected.
    known: Option<super::lexical::WordOracle>,
}

impl Understander {
    /// Builds the vocabulary of `catalogue` (plus every word of the lexicons, so slang keys are
    /// never "corrected" away).
    pub fn new(catalogue: &Catalogue, lexicons: Lexicons) -> Understander {
        let extra: Vec<String> = [&lexicons.sms, &lexicons.colloquial, &lexicons.school]
            .iter()
            .flat_map(|l| l.entries().iter().flat_map(|e| [e.from.clone(), e.to.clone()]))
            .chain(CONCEPTS.iter().flat_map(|(said, _)| said.iter().map(|s| s.to_string())))
            .chain(STUDY_WORDS.iter().map(|s| s.to_string()))
            .collect();
        let config = std::sync::atomic::AtomicU8::new(UnderstandConfig::default().bits());
        let title_words = catalogue
            .forms
            .iter()
            .flat_map(|f| fold(&f.text).split(' ').map(str::to_string).collect::<Vec<_>>())
            .collect();
        Understander { vocabulary: Vocabulary::of(catalogue, extra), title_words, lexicons, config, known: None }
    }

    /// Leaves the words `known` accepts uncorrected (real words the catalogue lacks).
    pub fn set_known_words(&mut self, known: Option<super::lexical::WordOracle>) {
        self.known = known;
    }

    /// Switches steps on or off.
    pub fn set_config(&self, config: UnderstandConfig) {
        self.config.store(config.bits(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The steps in force.
    pub fn config(&self) -> UnderstandConfig {
        UnderstandConfig::from_bits(self.config.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The catalogue vocabulary.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// Understands one query.
    pub fn understand(&self, text: &str) -> Understood {
        let cfg = self.config();
        let mut ws = words(text);
        let mut rewritten = false;

        if cfg.sms {
            rewritten |= self.expand(&mut ws, |lex| &lex.sms, None);
        }
        if cfg.spelling {
            for w in ws.iter_mut() {
                if let Some(fixed) = self.vocabulary.correct(&w.folded) {
                    if !self.lexicon_word(&w.folded) && !self.known.as_ref().is_some_and(|k| k(&w.folded)) {
                        w.typed = Some(std::mem::take(&mut w.folded));
                        w.folded = fixed.to_string();
                        w.shown = fixed.to_string();
                        rewritten = true;
                    }
                }
            }
        }
        let clauses = clauses_of(&ws);
        let mut negated = Vec::new();
        let mut short_studies = false;
        let mut keep = vec![true; ws.len()];
        if cfg.negation {
            let folded: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
            let joined = format!(" {} ", folded.join(" "));
            short_studies = SHORT_STUDY_PHRASES.iter().any(|p| joined.contains(&format!(" {p} ")));
            let mut i = 0;
            while i < ws.len() {
                if !is_negation(&ws, i) {
                    i += 1;
                    continue;
                }
                keep[i] = false;
                let mut scope = Vec::new();
                let mut j = i + 1;
                while j < ws.len() && ws[j].clause == ws[i].clause && !CLAUSE_BREAKS.contains(&ws[j].folded.as_str()) {
                    let w = ws[j].folded.as_str();
                    if !NEGATION_ONLY.contains(&w)
                        && !NEGATION_TRIGGERS.contains(&w)
                        && !is_query_stop_word(w)
                        && !matches!(w, "veux" | "aime" | "envie" | "want" | "like")
                    {
                        scope.push(j);
                        if scope.len() == NEGATION_SCOPE {
                            break;
                        }
                    }
                    j += 1;
                }
                let scope_words: Vec<&str> = scope.iter().map(|&k| ws[k].folded.as_str()).collect();
                if scope_words.iter().any(|w| STUDY_WORDS.contains(w)) {
                    short_studies = true;
                } else if !scope_words.is_empty() {
                    negated.push(concept_of(&scope_words));
                }
                for &k in &scope {
                    keep[k] = false;
                }
                for k in i + 1..j.min(ws.len()) {
                    let w = ws[k].folded.as_str();
                    // "can't stand": the aversion's own words go with it.
                    if is_stop_word(w)
                        || is_query_stop_word(w)
                        || NEGATION_ONLY.contains(&w)
                        || NEGATION_TRIGGERS.contains(&w)
                    {
                        keep[k] = false;
                    }
                }
                i = j.max(i + 1);
            }
            if short_studies {
                // Study-length words carry no job meaning once read.
                for (k, w) in ws.iter().enumerate() {
                    if STUDY_WORDS.contains(&w.folded.as_str())
                        || matches!(w.folded.as_str(), "courte" | "courtes" | "ans" | "annees")
                    {
                        keep[k] = false;
                    }
                }
            }
        }
        let removed = keep.iter().any(|k| !k);
        // Lexicons read the positive words only: "pas à l'hôpital" must not become a hint.
        let negated_only = removed && ws.iter().zip(&keep).all(|(w, k)| !*k || is_query_stop_word(&w.folded));
        let mut ws: Vec<Word> =
            if negated_only { ws } else { ws.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(w, _)| w).collect() };
        let mut hints = Vec::new();
        if cfg.colloquial {
            rewritten |= self.expand(&mut ws, |lex| &lex.colloquial, Some((HintSource::Colloquial, &mut hints)));
        }
        if cfg.school {
            rewritten |= self.expand(&mut ws, |lex| &lex.school, Some((HintSource::School, &mut hints)));
        }

        let kept: Vec<&str> = ws.iter().map(|w| w.shown.as_str()).collect();
        // When nothing positive is left ("pas de nuit") the words were kept above: they still
        // say the field.
        let positive = kept.join(" ");
        let positive = if rewritten || removed { positive } else { text.trim().to_string() };
        let lexical = if ws.iter().any(|w| w.typed.is_some()) {
            ws.iter().map(|w| w.typed.as_deref().unwrap_or(&w.shown)).collect::<Vec<_>>().join(" ")
        } else {
            positive.clone()
        };
        Understood {
            positive,
            lexical,
            rewritten: rewritten || removed,
            negated,
            short_studies,
            hints,
            clauses,
            negated_only,
            facets: Default::default(),
            vector: None,
        }
    }

    /// Whether a folded word is part of a lexicon key (slang is kept as typed for the lexicons).
    fn lexicon_word(&self, word: &str) -> bool {
        [&self.lexicons.sms, &self.lexicons.colloquial, &self.lexicons.school].iter().any(|l| l.contains(word))
    }

    /// Rewrites the phrases of one lexicon in place; records hints for lexicons with fiches.
    fn expand(
        &self,
        ws: &mut Vec<Word>,
        pick: impl Fn(&Lexicons) -> &super::lexicon::Lexicon,
        mut hints: Option<(HintSource, &mut Vec<Hint>)>,
    ) -> bool {
        let lexicon = pick(&self.lexicons);
        let folded: Vec<String> = ws.iter().map(|w| w.folded.clone()).collect();
        let matches = lexicon.find(&folded);
        if matches.is_empty() {
            return false;
        }
        let mut out = Vec::with_capacity(ws.len());
        let mut next = 0;
        let mut changed = false;
        for m in &matches {
            out.extend_from_slice(&ws[next..m.start]);
            let entry = lexicon.entry(m.entry);
            let clause = ws[m.start].clause;
            // Ordinary job vocabulary ("maintenance", "tourisme") already matches the titles:
            // rewriting it would turn "technicien de maintenance…" into another job. Only its
            // fiches are kept, as hints. Slang ("cuistot", "bac pro melec") is rewritten.
            let ordinary = hints.is_some() && entry.from.split(' ').all(|w| self.title_words.contains(w));
            let replacement: Vec<&str> =
                if entry.to.is_empty() || ordinary { Vec::new() } else { entry.to.split(' ').collect() };
            // A school phrase keeps its own words too ("bac pro commerce" still says commerce).
            let keep_original = ordinary || hints.as_ref().is_some_and(|(s, _)| *s == HintSource::School);
            if keep_original {
                out.extend_from_slice(&ws[m.start..m.start + m.len]);
            }
            if !keep_original {
                changed = true;
            }
            for r in replacement {
                if !(keep_original && ws[m.start..m.start + m.len].iter().any(|w| w.folded == r)) {
                    out.push(Word { folded: r.to_string(), shown: r.to_string(), clause, typed: None });
                    changed = true;
                }
            }
            if let Some((source, hints)) = hints.as_mut() {
                for (rank, code) in entry.rome.iter().enumerate() {
                    let weight = (1.0 - 0.08 * rank as f32).max(0.5);
                    hints.push(Hint { code: code.clone(), weight, phrase: entry.from.clone(), source: *source });
                }
            }
            next = m.start + m.len;
        }
        out.extend_from_slice(&ws[next..]);
        *ws = out;
        changed
    }
}

/// The concept behind negated words: a known working condition, or the words themselves.
fn concept_of(scope: &[&str]) -> NegatedConcept {
    let said = scope.join(" ");
    for (names, reveals) in CONCEPTS {
        if scope.iter().any(|w| names.contains(w) || names.contains(&normalize_word(w).as_str())) {
            return NegatedConcept { said, reveals: reveals.iter().map(|s| s.to_string()).collect() };
        }
    }
    NegatedConcept { said, reveals: scope.iter().map(|w| normalize_word(w)).collect() }
}

/// Whether an occupation's folded texts reveal a negated concept (a phrase occurs as words,
/// or as a word prefix for stems like "comptab").
pub fn reveals(folded_texts: &str, concept: &NegatedConcept) -> bool {
    concept.reveals.iter().any(|p| folded_texts.contains(&format!(" {p}")))
}

/// Occupation → its folded texts for negation checks: (labels, contexts and définition).
pub fn negation_texts(catalogue: &Catalogue) -> Vec<(String, String)> {
    let spaced = |texts: &mut dyn Iterator<Item = &String>| {
        let mut s = String::from(" ");
        for t in texts {
            s.push_str(&fold(t));
            s.push(' ');
        }
        s
    };
    let mut out: Vec<(String, String)> = catalogue
        .occupations
        .iter()
        .map(|o| (spaced(&mut o.label.fr.iter().chain(o.label.en.iter())), spaced(&mut o.contexts.iter())))
        .collect();
    for p in &catalogue.passages {
        if p.kind == crate::catalog::PassageKind::Definition || p.kind == crate::catalog::PassageKind::Description {
            let s = &mut out[p.occupation as usize].1;
            s.push_str(&fold(&p.text));
            s.push(' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{FormKind, Lang, SurfaceForm};
    use crate::search::lexicon::Lexicon;

    fn catalogue(words: &[&str]) -> Catalogue {
        let forms = words
            .iter()
            .map(|w| SurfaceForm { text: w.to_string(), kind: FormKind::Alt, lang: Lang::Fr, occupation: 0 })
            .collect();
        Catalogue { forms, ..Catalogue::default() }
    }

    fn lexicons() -> Lexicons {
        Lexicons {
            sms: Lexicon::parse("from\tto\ng\tj ai\nenvi\tenvie\nds\tdans\nbcp\tbeaucoup\n"),
            colloquial: Lexicon::parse("from\tto\trome\ncuistot\tcuisinier\tG1602\n"),
            school: Lexicon::parse("from\tto\trome\nbac pro melec\telectricite\tF1602,I1309\n"),
        }
    }

    #[test]
    fn phonetic_keys_join_sound_alike_spellings() {
        assert_eq!(phonetic_key("electrissien"), phonetic_key("electricien"));
        assert_eq!(phonetic_key("patissie"), phonetic_key("patissier"));
        assert_eq!(phonetic_key("menuisie"), phonetic_key("menuisier"));
        assert_eq!(phonetic_key("mecanik"), phonetic_key("mecanique"));
        assert_eq!(phonetic_key("fotographe"), phonetic_key("photographe"));
        assert_ne!(phonetic_key("boulanger"), phonetic_key("plombier"));
    }

    #[test]
    fn corrects_unknown_words_against_the_catalogue() {
        let c = catalogue(&["Électricien", "Pâtissier", "Plombier", "Mécanique automobile", "aviation civile"]);
        let u = Understander::new(&c, lexicons());
        assert_eq!(u.vocabulary().correct("electrissien"), Some("electricien"));
        assert_eq!(u.vocabulary().correct("plombiet"), Some("plombier"));
        assert_eq!(u.vocabulary().correct("plombier"), None, "known words stay");
        assert_eq!(u.vocabulary().correct("zzzzzz"), None);
        let q = u.understand("g envi de bosser ds l'aviassion");
        assert_eq!(q.positive, "j ai envie de bosser dans l aviation");
        assert_eq!(q.lexical, "j ai envie de bosser dans l aviassion", "lexical matching keeps the typed word");
        assert!(q.rewritten);
        // Untouched queries keep their exact text (accents, case) for the embedding.
        let q = u.understand("Électricien");
        assert_eq!(q.positive, "Électricien");
        assert!(!q.rewritten);
    }

    #[test]
    fn slang_and_school_phrases_become_hints() {
        let u = Understander::new(&catalogue(&["cuisinier"]), lexicons());
        let q = u.understand("cuistot");
        assert_eq!(q.positive, "cuisinier");
        assert_eq!(q.hints[0].code, "G1602");
        assert_eq!(q.hints[0].source, HintSource::Colloquial);
        let q = u.understand("je suis en bac pro MELEC");
        assert!(q.positive.contains("electricite") && q.positive.contains("melec"), "{}", q.positive);
        assert_eq!(q.hints.iter().map(|h| h.code.as_str()).collect::<Vec<_>>(), vec!["F1602", "I1309"]);
        assert!(q.hints[0].weight > q.hints[1].weight);
    }

    #[test]
    fn negations_leave_the_positive_text_and_become_concepts() {
        let u = Understander::new(&catalogue(&["infirmier", "hopital", "restauration"]), lexicons());
        let q = u.understand("infirmier mais pas à l'hôpital");
        assert_eq!(q.positive, "infirmier mais");
        assert_eq!(q.negated.len(), 1);
        assert!(q.negated[0].reveals.iter().any(|r| r == "hospitalier"));
        let q = u.understand("la restauration, pas de nuit");
        assert!(q.positive.contains("restauration") && !q.positive.contains("nuit"));
        assert!(q.negated[0].reveals.iter().any(|r| r == "travail de nuit"));
        let q = u.understand("dans la santé mais sans faire 10 ans d'études");
        assert!(q.short_studies);
        assert!(q.negated.is_empty());
        assert!(!q.positive.contains("etudes") && q.positive.contains("santé"), "{}", q.positive);
        assert!(u.understand("je veux bosser vite, sans diplôme").short_studies);
        // "je sais pas" negates nothing.
        assert!(u.understand("je sais pas quoi faire").negated.is_empty());
        // A query that is only a negation keeps its words for the field.
        assert!(!u.understand("pas de nuit").positive.is_empty());
        let texts = " infirmier travail de nuit etablissement de sante ";
        assert!(reveals(texts, &u.understand("pas de nuit").negated[0]));
    }

    #[test]
    fn clauses_carry_their_polarity_and_topic_in_both_languages() {
        let u = Understander::new(&catalogue(&["animaux", "animals", "blood"]), lexicons());
        let q = u.understand("I like animals but I can't stand blood");
        assert_eq!(q.clauses.len(), 2, "{:?}", q.clauses);
        assert!(!q.clauses[0].negated);
        assert!(q.clauses[1].negated);
        assert_eq!(q.clauses[1].topic, "blood");
        assert!(!q.positive.contains("blood"), "the ruled-out word leaves the embedded text: {}", q.positive);
        assert!(!q.positive.contains("stand"), "so do the aversion's own words: {}", q.positive);
        assert!(q.negated.iter().any(|c| c.said == "blood"));
        let q = u.understand("j'aime les animaux, je veux pas bosser le week-end");
        assert_eq!(q.clauses.len(), 2);
        assert!(q.clauses[1].negated && q.clauses[1].topic.contains("week"), "{:?}", q.clauses);
        let q = u.understand("I'm scared of heights");
        assert!(q.clauses[0].negated && q.clauses[0].topic == "heights", "{:?}", q.clauses);
        // "je sais pas" is no negation: an undecided person's clause keeps its polarity.
        assert!(!u.understand("je sais pas quoi faire").clauses[0].negated);
        // "et" joins clauses of one polarity and parts opposite ones.
        assert_eq!(u.understand("agent de sécurité et de surveillance").clauses.len(), 1);
        assert_eq!(u.understand("j'aime les animaux et je veux pas bosser le week-end").clauses.len(), 2);
        // Only a negation: nothing names a field.
        assert!(u.understand("je veux pas bosser le week-end").negated_only);
        assert!(!u.understand("cuisinier mais pas le week-end").negated_only);
    }

    #[test]
    fn words_of_the_language_are_not_corrected() {
        let c = catalogue(&["filing clerk", "plombier"]);
        let mut u = Understander::new(&c, lexicons());
        assert_eq!(u.understand("fixing things").positive, "filing things", "without an oracle, a near word is taken");
        u.set_known_words(Some(std::sync::Arc::new(|w: &str| w == "fixing")));
        assert_eq!(u.understand("fixing things").positive, "fixing things");
        assert_eq!(u.understand("plombiet").positive, "plombier", "a real typo is still corrected");
    }
}
