//! Text analysis shared by every lexical lookup — the catalogue (gendered labels), the lexical
//! index, skills and centres d'intérêt, query understanding and the evaluation — one step per
//! file, as tantivy's analysers are:
//!
//! 1. [`fold`] (`fold.rs`): lower case, accents stripped, ligatures expanded ("œ" → "oe",
//!    "æ" → "ae"), every run of punctuation (typographic apostrophes and dashes included)
//!    → one space: "L’Œnologue—Conseil" → "l oenologue conseil". [`fold_word`] folds one word
//!    keeping its inner hyphens (gendered compounds), [`lower_unaccented`] only lower-cases and
//!    strips accents (the typo split);
//! 2. [`words`] (`tokenize.rs`): the words of a folded text;
//! 3. [`is_stop_word`], [`is_query_stop_word`] (`stopwords.rs`): French and English words too
//!    common to identify an occupation, and words that say what a person wants rather than
//!    which job;
//! 4. [`normalize_word`] (`stem.rs`): plural stripped, French feminine → masculine, light
//!    English stemming ("boulangères" → "boulanger", "engineering" → "engineer").
//!
//! [`analyze`] chains the four steps, as the lexical index reads labels.

mod fold;
mod stem;
mod stopwords;
mod tokenize;
mod typos;

pub use fold::{fold, fold_word, lower_unaccented};
pub use stem::normalize_word;
pub use stopwords::{is_query_stop_word, is_stop_word};
pub use tokenize::words;
pub use typos::add_typos;

/// Normalised words of a text, stop words removed, in order (duplicates kept): [`fold`], then
/// [`words`], without [`is_stop_word`]s, each through [`normalize_word`].
///
/// ```
/// use boussole::text::analyze;
/// assert_eq!(analyze("Conducteur / Conductrice d'engins"), vec!["conducteur", "conducteur", "engin"]);
/// assert_eq!(analyze("Manœuvre"), analyze("manoeuvre"));
/// ```
pub fn analyze(text: &str) -> Vec<String> {
    words(&fold(text)).filter(|w| !is_stop_word(w)).map(normalize_word).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_chains_the_steps() {
        assert_eq!(analyze("Boulangère"), analyze("boulanger"));
        assert_eq!(analyze("Boulanger / Boulangère"), vec!["boulanger", "boulanger"]);
        assert_eq!(analyze("Conducteur d'engins"), vec!["conducteur", "engin"]);
        assert_eq!(analyze("Conducteur d’engins"), vec!["conducteur", "engin"]);
        assert_eq!(analyze("le la les"), Vec::<String>::new());
        assert_eq!(analyze(""), Vec::<String>::new());
    }

    #[test]
    fn ligatures_match_their_spelled_out_forms() {
        for (ligature, spelled) in
            [("Œnologue", "oenologue"), ("manœuvre", "manoeuvre"), ("cœur", "coeur"), ("Cæcum", "caecum")]
        {
            assert_eq!(analyze(ligature), analyze(spelled), "{ligature}");
        }
        assert_eq!(analyze("Œnologues"), vec![normalize_word("oenologue")]);
        assert_eq!(analyze("mise en œuvre"), vec!["mise", "oeuvr"]);
    }
}
