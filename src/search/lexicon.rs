//! Curated lexicons of how young people write, compiled into the binary from
//! `datasets/lexicon/` (sources and reasoning in that folder's README):
//! - `sms_fr.tsv`: texting spellings of ordinary words ("g" → "j ai", "bcp" → "beaucoup");
//! - `colloquial_fr.tsv`: slang and short job names → the standard title and its ROME fiches
//!   ("cuistot" → "cuisinier");
//! - `school_fr.tsv`: diplomas, bac series and school subjects → the field's words and the ROME
//!   fiches they lead to ("bac pro melec" → "electricite"; STMG → management fiches).
//!
//! Keys are folded phrases ([`crate::text::fold`]); lookups match the longest phrase first.

use std::collections::HashMap;

use crate::text::fold;

/// Longest key, in words.
const MAX_PHRASE_WORDS: usize = 5;

/// One lexicon entry: a folded phrase, what it stands for, and the ROME fiches it points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The phrase as written by the user (folded).
    pub from: String,
    /// The standard words it stands for (folded; may be empty).
    pub to: String,
    /// ROME fiche codes, best first.
    pub rome: Vec<String>,
}

/// A phrase → entry table with longest-match lookup.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    entries: Vec<Entry>,
    by_phrase: HashMap<String, usize>,
    max_words: usize,
}

/// A match of a lexicon phrase in a word sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseMatch {
    /// First word matched.
    pub start: usize,
    /// Words matched.
    pub len: usize,
    /// The entry.
    pub entry: usize,
}

impl Lexicon {
    /// Parses a TSV (`from<TAB>to[<TAB>rome codes]`, header line, `#` comments). Malformed
    /// lines are skipped: the tables are compiled in and checked by their unit tests.
    pub fn parse(tsv: &str) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for line in tsv.lines().skip(1) {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let from = fold(cols.next().unwrap_or_default());
            let to = fold(cols.next().unwrap_or_default());
            let rome: Vec<String> = cols
                .next()
                .unwrap_or_default()
                .split([',', ' ', ';'])
                .map(str::trim)
                .filter(|c| c.len() == 5)
                .map(str::to_ascii_uppercase)
                .collect();
            if from.is_empty() || lexicon.by_phrase.contains_key(&from) {
                continue;
            }
            lexicon.max_words = lexicon.max_words.max(from.split(' ').count()).min(MAX_PHRASE_WORDS);
            lexicon.by_phrase.insert(from.clone(), lexicon.entries.len());
            lexicon.entries.push(Entry { from, to, rome });
        }
        lexicon
    }

    /// Entries, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entry `i`.
    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// Whether the folded word or phrase is a key.
    pub fn contains(&self, phrase: &str) -> bool {
        self.by_phrase.contains_key(phrase)
    }

    /// Non-overlapping matches in `words`, left to right, longest phrase first at each
    /// position.
    pub fn find(&self, words: &[String]) -> Vec<PhraseMatch> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let longest = self.max_words.min(words.len() - i);
            let hit = (1..=longest).rev().find_map(|n| {
                let phrase = words[i..i + n].join(" ");
                self.by_phrase.get(&phrase).map(|&e| PhraseMatch { start: i, len: n, entry: e })
            });
            match hit {
                Some(m) => {
                    out.push(m);
                    i += m.len;
                }
                None => i += 1,
            }
        }
        out
    }
}

/// The three lexicons shipped with boussole.
#[derive(Debug, Clone)]
pub struct Lexicons {
    /// Texting spellings.
    pub sms: Lexicon,
    /// Slang job names.
    pub colloquial: Lexicon,
    /// School and diploma context.
    pub school: Lexicon,
}

impl Lexicons {
    /// The tables compiled from `datasets/lexicon/`.
    pub fn builtin() -> Lexicons {
        Lexicons {
            sms: Lexicon::parse(include_str!("../../datasets/lexicon/sms_fr.tsv")),
            colloquial: Lexicon::parse(include_str!("../../datasets/lexicon/colloquial_fr.tsv")),
            school: Lexicon::parse(include_str!("../../datasets/lexicon/school_fr.tsv")),
        }
    }

    /// No lexicon at all (ablations).
    pub fn empty() -> Lexicons {
        Lexicons { sms: Lexicon::default(), colloquial: Lexicon::default(), school: Lexicon::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        fold(s).split(' ').map(str::to_string).collect()
    }

    #[test]
    fn parses_and_matches_longest_phrase_first() {
        let lex = Lexicon::parse("from\tto\trome\n# comment\nbac pro\tlycee professionnel\t\nbac pro melec\telectricite\tF1602, I1309\nmelec\telectricite\t\n\nbroken");
        assert_eq!(lex.entries().len(), 4);
        let m = lex.find(&words("Je fais un Bac pro MELEC, et toi"));
        assert_eq!(m.len(), 1);
        assert_eq!(lex.entry(m[0].entry).to, "electricite");
        assert_eq!(lex.entry(m[0].entry).rome, vec!["F1602", "I1309"]);
        assert_eq!((m[0].start, m[0].len), (3, 3));
        assert!(lex.find(&words("rien a voir")).is_empty());
    }

    #[test]
    fn builtin_tables_are_well_formed() {
        let lex = Lexicons::builtin();
        for (name, table, min) in
            [("sms", &lex.sms, 100), ("colloquial", &lex.colloquial, 100), ("school", &lex.school, 100)]
        {
            assert!(table.entries().len() >= min, "{name}: {} entries", table.entries().len());
            for e in table.entries() {
                assert_eq!(e.from, fold(&e.from), "{name}: key `{}` is not folded", e.from);
                assert!(e.rome.iter().all(|c| c.len() == 5 && c.as_bytes()[0].is_ascii_uppercase()), "{name}: {e:?}");
            }
        }
        assert!(lex.colloquial.entries().iter().all(|e| !e.to.is_empty()));
    }
}
