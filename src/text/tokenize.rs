//! Tokenising, the second analysis step: a folded text's words.

/// The words of a folded text ([`fold`](super::fold) leaves one space between words and none
/// at the ends; empty words are skipped anyway, so any text splits safely).
///
/// ```
/// use boussole::text::{fold, words};
/// assert_eq!(words(&fold("Aide-soignant(e) en EHPAD")).collect::<Vec<_>>(), ["aide", "soignant", "e", "en", "ehpad"]);
/// ```
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn splits_on_spaces_and_skips_empty_words() {
        assert_eq!(words("aide soignante").collect::<Vec<_>>(), ["aide", "soignante"]);
        assert_eq!(words("  a  b ").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(words("").count(), 0);
        assert_eq!(words(" ").count(), 0);
    }
}
