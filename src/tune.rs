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
//! * an essential skill or ROME compétence → the occupation's label (a few per occupation);
//! * the same titles with seeded keyboard typos ([`crate::text::add_typos`]) → the label;
//! * compositional queries: a centre d'intérêt or an essential skill joined to a phrasing of
//!   one of the métier's facets (a ROME contexte de travail or its entry level, phrasings from
//!   `datasets/facets/facets.tsv`) → the métier; and the same with the facet ruled out ("…
//!   mais pas travailler de nuit", "… but not work nights") → a métier of that interest or
//!   skill *without* the facet, with a sibling that has it as the pair's hard negative.
//!
//! The compositional templates are fixed and few (" et ", " mais pas "…): the facts (which
//! métier has which interest, skill, contexte and level) come from ROME, ESCO and the
//! crosswalk; nothing is written against an evaluation query.
//!
//! No text of any evaluation file (queries, held-out labels, typo originals; blind sets
//! included) enters a pair: [`eval_exclusions`] reads them all and [`mine_pairs`] drops every
//! pair touching one. Pairs are grouped by occupation, ROME and ESCO occupations linked by an
//! exact or close crosswalk match sharing one group, so that a batch never treats a synonym
//! across taxonomies as a negative.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};

use crate::catalog::{
    form_key, Catalogue, FacetIdx, FacetKind, FacetTable, FormKind, Lang, MatchRelation, OccupationIdx, PassageKind,
    SkillRelation, Taxonomy,
};
use crate::embed::train::TrainPair;
use crate::text::add_typos;

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
    /// A title with keyboard typos → label.
    Typo,
    /// Interest or skill joined to a facet phrasing → an occupation with both.
    Composed,
    /// Interest or skill with a facet ruled out → an occupation without it (hard negative:
    /// one with it).
    Excluded,
}

impl PairKind {
    /// Built from templates rather than read as such: kept whole when the pairs are capped
    /// (they are few and they are what the plain facts do not teach).
    fn synthetic(self) -> bool {
        matches!(self, PairKind::Typo | PairKind::Composed | PairKind::Excluded)
    }
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
    /// One title in this many also gets a typo'd copy.
    pub typo_every: usize,
    /// Compositional queries per occupation and language.
    pub composed_per_occupation: usize,
    /// Ruled-out-facet queries per centre d'intérêt or skill and language at most.
    pub excluded_per_anchor: usize,
}

