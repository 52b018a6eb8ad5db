//! Training pairs for the domain-tuned encoder, mined from the catalogue (`boussole model
//! tune`; the training itself is [`crate::embed::train`]).
//!
//! Every pair is a fact of the open data, never a phrase written for the purpose:
//!
//! * an ESCO alternative or hidden label, a ROME appellation, an ONISEP title or an O*NET
//!   title (the part not held out) → the occupation's preferred label, same language;
//! * the French label of an ESCO occupation ↔ its English label;
//! * a sentence of a ROME définition or of an ESCO description → the occupation's label;
//! * a ROME centre d'intérêt ("J'ai envie de …") or contexte de travail → a fiche that has it;
//! * an essential skill or ROME compétence → the occupation's label (a few per occupation).
//!
//! No text of any evaluation file (queries, held-out labels, typo originals; blind sets
//! included) enters a pair: [`eval_exclusions`] reads them all and [`mine_pairs`] drops every
//! pair touching one. Pairs are grouped by occupation, ROME and ESCO occupations linked by an
//! exact or close crosswalk match sharing one group, so that a batch never treats a synonym
//! across taxonomies as a negative.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::catalog::{form_key, Catalogue, FormKind, Lang, MatchRelation, OccupationIdx, PassageKind};
use crate::embed::train::TrainPair;

/// Errors reading the evaluation files whose texts are kept out of training.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// A file or directory could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a JSON object.
    #[error("{path}, line {line}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
}

/// Fields of an evaluation line that hold a text a model could memorise.
const EVAL_TEXT_FIELDS: [&str; 3] = ["query", "text", "original"];

/// The [`form_key`]s of every text of every `*.jsonl` file under `eval_dir` (recursively).
pub fn eval_exclusions(eval_dir: &Path) -> Result<HashSet<String>, TuneError> {
    let mut files = Vec::new();
    collect_jsonl(eval_dir, &mut files)?;
    files.sort();
    let mut out = HashSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| TuneError::Io { path: path.clone(), source })?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: serde_json::Value = serde_json::from_str(line).map_err(|source| TuneError::Json {
                path: path.clone(),
                line: i + 1,
                source,
            })?;
            for field in EVAL_TEXT_FIELDS {
                if let Some(s) = value.get(field).and_then(|v| v.as_str()) {
                    out.insert(form_key(s));
                }
            }
        }
    }
    Ok(out)
}

