//! Lexical index over the surface forms: folded, gender-normalised, lightly stemmed words with
//! typo tolerance, so that "boulangere", "Boulangère" and "boulangé" find "Boulanger / Boulangère"
//! even where the dense embedding stumbles.
//!
//! Analysis of a text (labels and queries alike) is [`crate::text`]'s:
//! 1. [`fold`]: lower case, accents stripped, ligatures expanded, punctuation → spaces
//!    ("d'engins" → "d engins", "Œnologue" → "oenologue");
//! 2. [`words`], without stop words ([`is_stop_word`]: French and English articles,
//!    prepositions, pronouns; in queries also [`is_query_stop_word`]);
//! 3. [`normalize_word`]: plural stripped, French feminine → masculine ("boulangère" →
//!    "boulanger", "coiffeuse" → "coiffeur", "directrice" → "directeur", "infirmière" →
//!    "infirmier", "technicienne" → "technicien", "sportive" → "sportif", "avocate" →
//!    "avocat"), light English stemming ("engineering" → "engineer", "nurse"/"nurses" → "nurs").
//!
//! Matching a query word against the vocabulary (every distinct normalised word of the forms):
//! - exact: similarity 1;
//! - typo: optimal-string-alignment edit distance within a budget that grows with the word's
//!   length, as Meilisearch and Typesense do ([`typo_budget`]: 0 under 5 characters, 1 for 5–8,
//!   2 from 9); similarity `1 − 0.2 × distance`;
//! - prefix: a query word of 4+ characters that starts a longer word ("kine" →
//!   "kinesitherapeute", "immo" → "immobilier"); similarity 0.7.
//!
//! A form's score is Σ over query words of `similarity × min(idf(matched word), idf(closest
//! match))`, divided by the best
//! score the query could reach (so it lies in [0, 1] and reads as "weighted share of the query
//! found"), times `0.8 + 0.2 × share of the form's words matched` so that "Boulanger" beats
//! "Boulanger industriel" for "boulanger".

use std::collections::HashMap;

use crate::catalog::SurfaceForm;
use crate::text::{fold, is_query_stop_word, is_stop_word, normalize_word, words};

/// Typos allowed in a query word of `chars` characters: 0 under 5, 1 for 5–8, 2 from 9.
pub fn typo_budget(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `None`
/// when it exceeds `max`.
pub fn edit_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    // Three DP rows; on the stack for the word lengths queries have.
    let mut stack = [0usize; 3 * 64];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if 3 * (n + 1) <= stack.len() {
        &mut stack[..3 * (n + 1)]
    } else {
        heap.resize(3 * (n + 1), 0);
        &mut heap
    };
    let (mut prev2, rest) = rows.split_at_mut(n + 1);
    let (mut prev, mut cur) = rest.split_at_mut(n + 1);
    prev.iter_mut().enumerate().for_each(|(j, v)| *v = j);
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[n] <= max).then_some(prev[n])
}

/// The set of byte values of a word, folded into 64 bits.
///
/// One edit changes the set by at most two members, so two words whose masks differ in
/// more than `2·max` bits are more than `max` edits apart: a test that skips most of a
/// vocabulary before [`edit_distance`] runs. (Bytes sharing a bit can only hide
/// differences, never invent them, so the test never skips a real match.)
pub fn letter_mask(word: &[u8]) -> u64 {
    word.iter().fold(0u64, |m, &b| m | 1u64 << (b % 64))
}

/// Whether words with these [`letter_mask`]s may be within `max` edits.
#[inline]
pub fn may_be_within(a: u64, b: u64, max: usize) -> bool {
    (a ^ b).count_ones() as usize <= 2 * max
}

/// Distinct words of a query the lexical channel reads (the rest are ignored).
pub const MAX_QUERY_WORDS: usize = 32;

