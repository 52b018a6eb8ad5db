//! Stop words, the third analysis step: folded words that never identify an occupation.

/// Words too common to identify an occupation (after folding): French and English articles,
/// prepositions, pronouns and a few fillers. Dropped from labels and queries alike.
const STOP_WORDS: &[&str] = &[
    // French
    "a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et", "j", "je", "l", "la", "le",
    "les", "m", "me", "mes", "mon", "ma", "ou", "par", "pas", "pour", "qu", "que", "qui", "s", "sa", "se", "ses",
    "sur", "t", "un", "une", "y", "il", "elle", "on", "nous", "vous", "est", "sont", "suis", "trop", "bien", "tres",
    "plus", "sans", // English
    "an", "and", "as", "at", "be", "by", "for", "from", "i", "in", "is", "it", "my", "of", "on", "or", "the", "to",
    "with", "who", "that", "this", "someone", "like", "want",
];

/// Words that say what the person wants rather than which job ("j'aime", "bosser dans",
/// "I want to work with"): ignored in queries only (labels keep them: "travailleur social").
const QUERY_STOP_WORDS: &[&str] = &[
    "aime",
    "aimerais",
    "adore",
    "veux",
    "voudrais",
    "voudrai",
    "travailler",
    "bosser",
    "taf",
    "boulot",
    "metier",
    "metiers",
    "faire",
    "truc",
    "trucs",
    "chose",
    "choses",
    "genre",
    "quelque",
    "sais",
    "peut",
    "etre",
    "fait",
    "work",
    "working",
    "job",
    "jobs",
    "love",
    "would",
    "something",
    "things",
    "thing",
    "good",
    "really",
    "doing",
];

/// Whether a folded word is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// Whether a folded query word carries no occupation meaning (a stop word, or a word of
/// wanting: "aime", "travailler", "job").
pub fn is_query_stop_word(word: &str) -> bool {
    is_stop_word(word) || QUERY_STOP_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn stop_words_are_folded_and_query_stop_words_extend_them() {
        for w in STOP_WORDS.iter().chain(QUERY_STOP_WORDS) {
            assert_eq!(fold(w), *w, "`{w}` is not folded: it could never match");
            assert!(is_query_stop_word(w));
        }
        assert!(is_stop_word("de") && is_stop_word("the"));
        assert!(!is_stop_word("travailler") && is_query_stop_word("travailler"));
        assert!(!is_stop_word("boulanger") && !is_query_stop_word("boulanger"));
        assert!(!is_stop_word("De"), "words are compared folded");
    }
}
