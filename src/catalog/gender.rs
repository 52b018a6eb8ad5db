//! Splitting gendered job titles ("Boulanger / Boulangère") into their two forms.
//!
//! ROME writes `Masculin / Féminin` with spaces and puts words shared by both genders after
//! the second alternative ("Conducteur / Conductrice d'engins agricoles"), sometimes before
//! the first ("Artiste Plasticien / Plasticienne"). ESCO French writes whole alternatives
//! without spaces ("directeur technique/directrice technique"). Slashes are also used for
//! plain alternatives ("TV/radio", "hygiène / sécurité", "Lapidaire / Diamantaire"), so a
//! split is only accepted when the words facing each other across the slash are the same word
//! or a recognised masculine/feminine pair. Getting no split is harmless (the full label stays
//! a form); a wrong split would create a title nobody uses, so the rules are conservative.

use crate::text::fold_word as fold;

/// Suffix pairs, after the longest common prefix and accent folding, that turn one gender of
/// a word into the other (French and English), e.g. `direct|eur`/`direct|rice`.
const SUFFIX_PAIRS: &[(&str, &str)] = &[
    ("", "e"),        // agent/agente, boulanger/boulangère
    ("", "ne"),       // technicien/technicienne
    ("", "le"),       // professionnel/professionnelle
    ("", "te"),       // cadet/cadette
    ("", "fe"),       // chef/cheffe
    ("", "sse"),      // maître/maîtresse, poète/poétesse
    ("", "esse"),     // docteur/docteresse
    ("", "ess"),      // host/hostess, steward/stewardess
    ("r", "se"),      // vendeur/vendeuse
    ("r", "use"),     // designer/designeuse, manager/manageuse
    ("eur", "rice"),  // directeur/directrice
    ("er", "rice"),   // reporter/reportrice
    ("f", "ve"),      // sportif/sportive
    ("x", "se"),      // époux/épouse
    ("c", "que"),     // turc/turque
    ("on", "e"),      // compagnon/compagne
    ("er", "ress"),   // waiter/waitress
    ("or", "ress"),   // actor/actress
    ("ur", "resse"),  // pécheur/pécheresse
    ("man", "woman"), // postman/postwoman
    ("men", "women"),
    ("eau", "elle"), // jumeau/jumelle
    ("o", "a"),      // pizzaïolo/pizzaïola
];

/// Pairs of unrelated words that are each other's gender.
const LEXICON: &[(&str, &str)] = &[
    ("homme", "femme"),
    ("garcon", "fille"),
    ("monsieur", "dame"),
    ("monsieur", "madame"),
    ("steward", "hotesse"),
    ("valet", "femme"),
    ("barman", "barmaid"),
    ("man", "woman"),
];

/// How two words facing each other across the slash relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pair {
    /// The same word (epicene or shared: "Aide", "de").
    Same,
    /// Two genders of one word.
    Gendered,
}

/// Splits a gendered label into its two forms, in the order they appear in the label, with
/// words shared by both genders distributed to each. Returns `None` when the label has no
/// slash or its slash does not separate two genders.
///
/// ```
/// use boussole::catalog::split_gendered;
/// assert_eq!(
///     split_gendered("Conducteur / Conductrice d'engins agricoles"),
///     Some(("Conducteur d'engins agricoles".into(), "Conductrice d'engins agricoles".into()))
/// );
/// assert_eq!(split_gendered("Technicien TV/radio"), None);
/// ```
pub fn split_gendered(label: &str) -> Option<(String, String)> {
    slash_positions(label).find_map(|(before, after)| split_at(&label[..before], &label[after..]))
}

/// A gendered label read as `prefix first / second tail`: the words shared by both genders
/// before and after the alternation, and the two alternatives reduced to the words that
/// differ at their ends ("directeur technique/directrice technique" → first `directeur`,
/// second `directrice`, tail `technique`). Words are joined by single spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenderedParts {
    /// Shared words before the alternation.
    pub prefix: String,
    /// The first alternative as written.
    pub first: String,
    /// The second alternative as written.
    pub second: String,
    /// Shared words after the alternation.
    pub tail: String,
}