/// Longest token read as an acronym when written in capitals.
const MAX_ACRONYM: usize = 5;
/// Distinct content words from which a query reads as a sentence.
const SENTENCE_WORDS: usize = 3;
/// Weight of a match on an acronym inside a sentence.
const ACRONYM_IN_SENTENCE: f32 = 0.2;

/// Similarity of a prefix match.
const PREFIX_SIM: f32 = 0.7;
/// Similarity lost per typo.
const TYPO_PENALTY: f32 = 0.2;
/// Shortest query word matched as a prefix.
const MIN_PREFIX: usize = 4;
/// Part of a form's score that depends on how much of the form the query covers.
const FORM_COVERAGE_WEIGHT: f32 = 0.2;

/// One form matched lexically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LexicalHit {
    /// Index into the catalogue's forms.
    pub form: u32,
    /// Score in [0, 1].
    pub score: f32,
    /// Share of the form's own words that the query matched.
    pub coverage: f32,
}

/// Lexical features, all on by default; switched off one at a time by the evaluation's
/// ablations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexicalConfig {
    /// Typo tolerance ([`typo_budget`]).
    pub typos: bool,
    /// Prefix matching of query words of 4+ characters.
    pub prefix: bool,
    /// Gender normalisation and light stemming ([`normalize_word`]).
    pub normalize: bool,
}

impl Default for LexicalConfig {
    fn default() -> Self {
        LexicalConfig { typos: true, prefix: true, normalize: true }
    }
}

impl LexicalConfig {
    fn word(&self, raw: &str) -> String {
        if self.normalize {
            normalize_word(raw)
        } else {
            raw.to_string()
        }
    }
}

/// Tells whether a folded query word is a real word of some language (the model's tokenizer
/// has it whole): such a word is never read as a misspelling of another one ("fixing" is not
/// "filing").
pub type WordOracle = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Inverted index from normalised words to the forms that contain them.
pub struct LexicalIndex {
    /// Valid words, matched exactly or as prefixes but never with typos.
    known: Option<WordOracle>,
    /// Features in use.
    config: LexicalConfig,
    /// Word → term id.
    vocab: HashMap<String, u32>,
    /// Term id → word.
    terms: Vec<String>,
    /// Term id → forms containing it (ascending, distinct).
    postings: Vec<Vec<u32>>,
    /// Term id → inverse document frequency.
    idf: Vec<f32>,
    /// Form → number of distinct normalised words (0 for forms not indexed).
    form_words: Vec<u16>,
    /// Distinct folded (not normalised) words and the term each normalises to: typos and
    /// prefixes are matched on these, so "plombie" is one typo from "plombier".
    raw: Vec<(String, u32)>,
    /// Raw word ids grouped by byte length, for typo and prefix scans.
    by_len: Vec<Vec<u32>>,
    /// [`letter_mask`] of each `raw` word.
    masks: Vec<u64>,
    /// Bound used for a query word found nowhere (half the idf of a word in one form).
    unknown_idf: f32,
    /// Term id → whether the titles only ever write it as an acronym ("END", "CAP", "BTP").
    acronym: Vec<bool>,
}

impl LexicalIndex {
    /// Indexes every form.
    pub fn new(forms: &[SurfaceForm]) -> LexicalIndex {
        LexicalIndex::with_filter(forms, |_| true)
    }

    /// Indexes the forms for which `keep(form index)` holds (the others never match).
    pub fn with_filter(forms: &[SurfaceForm], keep: impl Fn(usize) -> bool) -> LexicalIndex {
        LexicalIndex::with_config(forms, keep, LexicalConfig::default())
    }

