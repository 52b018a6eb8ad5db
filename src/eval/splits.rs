//! Evaluation splits: generation with a fixed seed, and their JSONL files.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Result;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use super::{read_jsonl, write_jsonl};
use crate::catalog::{Catalogue, FormKind, Lang, OccupationId, Taxonomy};
use crate::search::Engine;
use crate::text::{add_typos, fold};

/// A surface form held out of the index and used as a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOutForm {
    /// Stable id (`h-00001`), in shuffled order.
    pub id: String,
    /// Taxonomy of the occupation.
    pub taxonomy: Taxonomy,
    /// Code of the occupation (the gold answer).
    pub code: String,
    /// Language of the form.
    pub lang: Lang,
    /// `synonym` (ROME) or `alt` (ESCO).
    pub kind: FormKind,
    /// The form's text.
    pub text: String,
}

impl HeldOutForm {
    /// The form as a query, restricted to its taxonomy.
    pub fn as_query(&self) -> EvalQuery {
        EvalQuery {
            id: self.id.clone(),
            query: self.text.clone(),
            lang: self.lang,
            taxonomy: Some(self.taxonomy),
            gold: vec![OccupationId { taxonomy: self.taxonomy, code: self.code.clone() }],
            original: None,
        }
    }
}

/// One evaluation query with its gold occupations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalQuery {
    /// Stable id.
    pub id: String,
    /// Text searched.
    pub query: String,
    /// Display language.
    pub lang: Lang,
    /// Taxonomy searched (both when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<Taxonomy>,
    /// Accepted answers.
    pub gold: Vec<OccupationId>,
    /// Text before the typos were added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
}

/// Held-out file name.
pub const HELDOUT_FILE: &str = "heldout.jsonl";
/// Typos file name.
pub const TYPOS_FILE: &str = "typos.jsonl";

/// Picks `fraction` of the ROME synonyms and ESCO alt labels of each (taxonomy, language),
/// distinct per (occupation, folded text), then shuffles them all.
pub fn generate_heldout(catalogue: &Catalogue, seed: u64, fraction: f64) -> Vec<HeldOutForm> {
    let mut groups: BTreeMap<(Taxonomy, Lang), Vec<HeldOutForm>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for form in &catalogue.forms {
        let occupation = &catalogue.occupations[form.occupation as usize];
        let eligible = matches!(
            (occupation.id.taxonomy, form.kind),
            (Taxonomy::Rome, FormKind::Synonym) | (Taxonomy::Esco, FormKind::Alt)
        );
        if !eligible || !seen.insert((form.occupation, fold(&form.text))) {
            continue;
        }
        groups.entry((occupation.id.taxonomy, form.lang)).or_default().push(HeldOutForm {
            id: String::new(),
            taxonomy: occupation.id.taxonomy,
            code: occupation.id.code.clone(),
            lang: form.lang,
            kind: form.kind,
            text: form.text.clone(),
        });
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut all = Vec::new();
    for (_, mut group) in groups {
        group.shuffle(&mut rng);
        let n = (group.len() as f64 * fraction).ceil() as usize;
        all.extend(group.into_iter().take(n));
    }
    all.shuffle(&mut rng);
    for (i, h) in all.iter_mut().enumerate() {
        h.id = format!("h-{:05}", i + 1);
    }
    all
}

/// Loads `heldout.jsonl` from `dir`, or generates and writes it when absent or asked to.
pub fn load_or_generate_heldout(
    engine: &Engine,
    dir: &Path,
    seed: u64,
    fraction: f64,
    regenerate: bool,
) -> Result<Vec<HeldOutForm>> {
    let path = dir.join(HELDOUT_FILE);
    if path.exists() && !regenerate {
        return read_jsonl(&path);
    }
    let items = generate_heldout(engine.index().catalogue(), seed, fraction);
    write_jsonl(&path, &items)?;
    tracing::info!(path = %path.display(), forms = items.len(), "wrote the held-out split");
    Ok(items)
}

/// O*NET reported titles held out of the catalogue: English queries, ESCO gold.
pub const ONET_FILE: &str = "onet_reported.jsonl";
/// The same queries with typos.
pub const ONET_TYPOS_FILE: &str = "onet_typos.jsonl";

/// Loads `onet_reported.jsonl` from `dir`, or, when absent or asked to, writes it from the
/// O*NET files under `data_dir` ([`crate::catalog::onet::held_out_reported`]): one query per
/// held-out title, gold the ESCO occupations its O*NET occupations map to.
pub fn load_or_generate_onet(data_dir: &Path, dir: &Path, regenerate: bool) -> Result<Vec<EvalQuery>> {
    let path = dir.join(ONET_FILE);
    if path.exists() && !regenerate {
        return read_jsonl(&path);
    }
    let items: Vec<EvalQuery> = crate::catalog::onet::held_out_reported(data_dir)?
        .into_iter()
        .enumerate()
        .map(|(i, (text, uris))| EvalQuery {
            id: format!("o-{:04}", i + 1),
            query: text,
            lang: Lang::En,
            taxonomy: Some(Taxonomy::Esco),
            gold: uris.into_iter().map(|code| OccupationId { taxonomy: Taxonomy::Esco, code }).collect(),
            original: None,
        })
        .collect();
    write_jsonl(&path, &items)?;
    tracing::info!(path = %path.display(), queries = items.len(), "wrote the O*NET title split");
    Ok(items)
}

/// Loads the typo file `name` when it covers exactly `queries` (same ids, same order);
/// otherwise generates the typo queries and writes the file.
pub fn load_or_generate_typos(
    dir: &Path,
    name: &str,
    queries: &[EvalQuery],
    seed: u64,
    regenerate: bool,
) -> Result<Vec<EvalQuery>> {
    let path = dir.join(name);
    if path.exists() && !regenerate {
        let loaded: Vec<EvalQuery> = read_jsonl(&path)?;
        if loaded.len() == queries.len() && loaded.iter().zip(queries).all(|(a, b)| a.id == b.id) {
            return Ok(loaded);
        }
    }
    let items: Vec<EvalQuery> = queries
        .iter()
        .map(|q| {
            let mut rng = StdRng::seed_from_u64(seed ^ fnv(&q.id));
            EvalQuery { query: add_typos(&q.query, &mut rng), original: Some(q.query.clone()), ..q.clone() }
        })
        .collect();
    write_jsonl(&path, &items)?;
    tracing::info!(path = %path.display(), queries = items.len(), "wrote the typo split");
    Ok(items)
}

/// The hand-written natural queries.
pub fn load_natural(path: &Path) -> Result<Vec<EvalQuery>> {
    read_jsonl(path)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}