fn collect_jsonl(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), TuneError> {
    let io = |source| TuneError::Io { path: dir.to_owned(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_jsonl(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
    Ok(())
}

/// What kind of fact a pair comes from (counted in the summary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PairKind {
    /// Another title of the occupation → its preferred label.
    Title,
    /// French label ↔ English label.
    Translation,
    /// Définition or description sentence → label.
    Description,
    /// Centre d'intérêt → fiche.
    Interest,
    /// Contexte de travail → fiche.
    Context,
    /// Skill or compétence → occupation.
    Skill,
}

/// Mining settings.
#[derive(Debug, Clone, Copy)]
pub struct MineOptions {
    /// Seed of the shuffle that picks and orders the pairs.
    pub seed: u64,
    /// Pairs kept at most (after the shuffle).
    pub max_pairs: usize,
    /// Skills per occupation and language at most (they outnumber everything else).
    pub skills_per_occupation: usize,
}

impl Default for MineOptions {
    fn default() -> Self {
        MineOptions { seed: 42, max_pairs: 60_000, skills_per_occupation: 3 }
    }
}

/// Mined pairs with their count per kind.
pub struct Mined {
    /// The pairs, shuffled and capped.
    pub pairs: Vec<TrainPair>,
    /// Pairs per kind before the cap.
    pub counts: BTreeMap<PairKind, usize>,
    /// Pairs dropped because a text is in an evaluation file.
    pub excluded: usize,
}

impl Mined {
    /// One line for logs and manifests: `title 1200, translation 300, …`.
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self.counts.iter().map(|(k, n)| format!("{k:?} {n}").to_lowercase()).collect();
        format!(
            "{} of {} mined ({}); {} dropped as evaluation texts",
            self.pairs.len(),
            self.counts.values().sum::<usize>(),
            kinds.join(", "),
            self.excluded
        )
    }
}

/// Union–find root of an occupation over exact/close crosswalk links.
fn groups(catalogue: &Catalogue) -> Vec<u32> {
    let n = catalogue.occupations.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, occ) in catalogue.occupations.iter().enumerate() {
        for link in &occ.links {
            if matches!(link.relation, MatchRelation::Exact | MatchRelation::Close) {
                let (a, b) = (root(&mut parent, i), root(&mut parent, link.target as usize));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
        }
    }
    (0..n).map(|i| root(&mut parent, i) as u32).collect()
}

/// Mines the pairs described in the module docs, minus any touching `excluded`.
pub fn mine_pairs(catalogue: &Catalogue, excluded: &HashSet<String>, options: MineOptions) -> Mined {
    let group = groups(catalogue);
    let label = |occ: OccupationIdx, lang: Lang| catalogue.occupations[occ as usize].label.get(lang);
    let mut candidates: Vec<(PairKind, String, String, u32)> = Vec::new();
    let mut push = |kind, anchor: &str, positive: &str, occ: OccupationIdx| {
        if form_key(anchor) != form_key(positive) {
            candidates.push((kind, anchor.to_owned(), positive.to_owned(), group[occ as usize]));
        }
    };
    for form in &catalogue.forms {
        if matches!(form.kind, FormKind::Preferred | FormKind::Gendered) {
            continue;
        }
        if let Some(positive) = label(form.occupation, form.lang) {
            push(PairKind::Title, &form.text, positive, form.occupation);
        }
    }
    for (i, occ) in catalogue.occupations.iter().enumerate() {
        let i = i as OccupationIdx;
        if let (Some(fr), Some(en)) = (occ.label.get(Lang::Fr), occ.label.get(Lang::En)) {
            push(PairKind::Translation, fr, en, i);
            push(PairKind::Translation, en, fr, i);
        }
        if let Some(fr) = occ.label.get(Lang::Fr) {
            for context in &occ.contexts {
                push(PairKind::Context, context, fr, i);
            }
        }
        for lang in [Lang::Fr, Lang::En] {
            let Some(positive) = occ.label.get(lang) else { continue };
            let skills = occ
                .skills
                .iter()
                .filter(|s| s.relation == crate::catalog::SkillRelation::Essential)
                .filter_map(|s| catalogue.skills[s.skill as usize].label.get(lang))
                .take(options.skills_per_occupation);
            for skill in skills {
                push(PairKind::Skill, skill, positive, i);
            }
        }
    }
    for passage in &catalogue.passages {
        if matches!(passage.kind, PassageKind::Definition | PassageKind::Description) {
            if let Some(positive) = label(passage.occupation, passage.lang) {
                push(PairKind::Description, &passage.text, positive, passage.occupation);
            }
        }
    }
    for interest in &catalogue.interests {
        for link in &interest.occupations {
            if let Some(positive) = label(link.occupation, Lang::Fr) {
                push(PairKind::Interest, &interest.label, positive, link.occupation);
            }
        }
    }

    let mut counts = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut pairs = Vec::new();
    let mut dropped = 0;
    for (kind, anchor, positive, group) in candidates {
        if excluded.contains(&form_key(&anchor)) || excluded.contains(&form_key(&positive)) {
            dropped += 1;
            continue;
        }
        if !seen.insert((anchor.clone(), positive.clone())) {
            continue;
        }
        *counts.entry(kind).or_insert(0) += 1;
        pairs.push(TrainPair { anchor, positive, group });
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed);
    pairs.shuffle(&mut rng);
    pairs.truncate(options.max_pairs);
    Mined { pairs, counts, excluded: dropped }
}
