//! Collecting surface forms: whitespace clean-up, gendered variants, deduplication.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use super::gender::split_gendered;
use super::model::{FormKind, Lang, OccupationIdx, SurfaceForm};

/// Key under which two forms of one occupation count as the same text: NFC, lower case,
/// single spaces.
pub fn form_key(text: &str) -> String {
    let text: String = text.nfc().flat_map(char::to_lowercase).collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims and collapses runs of whitespace (labels sometimes carry double spaces or tabs).
pub fn clean_label(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rank of a kind when two forms collide: lower wins. The published preferred label first,
/// then official titles, then alternatives; derived gendered variants last.
fn rank(kind: FormKind) -> u8 {
    match kind {
        FormKind::Preferred => 0,
        FormKind::Appellation => 1,
        FormKind::Synonym => 2,
        FormKind::Alt => 3,
        FormKind::Hidden => 4,
        FormKind::Gendered => 5,
        FormKind::Onisep => 6,
        FormKind::OnetAlternate => 7,
        FormKind::OnetReported => 8,
    }
}

/// Forms deduplicated per (occupation, language, [`form_key`]), first-seen order.
#[derive(Debug, Default)]
pub struct FormSet {
    forms: Vec<SurfaceForm>,
    index: HashMap<(OccupationIdx, Lang, String), usize>,
}

impl FormSet {
    /// Adds `text` and, when it is a gendered label, each gender as a [`FormKind::Gendered`]
    /// form. Blank text is ignored.
    pub fn add_label(&mut self, occupation: OccupationIdx, lang: Lang, kind: FormKind, text: &str) {
        let text = clean_label(text);
        if text.is_empty() {
            return;
        }
        if let Some((first, second)) = split_gendered(&text) {
            self.add(occupation, lang, FormKind::Gendered, first);
            self.add(occupation, lang, FormKind::Gendered, second);
        }
        self.add(occupation, lang, kind, text);
    }

    /// Adds one form; on collision the better-ranked kind (and its spelling) is kept, in the
    /// position of the first one seen.
    pub fn add(&mut self, occupation: OccupationIdx, lang: Lang, kind: FormKind, text: String) {
        if text.trim().is_empty() {
            return;
        }
        let key = (occupation, lang, form_key(&text));
        match self.index.get(&key) {
            Some(&i) => {
                let existing = &mut self.forms[i];
                if rank(kind) < rank(existing.kind) {
                    existing.kind = kind;
                    existing.text = text;
                }
            }
            None => {
                self.index.insert(key, self.forms.len());
                self.forms.push(SurfaceForm { text, kind, lang, occupation });
            }
        }
    }

    /// The forms so far, in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = &SurfaceForm> {
        self.forms.iter()
    }

    /// Number of distinct forms.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.forms.len()
    }

    /// The forms, in first-seen order.
    pub fn into_vec(self) -> Vec<SurfaceForm> {
        self.forms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_wins_and_case_is_folded() {
        let mut set = FormSet::default();
        set.add_label(0, Lang::Fr, FormKind::Synonym, "boulanger");
        set.add_label(0, Lang::Fr, FormKind::Preferred, "Boulanger / Boulangère");
        let forms = set.into_vec();
        let texts: Vec<(&str, FormKind)> = forms.iter().map(|f| (f.text.as_str(), f.kind)).collect();
        assert_eq!(
            texts,
            vec![
                ("boulanger", FormKind::Synonym),
                ("Boulangère", FormKind::Gendered),
                ("Boulanger / Boulangère", FormKind::Preferred),
            ]
        );
    }

    #[test]
    fn same_text_in_other_language_or_occupation_is_kept() {
        let mut set = FormSet::default();
        set.add_label(0, Lang::Fr, FormKind::Preferred, "Comptable");
        set.add_label(0, Lang::En, FormKind::Alt, "comptable");
        set.add_label(1, Lang::Fr, FormKind::Alt, "COMPTABLE");
        set.add_label(1, Lang::Fr, FormKind::Alt, "  ");
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(clean_label("  Aide   soignant\t"), "Aide soignant");
        assert_eq!(form_key("Aide  Soignant"), "aide soignant");
        // NFC: a decomposed "é" and a composed one are the same form.
        assert_eq!(form_key("e\u{301}"), form_key("é"));
    }
}