    /// Indexes the kept forms with the given features.
    pub fn with_config(forms: &[SurfaceForm], keep: impl Fn(usize) -> bool, config: LexicalConfig) -> LexicalIndex {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut terms: Vec<String> = Vec::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut form_words = vec![0u16; forms.len()];
        // Identical texts are analysed once.
        let mut cache: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut raw_ids: HashMap<String, u32> = HashMap::new();
        // Terms seen written in capitals ("CND END", "ATSEM") and terms seen in lower case.
        let mut capitals: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut lower: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut indexed = 0usize;
        for (i, form) in forms.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            indexed += 1;
            if !cache.contains_key(form.text.as_str()) {
                for token in form.text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()) {
                    let acronym = token.chars().count() <= MAX_ACRONYM && token.chars().all(|c| c.is_uppercase());
                    let set = if acronym && token.chars().count() >= 2 { &mut capitals } else { &mut lower };
                    set.insert(config.word(&fold(token)));
                }
            }
            let ids = cache.entry(form.text.as_str()).or_insert_with(|| {
                let mut ids: Vec<u32> = words(&fold(&form.text))
                    .filter(|w| !is_stop_word(w))
                    .map(|raw| {
                        let id = *vocab.entry(config.word(raw)).or_insert_with_key(|w| {
                            terms.push(w.clone());
                            postings.push(Vec::new());
                            (terms.len() - 1) as u32
                        });
                        raw_ids.entry(raw.to_string()).or_insert(id);
                        id
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            });
            form_words[i] = ids.len().min(u16::MAX as usize) as u16;
            for &t in ids.iter() {
                postings[t as usize].push(i as u32);
            }
        }
        let n = indexed.max(1) as f32;
        let idf = postings.iter().map(|p| (1.0 + (n - p.len() as f32 + 0.5) / (p.len() as f32 + 0.5)).ln()).collect();
        let mut raw: Vec<(String, u32)> = raw_ids.into_iter().collect();
        raw.sort();
        let mut by_len: Vec<Vec<u32>> = Vec::new();
        for (id, (w, _)) in raw.iter().enumerate() {
            if by_len.len() <= w.len() {
                by_len.resize(w.len() + 1, Vec::new());
            }
            by_len[w.len()].push(id as u32);
        }
        let unknown_idf = 0.5 * (1.0 + (n - 0.5) / 1.5).ln();
        let masks = raw.iter().map(|(w, _)| letter_mask(w.as_bytes())).collect();
        let acronym = terms.iter().map(|t| capitals.contains(t) && !lower.contains(t)).collect();
        LexicalIndex {
            known: None,
            config,
            vocab,
            terms,
            postings,
            idf,
            form_words,
            raw,
            by_len,
            masks,
            unknown_idf,
            acronym,
        }
    }

    /// The same index, never reading a word `known` accepts as a typo.
    pub fn with_known_words(mut self, known: Option<WordOracle>) -> LexicalIndex {
        self.known = known;
        self
    }

    /// Whether the titles only ever write this folded word in capitals, as an acronym.
    pub fn is_acronym(&self, word: &str) -> bool {
        self.vocab.get(&self.config.word(word)).is_some_and(|&t| self.acronym[t as usize])
    }

    /// Distinct normalised words.
    pub fn vocabulary_len(&self) -> usize {
        self.terms.len()
    }