/// The parts of a gendered label (see [`GenderedParts`]), or `None` when [`split_gendered`]
/// would not split it.
///
/// ```
/// use boussole::catalog::gender::gendered_parts;
/// let p = gendered_parts("directeur technique/directrice technique").unwrap();
/// assert_eq!((p.prefix.as_str(), p.first.as_str(), p.second.as_str(), p.tail.as_str()), ("", "directeur", "directrice", "technique"));
/// ```
pub fn gendered_parts(label: &str) -> Option<GenderedParts> {
    slash_positions(label).find_map(|(before, after)| parts_at(&label[..before], &label[after..]))
}

/// [`split_at`], keeping the parts apart and moving shared words at the ends of the
/// alternation to the prefix and the tail.
fn parts_at(left: &str, right: &str) -> Option<GenderedParts> {
    let left: Vec<&str> = left.split_whitespace().collect();
    let right: Vec<&str> = right.split_whitespace().collect();
    (1..=left.len().min(right.len())).rev().find_map(|k| {
        let (prefix, first) = left.split_at(left.len() - k);
        let (second, tail) = right.split_at(k);
        let pairs: Vec<Pair> = first.iter().zip(second).map(|(a, b)| pair(a, b)).collect::<Option<_>>()?;
        if !pairs.contains(&Pair::Gendered) {
            return None;
        }
        let lead = pairs.iter().take_while(|p| **p == Pair::Same).count();
        let trail = pairs.iter().rev().take_while(|p| **p == Pair::Same).count();
        let prefix = [prefix, &first[..lead]].concat().join(" ");
        let tail = [&second[k - trail..], tail].concat().join(" ");
        Some(GenderedParts {
            prefix,
            first: first[lead..k - trail].join(" "),
            second: second[lead..k - trail].join(" "),
            tail,
        })
    })
}

/// Byte ranges around each slash: (end of text before, start of text after), spaces excluded.
fn slash_positions(label: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    label.match_indices('/').map(move |(i, _)| {
        let before = label[..i].trim_end().len();
        let after = label.len() - label[i + 1..].trim_start().len();
        (before, after)
    })
}

/// Tries to read `left / right` as `prefix masculine / feminine tail` (either gender first).
/// The alternation covers the last `k` words of `left` and the first `k` words of `right`;
/// the widest alternation is tried first so that "directeur technique/directrice technique"
/// pairs both words, then narrower ones, which leave a shared prefix ("Artiste Plasticien /
/// Plasticienne").
fn split_at(left: &str, right: &str) -> Option<(String, String)> {
    let left: Vec<&str> = left.split_whitespace().collect();
    let right: Vec<&str> = right.split_whitespace().collect();
    (1..=left.len().min(right.len())).rev().find_map(|k| {
        let (prefix, first) = left.split_at(left.len() - k);
        let (second, tail) = right.split_at(k);
        let pairs: Option<Vec<Pair>> = first.iter().zip(second).map(|(a, b)| pair(a, b)).collect();
        if !pairs?.contains(&Pair::Gendered) {
            return None;
        }
        let one = [prefix, first, tail].concat().join(" ");
        let other = [prefix, second, tail].concat().join(" ");
        Some((one, other))
    })
}

/// How `a` and `b` relate, in either order, or `None` when they are different words.
fn pair(a: &str, b: &str) -> Option<Pair> {
    let (a, b) = (fold(a), fold(b));
    if a == b {
        return Some(Pair::Same);
    }
    (is_gender_pair(&a, &b) || is_gender_pair(&b, &a)).then_some(Pair::Gendered)
}

/// Whether `feminine` is a feminine form of `masculine` (both folded).
fn is_gender_pair(masculine: &str, feminine: &str) -> bool {
    if LEXICON.contains(&(masculine, feminine)) {
        return true;
    }
    // Compounds are gendered part by part: "accastilleur-gréeur" / "accastilleuse-gréeuse".
    let (m_parts, f_parts): (Vec<&str>, Vec<&str>) = (masculine.split('-').collect(), feminine.split('-').collect());
    m_parts.len() == f_parts.len() && m_parts.iter().zip(&f_parts).all(|(m, f)| m == f || is_suffix_pair(m, f))
}

