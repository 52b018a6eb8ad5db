//! Text folding shared by lexical lookups: case, accents and punctuation never decide a match.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lower-cases, strips accents and turns every non-alphanumeric run into one space.
///
/// "Aide-Soignante  en EHPAD" and "aide soignante en ehpad" fold to the same string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(fold("Aide-Soignante  en EHPAD"), "aide soignante en ehpad");
        assert_eq!(fold("Vétérinaire"), "veterinaire");
        assert_eq!(fold("  l'œuf  "), "l œuf");
        assert_eq!(fold(""), "");
        assert_eq!(fold("--"), "");
    }
}