    /// Vocabulary terms matching one query word (`raw` folded, `word` normalised), with their
    /// similarity (best per term).
    fn expand(&self, raw: &str, word: &str, sentence: bool) -> Vec<(u32, f32)> {
        let mut out: HashMap<u32, f32> = HashMap::new();
        if let Some(&t) = self.vocab.get(word) {
            out.insert(t, 1.0);
        }
        let mut keep = |t: u32, sim: f32| {
            let e = out.entry(t).or_insert(0.0);
            *e = e.max(sim);
        };
        // A word of the language that the titles lack is not a typo of a title word.
        let valid = self.known.as_ref().is_some_and(|k| !self.vocab.contains_key(word) && k(raw));
        let budget = if self.config.typos && !valid { typo_budget(raw.chars().count()) } else { 0 };
        let bytes = raw.as_bytes();
        if budget > 0 {
            let mask = letter_mask(bytes);
            let lo = bytes.len().saturating_sub(budget);
            let hi = (bytes.len() + budget).min(self.by_len.len().saturating_sub(1));
            for len in lo..=hi {
                for &r in &self.by_len[len] {
                    if !may_be_within(mask, self.masks[r as usize], budget) {
                        continue;
                    }
                    let (candidate, t) = &self.raw[r as usize];
                    // An acronym is never the misspelling of a word, nor a word's misspelling.
                    if self.acronym[*t as usize] {
                        continue;
                    }
                    if let Some(d) = edit_distance(bytes, candidate.as_bytes(), budget) {
                        keep(*t, 1.0 - TYPO_PENALTY * d as f32);
                    }
                }
            }
        }
        // In a sentence, a real word means itself: "cordon" is not the start of "cordonnier".
        if self.config.prefix && bytes.len() >= MIN_PREFIX && !(valid && sentence) {
            // `raw` is sorted, so the words extending `raw` form one run.
            let start = self.raw.partition_point(|(w, _)| w.as_bytes() < bytes);
            for (candidate, t) in self.raw[start..].iter().take_while(|(w, _)| w.as_bytes().starts_with(bytes)) {
                if candidate.len() > bytes.len() && !self.acronym[*t as usize] {
                    keep(*t, PREFIX_SIM);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Forms matching `query`, best first, at most `limit`; `keep(form)` filters them.
    pub fn search(&self, query: &str, limit: usize, keep: &dyn Fn(u32) -> bool) -> Vec<LexicalHit> {
        let folded = fold(query);
        // Distinct words only, and at most MAX_QUERY_WORDS of them: a repeated word adds
        // nothing to a ranking, and each word costs a vocabulary scan (bounded cost for any
        // input, e.g. "tech tech … tech" or 2,000 one-letter words).
        let mut seen = std::collections::HashSet::new();
        let query_words: Vec<(&str, String)> = words(&folded)
            .filter(|w| !is_query_stop_word(w) && seen.insert(*w))
            .take(MAX_QUERY_WORDS)
            .map(|w| (w, self.config.word(w)))
            .collect();
        if query_words.is_empty() {
            return Vec::new();
        }
        // Per form: the sum over query words of each word's best weight (sparse: only forms
        // some word reaches), and how many query words it matched.
        let mut contributions: HashMap<u32, f32> = HashMap::new();
        let mut matched_words: HashMap<u32, u16> = HashMap::new();
        let mut max_total = 0.0f32;
        let sentence = query_words.len() >= SENTENCE_WORDS;
        for (raw, word) in &query_words {
            let expanded = self.expand(raw, word, sentence);
            // The word's weight is the idf of its closest match (the rarest among equally close
            // ones): a fuzzy or prefix match to a rarer word must not outweigh the closer match
            // ("boulangé" → boulanger before boulangerie).
            let best_sim = expanded.iter().map(|&(_, s)| s).fold(0.0f32, f32::max);
            let anchor_idf = expanded
                .iter()
                .filter(|&&(_, s)| s >= best_sim)
                .map(|&(t, _)| self.idf[t as usize])
                .fold(0.0f32, f32::max);
            // In a sentence, a word that happens to spell a title's acronym ("week-end" → END)
            // is a fragment, not a name: it weighs little against the meaning of the rest.
            let weight = |t: u32, sim: f32| {
                let fragment = if sentence && self.acronym[t as usize] { ACRONYM_IN_SENTENCE } else { 1.0 };
                fragment * sim * self.idf[t as usize].min(anchor_idf)
            };
            let best = expanded.iter().map(|&(t, s)| weight(t, s)).fold(0.0f32, f32::max);
            // A word found nowhere still counts in the bound, at a typical idf, so that
            // "boulanger zzz" scores below "boulanger".
            max_total += if best > 0.0 { best } else { self.unknown_idf };
            let mut per_form: HashMap<u32, f32> = HashMap::new();
            for &(t, sim) in &expanded {
                let w = weight(t, sim);
                for &f in &self.postings[t as usize] {
                    if !keep(f) {
                        continue;
                    }
                    let e = per_form.entry(f).or_insert(0.0);
                    *e = e.max(w);
                }
            }
            for (f, w) in per_form {
                *contributions.entry(f).or_insert(0.0) += w;
                *matched_words.entry(f).or_insert(0) += 1;
            }
        }
        if max_total <= 0.0 {
            return Vec::new();
        }
        let mut hits: Vec<LexicalHit> = contributions
            .into_iter()
            .map(|(f, sum)| {
                let share = sum / max_total;
                let form_words = self.form_words[f as usize].max(1) as f32;
                let covered = (matched_words[&f] as f32 / form_words).min(1.0);
                LexicalHit {
                    form: f,
                    score: share.min(1.0) * (1.0 - FORM_COVERAGE_WEIGHT + FORM_COVERAGE_WEIGHT * covered),
                    coverage: covered,
                }
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.form.cmp(&b.form)));
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{FormKind, Lang};

    fn form(text: &str, occupation: u32) -> SurfaceForm {
        SurfaceForm { text: text.into(), kind: FormKind::Alt, lang: Lang::Fr, occupation }
    }

    #[test]
    fn an_acronym_is_a_name_alone_and_a_fragment_in_a_sentence() {
        let forms =
            vec![form("Ingénieur CND END", 0), form("Vendeur en boulangerie", 1), form("Front end developer", 2)];
        let index = LexicalIndex::new(&forms);
        // "end" is also an ordinary word of a title: not an acronym.
        assert!(index.search("end", 10, &|_| true).iter().any(|h| h.form == 2));
        let forms = vec![form("Ingénieur CND END", 0), form("Vendeur en boulangerie", 1)];
        let index = LexicalIndex::new(&forms);
        let alone = index.search("cnd", 10, &|_| true);
        assert_eq!(alone[0].form, 0, "typed alone, an acronym names its title");
        let sentence = index.search("le cnd de la boulangerie du quartier", 10, &|_| true);
        assert_eq!(sentence[0].form, 1, "in a sentence, the acronym weighs less than real words: {sentence:?}");
        let index = LexicalIndex::new(&[form("ATSEM", 0), form("Vendeur", 1)]);
        assert!(!index.search("atsem", 10, &|_| true).is_empty());
        assert!(index.search("atsen", 10, &|_| true).is_empty(), "an acronym is never matched with a typo");
    }

    #[test]
    fn words_of_the_language_are_never_read_as_typos() {
        let forms = vec![form("filing clerk", 0), form("plombier", 1)];
        let plain = LexicalIndex::new(&forms);
        assert_eq!(plain.search("fixing", 10, &|_| true).len(), 1, "without an oracle, fixing is one typo from filing");
        let known: WordOracle = std::sync::Arc::new(|w: &str| w == "fixing");
        let guarded = LexicalIndex::new(&forms).with_known_words(Some(known));
        assert!(guarded.search("fixing", 10, &|_| true).is_empty());
        assert_eq!(guarded.search("plombiet", 10, &|_| true)[0].form, 1, "real typos still match");
    }

    #[test]
    fn typo_budget_scales_with_word_length() {
        assert_eq!(typo_budget(1), 0);
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(8), 1);
        assert_eq!(typo_budget(9), 2);
        assert_eq!(typo_budget(20), 2);
    }

    #[test]
    fn edit_distance_counts_transpositions_and_respects_the_bound() {
        assert_eq!(edit_distance(b"plombier", b"plombier", 1), Some(0));
        assert_eq!(edit_distance(b"plombie", b"plombier", 1), Some(1));
        assert_eq!(edit_distance(b"plmobier", b"plombier", 1), Some(1));
        assert_eq!(edit_distance(b"devloppeur", b"developpeur", 2), Some(1));
        assert_eq!(edit_distance(b"abcdef", b"azcdxf", 1), None);
        assert_eq!(edit_distance(b"abc", b"abcdef", 2), None);
        let long = vec![b'a'; 100];
        assert_eq!(edit_distance(&long, &long[..99], 1), Some(1));
    }

    /// The mask test never rejects a pair within the budget (checked on every pair of
    /// a word list and its single and double edits).
    #[test]
    fn letter_masks_never_reject_a_close_word() {
        let words = [
            "plombier",
            "plmobier",
            "plombiers",
            "lombier",
            "developpeur",
            "devloppeur",
            "dévelopeur",
            "aaa",
            "zzz",
            "électricien",
            "electrissien",
        ];
        for a in words {
            for b in words {
                for max in 0..=2 {
                    if edit_distance(a.as_bytes(), b.as_bytes(), max).is_some() {
                        assert!(
                            may_be_within(letter_mask(a.as_bytes()), letter_mask(b.as_bytes()), max),
                            "{a} {b} {max}"
                        );
                    }
                }
            }
        }
        assert!(!may_be_within(letter_mask(b"boulanger"), letter_mask(b"comptable"), 1));
    }

    #[test]
    fn repeated_and_excess_query_words_cost_nothing_more() {
        let forms = vec![form("boulanger", 0), form("boulanger pâtissier", 1), form("technicien", 2)];
        let index = LexicalIndex::new(&forms);
        let once = index.search("boulanger", 10, &|_| true);
        assert_eq!(index.search("boulanger boulanger boulanger", 10, &|_| true), once);
        // Words past MAX_QUERY_WORDS are not read: only the first 32 distinct ones count.
        let filler: String = (0..MAX_QUERY_WORDS).map(|i| format!("zz{i} ")).collect();
        assert!(index.search(&format!("{filler}boulanger"), 10, &|_| true).is_empty());
        assert!(!index.search(&format!("boulanger {filler}"), 10, &|_| true).is_empty());
    }

    #[test]
    fn ligatures_match_exactly() {
        let forms = vec![form("Œnologue", 0), form("Manœuvre gros œuvre", 1), form("coeur de métier", 2)];
        let spelled = vec![form("oenologue", 0), form("manoeuvre gros oeuvre", 1), form("coeur de métier", 2)];
        let (index, reference) = (LexicalIndex::new(&forms), LexicalIndex::new(&spelled));
        let all = |_| true;
        for (query, expected) in
            [("oenologue", 0), ("œnologue", 0), ("manoeuvre", 1), ("Manœuvre", 1), ("cœur", 2), ("coeur", 2)]
        {
            let hits = index.search(query, 10, &all);
            assert_eq!(hits[0].form, expected, "{query}: {hits:?}");
            // Exact word matches, not typos: the scores of the spelled-out labels.
            assert_eq!(hits, reference.search(query, 10, &all), "{query}");
        }
    }

    #[test]
    fn search_finds_gendered_typo_and_prefix_forms() {
        let forms = vec![
            form("Boulanger / Boulangère", 0),
            form("Boulanger industriel", 1),
            form("Développeur web", 2),
            form("Masseur-kinésithérapeute", 3),
            form("Plombier", 4),
        ];
        let index = LexicalIndex::new(&forms);
        let all = |_| true;
        let hits = index.search("boulangère", 10, &all);
        assert_eq!(hits[0].form, 0, "{hits:?}");
        assert!(hits[0].score > hits[1].score);
        assert_eq!(index.search("devloppeur web", 10, &all)[0].form, 2);
        assert_eq!(index.search("kine", 10, &all)[0].form, 3);
        assert_eq!(index.search("plombié", 10, &all)[0].form, 4);
        // Under five characters no typo is allowed.
        assert!(index.search("plom", 10, &all).iter().all(|h| h.form == 4));
        assert!(index.search("zzzz", 10, &all).is_empty());
        // A filtered form never matches.
        assert!(index.search("plombier", 10, &|f| f != 4).is_empty());
        // Scores lie in [0, 1].
        assert!(index.search("boulanger", 10, &all).iter().all(|h| (0.0..=1.0).contains(&h.score)));
    }
}