impl Default for MineOptions {
    fn default() -> Self {
        MineOptions {
            seed: 42,
            max_pairs: 90_000,
            skills_per_occupation: 3,
            typo_every: 10,
            composed_per_occupation: 2,
            excluded_per_anchor: 1,
        }
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
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed);
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut push = |kind, anchor: &str, positive: &str, occ: OccupationIdx| {
        if form_key(anchor) != form_key(positive) {
            let pair = TrainPair {
                anchor: anchor.to_owned(),
                positive: positive.to_owned(),
                negative: None,
                group: group[occ as usize],
            };
            candidates.push(Candidate { kind, pair });
        }
    };
    for form in &catalogue.forms {
        if matches!(form.kind, FormKind::Preferred | FormKind::Gendered) {
            continue;
        }
        if let Some(positive) = label(form.occupation, form.lang) {
            push(PairKind::Title, &form.text, positive, form.occupation);
            if rng.random_range(0..options.typo_every.max(1)) == 0 {
                push(PairKind::Typo, &add_typos(&form.text, &mut rng), positive, form.occupation);
            }
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
                .filter(|s| s.relation == SkillRelation::Essential)
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

    compose(catalogue, &group, options, &mut rng, &mut candidates);

    let mut counts = BTreeMap::new();
    let mut seen = HashSet::new();
    let (mut synthetic, mut facts) = (Vec::new(), Vec::new());
    let mut dropped = 0;
    for Candidate { kind, pair } in candidates {
        let texts = [Some(&pair.anchor), Some(&pair.positive), pair.negative.as_ref()];
        if texts.into_iter().flatten().any(|t| excluded.contains(&form_key(t))) {
            dropped += 1;
            continue;
        }
        if !seen.insert((pair.anchor.clone(), pair.positive.clone())) {
            continue;
        }
        *counts.entry(kind).or_insert(0) += 1;
        if kind.synthetic() {
            synthetic.push(pair);
        } else {
            facts.push(pair);
        }
    }
    synthetic.truncate(options.max_pairs);
    facts.shuffle(&mut rng);
    facts.truncate(options.max_pairs - synthetic.len());
    let mut pairs = synthetic;
    pairs.extend(facts);
    pairs.shuffle(&mut rng);
    Mined { pairs, counts, excluded: dropped }
}

/// A mined pair before the evaluation texts are dropped.
struct Candidate {
    kind: PairKind,
    pair: TrainPair,
}

/// Occupations sharing a skill at most, for it to anchor a ruled-out-facet query.
const MAX_SHARING: usize = 60;

/// Joins an anchor and a facet phrasing: (language, template) with `{a}` and `{p}`.
const WITH: [(Lang, &str); 4] =
    [(Lang::Fr, "{a} et {p}"), (Lang::Fr, "{a}, {p}"), (Lang::En, "{a} and {p}"), (Lang::En, "{a}, {p}")];

/// Rules a facet out.
const WITHOUT: [(Lang, &str); 4] = [
    (Lang::Fr, "{a} mais pas {p}"),
    (Lang::Fr, "{a} mais je ne veux pas {p}"),
    (Lang::En, "{a} but not {p}"),
    (Lang::En, "{a} but I don't want to {p}"),
];

fn fill(template: &str, anchor: &str, phrase: &str) -> String {
    template.replace("{a}", anchor).replace("{p}", phrase)
}

fn template<'t>(templates: &'t [(Lang, &'static str)], lang: Lang, rng: &mut impl Rng) -> &'t str {
    let of_lang: Vec<&str> = templates.iter().filter(|(l, _)| *l == lang).map(|(_, t)| *t).collect();
    of_lang.choose(rng).copied().unwrap_or("{a} {p}")
}

/// A phrasing of `facet` that reads after "mais pas" / "but not": a verb or noun phrase, not a
/// sentence about oneself ("j'ai un CAP", "I have a CAP").
fn negatable(phrase: &str) -> bool {
    let lower = phrase.to_lowercase();
    !["j'", "je ", "i ", "i'", "my ", "mon ", "ma "].iter().any(|p| lower.starts_with(p))
}

/// The compositional and ruled-out-facet pairs (see the module docs).
fn compose(catalogue: &Catalogue, group: &[u32], options: MineOptions, rng: &mut impl Rng, out: &mut Vec<Candidate>) {
    let table = FacetTable::builtin();
    let facets_of = table.of_occupations(catalogue);
    // Facets a person can say and that split métiers: contexts and the entry levels; a level
    // can be ruled out only as "long studies".
    let usable: Vec<Vec<FacetIdx>> = facets_of
        .iter()
        .map(|fs| {
            fs.iter()
                .copied()
                .filter(|&f| table.get(f).detect && matches!(table.get(f).kind, FacetKind::Context | FacetKind::Level))
                .collect()
        })
        .collect();
    let ruled_out = |f: FacetIdx| {
        let facet = table.get(f);
        facet.detect && (facet.kind == FacetKind::Context || facet.id == "level-bac5")
    };
    let label = |o: OccupationIdx, lang: Lang| catalogue.occupations[o as usize].label.get(lang);
    let mut push = |kind, anchor: String, positive: &str, negative: Option<&str>, o: OccupationIdx| {
        let pair = TrainPair {
            anchor,
            positive: positive.to_owned(),
            negative: negative.map(str::to_owned),
            group: group[o as usize],
        };
        out.push(Candidate { kind, pair });
    };

    // What a person may say they like: a ROME fiche's centres d'intérêt (French), an ESCO
    // occupation's essential skills (both languages).
    let likes = |o: usize, lang: Lang| -> Vec<&str> {
        let occ = &catalogue.occupations[o];
        match occ.id.taxonomy {
            Taxonomy::Rome if lang == Lang::Fr => occ.interests.iter().map(String::as_str).collect(),
            Taxonomy::Esco => occ
                .skills
                .iter()
                .filter(|s| s.relation == SkillRelation::Essential)
                .filter_map(|s| catalogue.skills[s.skill as usize].label.get(lang))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (o, occ) in catalogue.occupations.iter().enumerate() {
        for lang in [Lang::Fr, Lang::En] {
            let (Some(positive), liked) = (occ.label.get(lang), likes(o, lang)) else { continue };
            if liked.is_empty() || usable[o].is_empty() {
                continue;
            }
            for _ in 0..options.composed_per_occupation {
                let (Some(a), Some(&f)) = (liked.choose(rng), usable[o].choose(rng)) else { continue };
                let Some(p) = table.get(f).phrases_in(lang).choose(rng) else { continue };
                let t = template(&WITH, lang, rng);
                push(PairKind::Composed, fill(t, a, p), positive, None, o as OccupationIdx);
            }
        }
    }

    // Ruled out: occupations sharing a like, split by a facet.
    let mut sharing: BTreeMap<(Lang, &str), Vec<OccupationIdx>> = BTreeMap::new();
    for o in 0..catalogue.occupations.len() {
        for lang in [Lang::Fr, Lang::En] {
            for a in likes(o, lang) {
                sharing.entry((lang, a)).or_default().push(o as OccupationIdx);
            }
        }
    }
    for ((lang, a), occs) in sharing {
        // A skill many occupations share ("use a computer") says little about which one; a
        // ROME centre d'intérêt is made to group many fiches, and its groups are split more.
        let interest = occs.iter().all(|&o| catalogue.occupations[o as usize].id.taxonomy == Taxonomy::Rome);
        if occs.len() < 2 || (!interest && occs.len() > MAX_SHARING) {
            continue;
        }
        let take = if interest { occs.len() / 2 } else { options.excluded_per_anchor };
        let mut splitting: Vec<FacetIdx> = occs.iter().flat_map(|&o| usable[o as usize].iter().copied()).collect();
        splitting.sort_unstable();
        splitting.dedup();
        splitting.retain(|&f| ruled_out(f) && occs.iter().any(|&o| !usable[o as usize].contains(&f)));
        splitting.shuffle(rng);
        for &f in splitting.iter().take(take) {
            let (with, without): (Vec<OccupationIdx>, Vec<OccupationIdx>) =
                occs.iter().partition(|&&o| usable[o as usize].contains(&f));
            let (Some(&pos), Some(&neg)) = (without.choose(rng), with.choose(rng)) else { continue };
            let (Some(positive), Some(negative)) = (label(pos, lang), label(neg, lang)) else { continue };
            let phrases: Vec<&String> = table.get(f).phrases_in(lang).iter().filter(|p| negatable(p)).collect();
            let Some(p) = phrases.choose(rng) else { continue };
            let t = template(&WITHOUT, lang, rng);
            push(PairKind::Excluded, fill(t, a, p), positive, Some(negative), pos);
        }
    }
}