fn is_suffix_pair(masculine: &str, feminine: &str) -> bool {
    let common =
        masculine.chars().zip(feminine.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum::<usize>();
    // A two-letter stem at least: "act|eur"/"act|rice" is the shortest real case, and
    // anything shorter would pair unrelated words.
    common >= 2 && SUFFIX_PAIRS.contains(&(&masculine[common..], &feminine[common..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(label: &str) -> Option<(String, String)> {
        split_gendered(label)
    }

    fn pair_of(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_owned(), b.to_owned()))
    }

    #[test]
    fn whole_label_alternation() {
        assert_eq!(split("Boulanger / Boulangère"), pair_of("Boulanger", "Boulangère"));
        assert_eq!(split("Aide-soignant / Aide-soignante"), pair_of("Aide-soignant", "Aide-soignante"));
        assert_eq!(
            split("Accastilleur-gréeur / Accastilleuse-gréeuse"),
            pair_of("Accastilleur-gréeur", "Accastilleuse-gréeuse")
        );
        assert_eq!(split("Chef / Cheffe"), pair_of("Chef", "Cheffe"));
        assert_eq!(split("Poète / Poétesse"), pair_of("Poète", "Poétesse"));
    }

    #[test]
    fn parts_factor_shared_words() {
        let parts = |l: &str| gendered_parts(l).map(|p| (p.prefix, p.first, p.second, p.tail));
        let p = |a: &str, b: &str, c: &str, d: &str| Some((a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned()));
        assert_eq!(parts("Boulanger / Boulangère"), p("", "Boulanger", "Boulangère", ""));
        assert_eq!(parts("boulanger/boulangère"), p("", "boulanger", "boulangère", ""));
        assert_eq!(parts("directeur technique/directrice technique"), p("", "directeur", "directrice", "technique"));
        assert_eq!(
            parts("Conducteur / Conductrice d'engins agricoles"),
            p("", "Conducteur", "Conductrice", "d'engins agricoles")
        );
        assert_eq!(
            parts("massothérapeute animalier/massothérapeute animalière"),
            p("massothérapeute", "animalier", "animalière", "")
        );
        assert_eq!(parts("Artiste Plasticien / Plasticienne"), p("Artiste", "Plasticien", "Plasticienne", ""));
        assert_eq!(parts("Technicien TV/radio"), None);
    }

    #[test]
    fn esco_style_without_spaces() {
        assert_eq!(
            split("directeur technique/directrice technique"),
            pair_of("directeur technique", "directrice technique")
        );
        assert_eq!(
            split("opérateur de tréfilerie/opératrice de tréfilerie"),
            pair_of("opérateur de tréfilerie", "opératrice de tréfilerie")
        );
        assert_eq!(split("ambassadeur/ambassadrice"), pair_of("ambassadeur", "ambassadrice"));
        assert_eq!(split("maître pâtissier/maîtresse pâtissière"), pair_of("maître pâtissier", "maîtresse pâtissière"));
    }

    #[test]
    fn shared_tail_is_distributed() {
        assert_eq!(
            split("Conducteur / Conductrice d'engins agricoles"),
            pair_of("Conducteur d'engins agricoles", "Conductrice d'engins agricoles")
        );
        assert_eq!(
            split("Agent de fabrication polyvalent / Agente de fabrication polyvalente en industrie"),
            pair_of("Agent de fabrication polyvalent en industrie", "Agente de fabrication polyvalente en industrie")
        );
        assert_eq!(
            split(
                "Directeur administratif, financier / Directrice administrative, financière et du contrôle de gestion"
            ),
            pair_of(
                "Directeur administratif, financier et du contrôle de gestion",
                "Directrice administrative, financière et du contrôle de gestion"
            )
        );
    }

    #[test]
    fn shared_prefix_is_distributed() {
        assert_eq!(split("Artiste Plasticien / Plasticienne"), pair_of("Artiste Plasticien", "Artiste Plasticienne"));
        assert_eq!(
            split("Cadre Dirigeant / Dirigeante d'administration centrale"),
            pair_of("Cadre Dirigeant d'administration centrale", "Cadre Dirigeante d'administration centrale")
        );
    }

    #[test]
    fn slash_in_the_shared_part_is_kept() {
        assert_eq!(
            split("Technicien / Technicienne en hygiène / sécurité"),
            pair_of("Technicien en hygiène / sécurité", "Technicienne en hygiène / sécurité")
        );
        assert_eq!(
            split("Vendeur / Vendeuse en électroménager / multimédia"),
            pair_of("Vendeur en électroménager / multimédia", "Vendeuse en électroménager / multimédia")
        );
        assert_eq!(
            split("Chef / Cheffe de service infrastructure/environnement"),
            pair_of("Chef de service infrastructure/environnement", "Cheffe de service infrastructure/environnement")
        );
        assert_eq!(
            split("technicien TV/radio/technicienne TV/radio"),
            pair_of("technicien TV/radio", "technicienne TV/radio")
        );
    }

    #[test]
    fn feminine_first_and_lexicon_pairs() {
        assert_eq!(
            split("Agente / Agent de bio-nettoyage"),
            pair_of("Agente de bio-nettoyage", "Agent de bio-nettoyage")
        );
        assert_eq!(split("Garçon / Fille de salle"), pair_of("Garçon de salle", "Fille de salle"));
        assert_eq!(split("Steward / Hôtesse de l'air"), pair_of("Steward de l'air", "Hôtesse de l'air"));
        assert_eq!(split("waiter/waitress"), pair_of("waiter", "waitress"));
        assert_eq!(split("foreman/forewoman shunter"), pair_of("foreman shunter", "forewoman shunter"));
    }

    #[test]
    fn typographic_apostrophes_dashes_and_ligatures_compare_as_plain_ones() {
        assert_eq!(
            split("directeur d'agence de voyage/directrice d’agence de voyage"),
            pair_of("directeur d'agence de voyage", "directrice d’agence de voyage")
        );
        assert_eq!(
            split("Accastilleur‑gréeur / Accastilleuse-gréeuse"),
            pair_of("Accastilleur‑gréeur", "Accastilleuse-gréeuse")
        );
        assert_eq!(split("Chef de chœur / Cheffe de choeur"), pair_of("Chef de chœur", "Cheffe de choeur"));
    }

    #[test]
    fn non_gender_slashes_are_not_split() {
        for label in [
            "Technicien TV/radio",
            "technicien en hygiène/sécurité",
            "Analyste biologie/microbiologie en industrie",
            "Responsable d'atelier en chimie/pharmacie",
            "Lapidaire / Diamantaire",
            "Chercheur / Concepteur informatique",
            "Tubiste / Contre tubiste",
            "Analyste prix / Analyste pricing",
            "Sound designer / Designer sonore",
            "Groupiste / Groupiste",
            "import/export manager",
            "CNC operator/machinist",
            "chemist/chemical engineer",
            "Conducteur / Convoyeur",
            "Bioinformaticienne / Bio-informaticienne",
        ] {
            assert_eq!(split(label), None, "{label}");
        }
    }

    #[test]
    fn degenerate_inputs() {
        for label in ["", "/", " / ", "//", "a/", "/b", "Boulanger", "Boulanger /", "/ Boulangère", "Comptable", "é/"]
        {
            assert_eq!(split(label), None, "{label:?}");
        }
    }

    #[test]
    fn never_panics_on_odd_text() {
        let samples = ["ß/ẞ", "É / é", "a / aa / aaa", "x/ /y", "  /  /  ", "🙂 / 🙂e", "l'/l'e", "-/-e", "Ab-/Ab-e"];
        for s in samples {
            let _ = split(s);
        }
        // Every char boundary of a real label, with a slash inserted anywhere.
        let base = "Conducteur / Conductrice d'engins agricoles";
        for (i, _) in base.char_indices() {
            let mut s = base.to_owned();
            s.insert(i, '/');
            if let Some((a, b)) = split(&s) {
                assert!(!a.is_empty() && !b.is_empty());
            }
        }
    }

    #[test]
    fn forms_differ_and_keep_shared_words() {
        for label in [
            "Boulanger / Boulangère",
            "Conducteur / Conductrice d'engins agricoles",
            "directeur technique/directrice technique",
        ] {
            let (a, b) = split(label).expect("gendered");
            assert_ne!(a, b);
            assert!(!a.contains('/') && !b.contains('/'));
        }
    }

    proptest::proptest! {
        /// No panic on any text; a split always yields two different, slash-free-at-the-split,
        /// non-empty forms.
        #[test]
        fn any_text_is_safe(label in "[A-Za-zéèÉ' /-]{0,40}") {
            if let Some((a, b)) = split_gendered(&label) {
                proptest::prop_assert!(!a.is_empty() && !b.is_empty());
                proptest::prop_assert_ne!(fold(&a), fold(&b));
            }
        }
    }
}
