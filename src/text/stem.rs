//! Stemming, the last analysis step: plural and gender normalisation of one folded word, with
//! light English stemming, so that the forms of one word meet.

/// Gender-normalises and lightly stems one folded word: plural stripped ("infirmieres",
/// "animaux" → "animal"), French feminine → masculine ("boulangere" → "boulanger",
/// "coiffeuse" → "coiffeur", "directrice" → "directeur", "technicienne" → "technicien",
/// "sportive" → "sportif", "avocate" → "avocat"), English "-ies", "-ing" and mute "e"
/// ("engineering" → "engineer", "nurse"/"nurses" → "nurs", "bakery"/"bakeries" → "bakeri").
///
/// Words of 3 characters or fewer, and words still non-ASCII after [`fold`](super::fold)
/// (other scripts, "ß"), are returned unchanged: the rules are for French and English.
/// Ligatures are expanded by folding, so "œnologue" and "oenologue" stem alike.
///
/// ```
/// use boussole::text::normalize_word;
/// assert_eq!(normalize_word("boulangeres"), "boulanger");
/// ```
pub fn normalize_word(word: &str) -> String {
    let mut w = word.to_string();
    let len = |s: &str| s.chars().count();
    if len(&w) <= 3 || !w.is_ascii() {
        return w;
    }
    // Plural.
    if w.ends_with("aux") && len(&w) > 5 {
        w.truncate(w.len() - 3);
        w.push_str("al");
    } else if (w.ends_with('s') && !w.ends_with("ss")) || w.ends_with('x') {
        w.pop();
    }
    // English "-ies" (after the plural "s": "bakeries" → "bakerie").
    if w.ends_with("ie") && len(&w) > 5 {
        w.pop();
        w.pop();
        w.push('y');
    }
    // French feminine → masculine.
    const RULES: &[(&str, &str)] = &[
        ("trice", "teur"),
        ("euse", "eur"),
        ("iere", "ier"),
        ("ere", "er"),
        ("ienne", "ien"),
        ("enne", "en"),
        ("onne", "on"),
        ("ette", "et"),
        ("ive", "if"),
    ];
    for (from, to) in RULES {
        if w.ends_with(from) && len(&w) > from.len() + 1 {
            w.truncate(w.len() - from.len());
            w.push_str(to);
            return finish(w);
        }
    }
    // English "-ing".
    if w.ends_with("ing") && len(&w) >= 7 {
        w.truncate(w.len() - 3);
        return finish(w);
    }
    // Mute final "e" ("avocate" → "avocat", "nurse" → "nurs").
    if w.ends_with('e') && len(&w) > 4 {
        w.pop();
    }
    finish(w)
}

fn finish(mut w: String) -> String {
    // "bakery" and "bakeri(e)" meet at "bakeri".
    if w.ends_with('y') && w.len() > 4 {
        w.pop();
        w.push('i');
    }
    w
}

#[cfg(test)]
mod tests {
    use super::normalize_word;
    use crate::text::fold;

    #[test]
    fn plural_is_stripped() {
        assert_eq!(normalize_word("infirmieres"), "infirmier");
        assert_eq!(normalize_word("animaux"), "animal");
        assert_eq!(normalize_word("engins"), "engin");
        assert_eq!(normalize_word("nurses"), normalize_word("nurse"));
        assert_eq!(normalize_word("bakeries"), normalize_word("bakery"));
        assert_eq!(normalize_word("process"), "process", "a double s is no plural");
    }

    #[test]
    fn feminine_meets_masculine() {
        assert_eq!(normalize_word("boulangere"), "boulanger");
        assert_eq!(normalize_word("coiffeuse"), "coiffeur");
        assert_eq!(normalize_word("directrice"), "directeur");
        assert_eq!(normalize_word("technicienne"), "technicien");
        assert_eq!(normalize_word("sportive"), normalize_word("sportif"));
        assert_eq!(normalize_word("avocate"), normalize_word("avocat"));
        assert_eq!(normalize_word("cadette"), normalize_word("cadet"));
        assert_eq!(normalize_word("patronne"), normalize_word("patron"));
    }

    #[test]
    fn english_is_lightly_stemmed() {
        assert_eq!(normalize_word("engineering"), normalize_word("engineer"));
        assert_eq!(normalize_word("nurse"), "nurs");
        assert_eq!(normalize_word("bakery"), "bakeri");
    }

    #[test]
    fn short_and_non_ascii_words_are_kept() {
        assert_eq!(normalize_word("les"), "les");
        assert_eq!(normalize_word(""), "");
        assert_eq!(normalize_word("straße"), "straße");
        assert_eq!(normalize_word("œuvres"), "œuvres", "unfolded input is left alone");
    }

    #[test]
    fn folded_ligatures_are_stemmed_like_their_spelled_out_forms() {
        for (ligature, spelled) in
            [("Œnologues", "oenologues"), ("manœuvres", "manoeuvres"), ("cœurs", "coeurs"), ("sœur", "soeur")]
        {
            let (a, b) = (fold(ligature), fold(spelled));
            assert_eq!(a, b);
            assert!(a.is_ascii());
            assert_eq!(normalize_word(&a), normalize_word(&b));
        }
        assert_eq!(normalize_word(&fold("Œnologue")), "oenologu");
        assert_eq!(normalize_word(&fold("manœuvres")), "manoeuvr");
    }
}
