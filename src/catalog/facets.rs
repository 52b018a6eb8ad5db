//! Facets of a métier: ROME's contextes de travail (hours, conditions, publics, structures,
//! employment status) and the entry level read from its accès text, with short French and
//! English labels and the phrasings a young person uses for each (`datasets/facets/facets.tsv`,
//! compiled in).
//!
//! The table also holds two kinds of rows that are not facets of a métier but help detect them
//! by meaning: the `undecided` intent ("je sais pas quoi faire") and `none` rows, neutral
//! statements (interests, job names) that let a detector answer "no facet".

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Catalogue, EducationLevel, Lang, LangText, MatchRelation, OccupationIdx, Taxonomy};

/// A set of facets (at most 256), small enough to copy with a request's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct FacetSet([u64; 4]);

impl FacetSet {
    /// Adds `f` (ignored beyond 256 facets; the shipped table has fewer).
    pub fn insert(&mut self, f: FacetIdx) {
        if let Some(word) = self.0.get_mut(f as usize / 64) {
            *word |= 1 << (f % 64);
        }
    }

    /// Whether `f` is in the set.
    pub fn contains(&self, f: FacetIdx) -> bool {
        self.0.get(f as usize / 64).is_some_and(|w| w & (1 << (f % 64)) != 0)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The facets in the set, in table order.
    pub fn iter(&self) -> impl Iterator<Item = FacetIdx> + '_ {
        (0..256u16).filter(|&f| self.contains(f))
    }
}

impl FromIterator<FacetIdx> for FacetSet {
    fn from_iter<I: IntoIterator<Item = FacetIdx>>(iter: I) -> Self {
        let mut set = FacetSet::default();
        iter.into_iter().for_each(|f| set.insert(f));
        set
    }
}

/// The facet table shipped with boussole.
pub const FACETS_TSV: &str = include_str!("../../datasets/facets/facets.tsv");

/// Position of a facet in [`FacetTable::facets`].
pub type FacetIdx = u16;

/// What a row of the facet table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FacetKind {
    /// A ROME contexte de travail.
    Context,
    /// An entry level (lowest diploma the accès text names).
    Level,
    /// What the person says about themselves rather than about a job ("I don't know what to do").
    Intent,
    /// A neutral statement: no facet (detection only, never shown).
    None,
}

/// One row of the facet table.
#[derive(Debug, Clone, PartialEq)]
pub struct Facet {
    /// Stable id (`ctx-300803`, `level-cap`, `undecided`).
    pub id: String,
    /// What it describes.
    pub kind: FacetKind,
    /// The ROME contexte de travail label as published, for context facets.
    pub rome: Option<String>,
    /// The entry level, for level facets.
    pub level: Option<EducationLevel>,
    /// Short chip label in French and English.
    pub label: LangText,
    /// Whether a young person can express it (the detector looks for it).
    pub detect: bool,
    /// Whether it is a useful refinement chip.
    pub chip: bool,
    /// How young people say it, French then English.
    pub phrases: Vec<String>,
    /// How many of `phrases` are French (they come first).
    pub fr_phrases: usize,
}

impl Facet {
    /// The phrasings in one language.
    pub fn phrases_in(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Fr => &self.phrases[..self.fr_phrases],
            Lang::En => &self.phrases[self.fr_phrases..],
        }
    }
}

/// Why the facet table could not be read; names the line.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FacetError {
    /// The header is not the expected one.
    #[error("facets.tsv: line 1: expected the header `{expected}`")]
    Header {
        /// The expected header.
        expected: &'static str,
    },
    /// A row is malformed.
    #[error("facets.tsv: line {line}: {reason}")]
    Row {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// Every facet, in table order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetTable {
    /// The rows.
    pub facets: Vec<Facet>,
    by_id: HashMap<String, FacetIdx>,
}

const HEADER: &str = "id\tkind\tcode_ogr\trome\tfr\ten\tdetect\tchip\tfr_phrases\ten_phrases";

