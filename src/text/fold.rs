//! Folding, the first analysis step: case, accents, ligatures and punctuation never decide a
//! match.
//!
//! Three foldings, for three uses:
//! - [`fold`], for matching: lower case, accents stripped, ligatures expanded, every run of
//!   other characters (spaces, punctuation, typographic apostrophes and dashes) → one space;
//! - [`fold_word`], for comparing two words of a gendered label ("Accastilleur-gréeur" /
//!   "Accastilleuse-gréeuse"): the same, but inner punctuation stays (hyphens split compounds
//!   into parts, which are gendered one by one) and only surrounding punctuation goes;
//! - [`lower_unaccented`], for the typo split of the evaluation: lower case and accents
//!   stripped, nothing else touched (see there why).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Appends `c` lower-cased, with the ligatures French writes expanded ("œ" → "oe", "æ" →
/// "ae"): people type "oenologue", "manoeuvre", "coeur" as often as the ligatures.
fn push_lower(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        match l {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            _ => out.push(l),
        }
    }
}

/// Typographic apostrophes and dashes written as their ASCII forms ("’" → "'", "‑" → "-"),
/// so that a label typed with either reads the same.
fn ascii_punctuation(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => c,
    }
}

/// Lower-cases, strips accents, expands ligatures and turns every non-alphanumeric run
/// (typographic apostrophes and dashes included) into one space, with none at the ends.
///
/// ```
/// use boussole::text::fold;
/// assert_eq!(fold("Aide-Soignante  en EHPAD"), "aide soignante en ehpad");
/// assert_eq!(fold("Manœuvre d’Œnologue"), "manoeuvre d oenologue");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)).map(ascii_punctuation) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            push_lower(c, &mut out);
        } else {
            pending_space = true;
        }
    }
    out
}

/// One word folded for comparison with another: lower case, accents stripped, ligatures
/// expanded, typographic apostrophes and dashes made ASCII, surrounding punctuation trimmed,
/// inner punctuation kept ("Accastilleur-Gréeur," → "accastilleur-greeur").
///
/// ```
/// use boussole::text::fold_word;
/// assert_eq!(fold_word("Accastilleur‑Gréeur,"), "accastilleur-greeur");
/// assert_eq!(fold_word("(Sœur)"), "soeur");
/// ```
pub fn fold_word(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    for c in word.nfd().filter(|c| !is_combining_mark(*c)) {
        push_lower(ascii_punctuation(c), &mut folded);
    }
    folded.trim_matches(|c: char| !c.is_alphanumeric()).to_owned()
}

/// Lower case without accents, every other character kept as it is (spaces, punctuation,
/// ligatures): a text as typed on a keyboard without dead keys.
///
/// The typo split (`datasets/eval/typos.jsonl`) is generated from this text, a character at a
/// time with a seeded random generator, so that a regenerated split stays the committed one:
/// expanding ligatures here (one character → two) would move the edits of every text that
/// holds one. Matching never reads this folding; it reads [`fold`].
///
/// ```
/// use boussole::text::lower_unaccented;
/// assert_eq!(lower_unaccented("Boulangère - Pâtissière"), "boulangere - patissiere");
/// ```
pub fn lower_unaccented(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold("Aide-Soignante  en EHPAD"), "aide soignante en ehpad");
        assert_eq!(fold("Vétérinaire"), "veterinaire");
        assert_eq!(fold("ÉLECTRICIEN"), "electricien");
        assert_eq!(fold("  l'œuf  "), "l oeuf");
        assert_eq!(fold(""), "");
        assert_eq!(fold("--"), "");
        assert_eq!(fold("a1 B2"), "a1 b2");
    }

    #[test]
    fn folds_ligatures() {
        assert_eq!(fold("Œnologue"), "oenologue");
        assert_eq!(fold("manœuvre"), "manoeuvre");
        assert_eq!(fold("CŒUR"), "coeur");
        assert_eq!(fold("Cæcum, ÆSOP"), "caecum aesop");
        assert_eq!(fold("œ"), "oe");
    }

    #[test]
    fn typographic_apostrophes_and_dashes_separate_words_like_ascii_ones() {
        assert_eq!(fold("l’œuf"), fold("l'oeuf"));
        assert_eq!(fold("d‘engins"), "d engins");
        assert_eq!(fold("aide‐soignant"), fold("aide-soignant"));
        assert_eq!(fold("aide–soignant — EHPAD"), "aide soignant ehpad");
        assert_eq!(fold("aide\u{2011}soignant"), "aide soignant");
        // The modifier letter apostrophe is a letter to Unicode, an apostrophe to a reader.
        assert_eq!(fold("l\u{02BC}œuf"), "l oeuf");
    }

    #[test]
    fn fold_word_keeps_inner_punctuation() {
        assert_eq!(fold_word("Accastilleur-Gréeur"), "accastilleur-greeur");
        assert_eq!(fold_word("Accastilleur\u{2011}Gréeur"), "accastilleur-greeur");
        assert_eq!(fold_word("Accastilleur–gréeur"), "accastilleur-greeur");
        assert_eq!(fold_word("financier,"), "financier");
        assert_eq!(fold_word("d'engins"), "d'engins");
        assert_eq!(fold_word("d’engins"), "d'engins");
        assert_eq!(fold_word("Maîtresse"), "maitresse");
        assert_eq!(fold_word("Sœur"), "soeur");
        assert_eq!(fold_word("--"), "");
        assert_eq!(fold_word(""), "");
    }

    #[test]
    fn lower_unaccented_touches_nothing_else() {
        assert_eq!(lower_unaccented("Boulangère  Pâtissière"), "boulangere  patissiere");
        assert_eq!(lower_unaccented("L'Œuf – d’or"), "l'œuf – d’or");
        assert_eq!(lower_unaccented(""), "");
    }

    proptest::proptest! {
        /// Folding is idempotent, leaves single spaces between words and only lower-case
        /// alphanumerics; a folded word folds to itself.
        #[test]
        fn fold_is_idempotent_and_clean(text in "[A-Za-zÀ-ÿ0-9œŒæÆ’‘ʼ‐‑–—' ,/().-]{0,40}") {
            let f = fold(&text);
            proptest::prop_assert_eq!(fold(&f), f.clone());
            proptest::prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
            proptest::prop_assert!(!f.contains('œ') && !f.contains('æ'));
            let w = fold_word(&text);
            proptest::prop_assert_eq!(fold_word(&w), w);
        }
    }
}
