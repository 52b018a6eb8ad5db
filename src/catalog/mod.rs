//! Datasets → typed records: reads ESCO, ROME, the ROME↔ESCO crosswalk and (when present)
//! ONISEP's métier titles and O*NET's English titles into a [`Catalogue`].
//!
//! Every CSV goes through one pre-pass ([`prepass::clean_csv`]) that repairs invalid UTF-8
//! and drops malformed records with their line numbers, then through polars (all columns as
//! String) for projection, joins and group-bys. Bad rows become [`IngestIssue`]s; only a
//! missing file or column (or an I/O error) stops a load.

pub mod model;

mod crosswalk;
mod error;
mod esco;
pub mod facets;
mod forms;
pub mod gender;
mod manifest;
pub mod onet;
mod onisep;
pub mod prepass;
mod rome;
mod table;

use std::path::Path;
use std::time::Instant;

pub use crosswalk::{inverse as inverse_relation, parse_relation, CROSSWALK_DIR, ROME_ESCO_FILE};
pub use error::CatalogError;
pub use esco::ESCO_DIR;
pub use facets::{Facet, FacetError, FacetIdx, FacetKind, FacetSet, FacetTable};
pub use forms::{clean_label, form_key};
pub use gender::split_gendered;
pub use manifest::{manifest, mismatches as manifest_mismatches, Manifest};
pub use model::*;
pub use onisep::ONISEP_FILE;
pub use prepass::{clean_csv, repair_utf8, split_fields, CleanCsv};
pub use rome::{entry_level, ROME_DIR};
pub use table::combined_sha256;

use forms::FormSet;
use table::DatasetReader;

/// Reads the datasets selected by `sources` from `data_dir` (the folder holding `esco-1.1.1/`,
/// `rome-4.60/` and `crosswalks/`). The crosswalk is applied only when both taxonomies are
/// loaded. Occupations are ordered ROME then ESCO, each by code; skills likewise.
pub fn load_catalogue(data_dir: &Path, sources: Sources) -> Result<Catalogue, CatalogError> {
    let started = Instant::now();
    tracing::info!(data_dir = %data_dir.display(), %sources, "loading catalogue");
    let mut b = Builder::default();
    let rome = if sources.rome { Some(rome::load(data_dir, &mut b)?) } else { None };
    if let Some(rome) = &rome {
        onisep::load(data_dir, &rome.fiches, &mut b)?;
    }
    let esco = if sources.esco { Some(esco::load(data_dir, &mut b)?) } else { None };
    if let (Some(rome), Some(esco)) = (&rome, &esco) {
        crosswalk::load(data_dir, &rome.appellations, esco, &mut b)?;
    }
    if let (Some(esco), true) = (&esco, sources.onet) {
        onet::load(data_dir, esco, &mut b)?;
    }
    let catalogue = b.finish();
    log_summary(&catalogue, started);
    Ok(catalogue)
}

/// Catalogue under construction, shared by the per-dataset loaders.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    occupations: Vec<Occupation>,
    skills: Vec<Skill>,
    forms: FormSet,
    passages: Vec<Passage>,
    interests: Vec<Interest>,
    datasets: Vec<DatasetInfo>,
    issues: Vec<IngestIssue>,
}

impl Builder {
    /// Appends an occupation and returns its index.
    fn push_occupation(&mut self, occupation: Occupation) -> OccupationIdx {
        self.occupations.push(occupation);
        index(self.occupations.len() - 1)
    }

    /// Appends a skill and returns its index.
    fn push_skill(&mut self, skill: Skill) -> SkillIdx {
        self.skills.push(skill);
        index(self.skills.len() - 1)
    }

    /// Records that `from` is related to `to`; self-links and repeats are ignored.
    fn link_kin(&mut self, from: OccupationIdx, to: OccupationIdx, kinship: Kinship) {
        if from == to {
            return;
        }
        let Some(occupation) = self.occupations.get_mut(from as usize) else { return };
        if !occupation.kin.iter().any(|k| k.target == to) {
            occupation.kin.push(Kin { target: to, kinship });
        }
    }

    /// Links a skill to an occupation; a pair seen twice keeps Essential.
    fn link_skill(&mut self, occupation: OccupationIdx, link: SkillLink) {
        let Some(occupation) = self.occupations.get_mut(occupation as usize) else { return };
        match occupation.skills.iter_mut().find(|l| l.skill == link.skill) {
            Some(existing) if link.relation == SkillRelation::Essential => existing.relation = link.relation,
            Some(_) => {}
            None => occupation.skills.push(link),
        }
    }

    /// Warns when the files `reader` read differ from manifest `name`.
    fn check_manifest(&self, name: &str, reader: &DatasetReader<'_>) {
        let paths: Vec<(String, &str)> =
            reader.hashes().iter().map(|(file, sha)| (reader.relative(file), sha.as_str())).collect();
        manifest::warn_on_mismatch(name, paths.iter().map(|(p, s)| (p.as_str(), *s)));
    }

    /// Sorts per-occupation lists into a stable order and hands the catalogue over.
    fn finish(mut self) -> Catalogue {
        for occupation in &mut self.occupations {
            occupation.skills.sort_by_key(|l| (l.relation != SkillRelation::Essential, l.skill));
            occupation.links.sort_by_key(|l| (crosswalk::strength(l.relation), l.target));
        }
        Catalogue {
            occupations: self.occupations,
            skills: self.skills,
            forms: self.forms.into_vec(),
            passages: self.passages,
            interests: self.interests,
            datasets: self.datasets,
            issues: self.issues,
        }
    }
}

/// Index type of the catalogue vectors; the datasets are far below `u32::MAX` records.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn log_summary(catalogue: &Catalogue, started: Instant) {
    for taxonomy in Taxonomy::ALL {
        let occupations: Vec<usize> = catalogue
            .occupations
            .iter()
            .enumerate()
            .filter(|(_, o)| o.id.taxonomy == taxonomy)
            .map(|(i, _)| i)
            .collect();
        if occupations.is_empty() {
            continue;
        }
        let skills = catalogue.skills.iter().filter(|s| s.id.taxonomy == taxonomy).count();
        let forms = |lang: Lang| {
            catalogue
                .forms
                .iter()
                .filter(|f| f.lang == lang && catalogue.occupations[f.occupation as usize].id.taxonomy == taxonomy)
                .count()
        };
        let links: usize = occupations.iter().map(|&i| catalogue.occupations[i].links.len()).sum();
        tracing::info!(
            %taxonomy,
            occupations = occupations.len(),
            skills,
            forms_fr = forms(Lang::Fr),
            forms_en = forms(Lang::En),
            links,
            "catalogue loaded"
        );
    }
    tracing::info!(
        occupations = catalogue.occupations.len(),
        skills = catalogue.skills.len(),
        forms = catalogue.forms.len(),
        issues = catalogue.issues.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "catalogue ready"
    );
}