impl FacetTable {
    /// The compiled-in table (checked by a unit test, so it always parses).
    pub fn builtin() -> &'static FacetTable {
        static TABLE: OnceLock<FacetTable> = OnceLock::new();
        TABLE.get_or_init(|| FacetTable::parse(FACETS_TSV).unwrap_or_default())
    }

    /// Reads a table in the `facets.tsv` format.
    pub fn parse(text: &str) -> Result<FacetTable, FacetError> {
        let mut lines = text.lines().enumerate();
        if lines.next().map(|(_, h)| h.trim_end_matches('\r')) != Some(HEADER) {
            return Err(FacetError::Header { expected: HEADER });
        }
        let mut table = FacetTable::default();
        for (i, line) in lines {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let bad = |reason: String| FacetError::Row { line: i + 1, reason };
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 10 {
                return Err(bad(format!("expected 10 tab-separated columns, got {}", cols.len())));
            }
            let kind = match cols[1] {
                "context" => FacetKind::Context,
                "level" => FacetKind::Level,
                "intent" => FacetKind::Intent,
                "none" => FacetKind::None,
                other => return Err(bad(format!("unknown kind `{other}`"))),
            };
            let flag = |c: &str, name: &str| match c {
                "1" => Ok(true),
                "0" => Ok(false),
                other => Err(bad(format!("{name} must be 0 or 1, got `{other}`"))),
            };
            let level = match kind {
                FacetKind::Level => Some(
                    cols[0]
                        .strip_prefix("level-")
                        .and_then(EducationLevel::parse)
                        .ok_or_else(|| bad(format!("unknown level `{}`", cols[0])))?,
                ),
                _ => None,
            };
            let rome = (kind == FacetKind::Context).then(|| cols[3].to_string());
            if rome.as_deref() == Some("") {
                return Err(bad("a context facet needs its ROME label".into()));
            }
            let split = |col: &str| -> Vec<String> {
                col.split(" | ").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
            };
            let mut phrases = split(cols[8]);
            let fr_phrases = phrases.len();
            phrases.extend(split(cols[9]));
            let facet = Facet {
                id: cols[0].to_string(),
                kind,
                rome,
                level,
                label: LangText { fr: Some(cols[4].to_string()), en: Some(cols[5].to_string()) },
                detect: flag(cols[6], "detect")?,
                chip: flag(cols[7], "chip")?,
                phrases,
                fr_phrases,
            };
            if facet.detect && facet.phrases.is_empty() {
                return Err(bad(format!("{} is detected but has no phrase", facet.id)));
            }
            let idx = FacetIdx::try_from(table.facets.len()).map_err(|_| bad("too many facets".into()))?;
            if table.by_id.insert(facet.id.clone(), idx).is_some() {
                return Err(bad(format!("duplicate id `{}`", facet.id)));
            }
            table.facets.push(facet);
        }
        Ok(table)
    }

    /// The facet with this id.
    pub fn find(&self, id: &str) -> Option<FacetIdx> {
        self.by_id.get(id).copied()
    }

    /// The facet at `idx`.
    pub fn get(&self, idx: FacetIdx) -> &Facet {
        &self.facets[idx as usize]
    }

    /// The facet of an entry level.
    pub fn of_level(&self, level: EducationLevel) -> Option<FacetIdx> {
        // The table's highest level reads "bac+5 and beyond".
        let level = level.min(EducationLevel::Bac5);
        self.find(&format!("level-{}", level.as_str()))
    }

    /// The facets of a métier: context and level facets, for every occupation of `catalogue`.
    /// A ROME fiche carries its contextes de travail and its entry level; an ESCO occupation
    /// inherits those of the fiches its crosswalk links call exact or close (a context when
    /// every such fiche has it, the lowest level among them), since ESCO publishes neither.
    pub fn of_occupations(&self, catalogue: &Catalogue) -> Vec<Vec<FacetIdx>> {
        let by_rome: HashMap<&str, FacetIdx> =
            self.facets.iter().enumerate().filter_map(|(i, f)| Some((f.rome.as_deref()?, i as FacetIdx))).collect();
        let mut out: Vec<Vec<FacetIdx>> = catalogue
            .occupations
            .iter()
            .map(|o| {
                let mut facets: Vec<FacetIdx> =
                    o.contexts.iter().filter_map(|c| by_rome.get(c.as_str()).copied()).collect();
                facets.extend(o.entry_level.and_then(|l| self.of_level(l)));
                facets.sort_unstable();
                facets.dedup();
                facets
            })
            .collect();
        for (o, occupation) in catalogue.occupations.iter().enumerate() {
            if occupation.id.taxonomy != Taxonomy::Esco {
                continue;
            }
            let linked: Vec<OccupationIdx> = occupation
                .links
                .iter()
                .filter(|l| matches!(l.relation, MatchRelation::Exact | MatchRelation::Close))
                .map(|l| l.target)
                .collect();
            let Some((first, rest)) = linked.split_first() else { continue };
            let mut shared: Vec<FacetIdx> = out[*first as usize]
                .iter()
                .copied()
                .filter(|&f| self.get(f).kind == FacetKind::Context)
                .filter(|f| rest.iter().all(|r| out[*r as usize].contains(f)))
                .collect();
            let level = linked
                .iter()
                .filter_map(|&r| catalogue.occupations[r as usize].entry_level)
                .min()
                .and_then(|l| self.of_level(l));
            shared.extend(level);
            shared.sort_unstable();
            out[o] = shared;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_covers_every_rome_context_kind() {
        let t = FacetTable::parse(FACETS_TSV).expect("facets.tsv parses");
        assert!(t.facets.iter().filter(|f| f.kind == FacetKind::Context).count() >= 170);
        assert_eq!(t.facets.iter().filter(|f| f.kind == FacetKind::Level).count(), 6);
        assert!(t.find("undecided").is_some());
        assert!(t.facets.iter().any(|f| f.kind == FacetKind::None));
        for f in &t.facets {
            assert!(f.label.fr.as_deref().is_some_and(|l| !l.is_empty()), "{} has no French label", f.id);
            assert!(f.label.en.as_deref().is_some_and(|l| !l.is_empty()), "{} has no English label", f.id);
        }
        assert_eq!(FacetTable::builtin().facets.len(), t.facets.len());
        let cap = t.get(t.find("level-cap").expect("level-cap"));
        assert!(cap.phrases_in(Lang::Fr).iter().any(|p| p.contains("CAP")));
        assert!(cap.phrases_in(Lang::En).iter().all(|p| !p.contains("formation")));
        assert_eq!(cap.phrases_in(Lang::Fr).len() + cap.phrases_in(Lang::En).len(), cap.phrases.len());
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let text = format!("{HEADER}\nctx-1\tcontext\t1\tEn extérieur\tDehors\tOutdoors\t1\t1\tdehors\toutside\nx\tweird\t\t\ta\tb\t0\t0\t\t\n");
        assert_eq!(FacetTable::parse(&text), Err(FacetError::Row { line: 3, reason: "unknown kind `weird`".into() }));
        assert!(matches!(FacetTable::parse("nope"), Err(FacetError::Header { .. })));
        let dup = format!("{HEADER}\nundecided\tintent\t\t\ta\tb\t1\t0\tje sais pas\tno idea\nundecided\tintent\t\t\ta\tb\t1\t0\tx\ty\n");
        assert!(matches!(FacetTable::parse(&dup), Err(FacetError::Row { line: 3, .. })));
    }
}
