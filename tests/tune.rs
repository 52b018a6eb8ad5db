//! The boussole-tuned encoder: its committed artefact is reproducible from the open data, holds
//! no evaluation text, and the merged model (written by `scripts/setup.sh`) runs in the int8
//! encoder with the vectors of its f32 reference.

use std::path::Path;

use boussole::catalog::{form_key, load_catalogue, Sources};
use boussole::embed::train::{pairs_sha256, TuneManifest};
use boussole::embed::{BertEmbedder, Embedder, TextRole};
use boussole::tune::{eval_exclusions, mine_pairs, MineOptions};

mod common;

use common::root;

fn artefact() -> TuneManifest {
    TuneManifest::read(&root().join("models/boussole-tune")).expect("the committed artefact models/boussole-tune")
}

/// Re-mining with the artefact's seed gives the very pairs it was trained on (same hash), and
/// no pair contains a text of any evaluation file, blind sets included.
#[test]
fn training_pairs_are_reproducible_and_hold_no_evaluation_text() {
    let manifest = artefact();
    let catalogue = load_catalogue(&root().join("datasets/official"), "all".parse::<Sources>().unwrap()).unwrap();
    let excluded = eval_exclusions(&root().join("datasets/eval")).unwrap();
    // Every evaluation family is read: held-out labels, typo queries and originals, the O*NET
    // split, the natural and young sets, and the four blind sets.
    assert!(excluded.len() > 5_000, "{} evaluation texts", excluded.len());
    for probe in ["datasets/eval/blind/enc.jsonl", "datasets/eval/young_queries.jsonl", "datasets/eval/heldout.jsonl"] {
        let first = std::fs::read_to_string(root().join(probe)).unwrap();
        let line: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
        let text = line.get("query").or_else(|| line.get("text")).and_then(|v| v.as_str()).unwrap();
        assert!(excluded.contains(&form_key(text)), "{probe}: {text:?} not excluded");
    }
    let options = MineOptions { seed: manifest.config.seed, max_pairs: manifest.pairs, ..MineOptions::default() };
    let mined = mine_pairs(&catalogue, &excluded, options);
    assert!(mined.excluded > 0, "held-out labels are catalogue texts: some pairs must have been dropped");
    assert_eq!(mined.pairs.len(), manifest.pairs);
    assert_eq!(pairs_sha256(&mined.pairs), manifest.pairs_sha256, "pairs differ from the artefact's");
    for p in &mined.pairs {
        assert!(!excluded.contains(&form_key(&p.anchor)), "evaluation text in training: {:?}", p.anchor);
        assert!(!excluded.contains(&form_key(&p.positive)), "evaluation text in training: {:?}", p.positive);
        if let Some(n) = &p.negative {
            assert!(!excluded.contains(&form_key(n)), "evaluation text in training: {n:?}");
        }
    }
}

/// The merged model is the base model with the artefact's layers: named and fingerprinted
/// apart (an index built with one is refused by the other), carrying the artefact's manifest.
#[test]
fn merged_model_has_its_own_fingerprint_and_names_the_artefact() {
    let tuned = BertEmbedder::load(&common::tuned_model_dir()).unwrap();
    let base = BertEmbedder::load(&common::model_dir()).unwrap();
    let manifest = artefact();
    assert_eq!(tuned.manifest().name, manifest.tuned_name);
    assert_eq!(manifest.base_fingerprint, base.manifest().fingerprint());
    assert_ne!(tuned.manifest().fingerprint(), base.manifest().fingerprint());
    assert!(tuned.manifest().source.contains(&manifest.fingerprint()));
    let size = std::fs::metadata(root().join("models/boussole-tune/tuned-layers.safetensors")).unwrap().len();
    assert!(size <= 25 << 20, "artefact is {size} bytes");
}

/// The packed int8 encoder runs the tuned weights with the vectors of candle's f32 BERT over
/// the same weights.
#[test]
fn int8_encoder_matches_the_f32_reference_of_the_tuned_model() {
    use candle_core::{DType, Device, Tensor};
    use candle_transformers::models::bert::{BertModel, Config};
    let dir = common::tuned_model_dir();
    let ours = BertEmbedder::load(&dir).unwrap();
    let config: Config = serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let weights: &Path = &dir.join("model.safetensors");
    // SAFETY: read-only map of a file no one writes during the test.
    let vb = unsafe { candle_nn::VarBuilder::from_mmaped_safetensors(&[weights], DType::F32, &Device::Cpu).unwrap() };
    let reference = BertModel::load(vb, &config).unwrap();
    let texts = ["aide-soignante en ehpad", "I'm into fixing things around the house", "développeur web", "lube tech"];
    for (text, role) in texts.iter().flat_map(|t| [(t, TextRole::Query), (t, TextRole::Passage)]) {
        let ids = ours.token_ids(text, role).unwrap();
        let n = ids.len();
        let ids = Tensor::from_vec(ids, (1, n), &Device::Cpu).unwrap();
        let hidden = reference.forward(&ids, &ids.zeros_like().unwrap(), None).unwrap();
        let pooled = hidden.mean(1).unwrap().squeeze(0).unwrap().to_vec1::<f32>().unwrap();
        let v = ours.embed(&[text], role).unwrap().remove(0);
        let dot: f32 = v.iter().zip(&pooled).map(|(a, b)| a * b).sum();
        let cos = dot / pooled.iter().map(|b| b * b).sum::<f32>().sqrt();
        assert!(cos > 0.995, "{text:?} ({role:?}): cosine {cos}");
    }
}

/// The compositional pairs state facts: an anchor that rules a facet out ("… mais pas
/// travailler de nuit") has a positive métier without that facet and a hard negative with it,
/// both sharing the anchor's centre d'intérêt; typo'd titles and composed queries are there.
#[test]
fn ruled_out_facets_point_away_from_the_metiers_that_have_them() {
    use boussole::catalog::{FacetTable, Lang, Taxonomy};
    use boussole::tune::PairKind;
    use std::collections::HashMap;
    let catalogue = load_catalogue(&root().join("datasets/official"), "all".parse::<Sources>().unwrap()).unwrap();
    let mined = mine_pairs(&catalogue, &Default::default(), MineOptions::default());
    for kind in [PairKind::Typo, PairKind::Composed, PairKind::Excluded] {
        assert!(mined.counts.get(&kind).is_some_and(|&n| n > 1_000), "{kind:?}: {:?}", mined.counts);
    }
    let table = FacetTable::builtin();
    let facets_of = table.of_occupations(&catalogue);
    let fiche: HashMap<&str, usize> = catalogue
        .occupations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.id.taxonomy == Taxonomy::Rome)
        .filter_map(|(i, o)| Some((o.label.get(Lang::Fr)?, i)))
        .collect();
    let mut checked = 0;
    for pair in mined.pairs.iter().filter(|p| p.negative.is_some()) {
        let negative = pair.negative.as_deref().unwrap();
        assert_ne!(negative, pair.positive);
        // ROME interests ("J'aime …") in French: the facet is found from its phrasing.
        let Some((interest, phrase)) = pair.anchor.split_once(" mais pas ") else { continue };
        let (Some(&pos), Some(&neg)) = (fiche.get(pair.positive.as_str()), fiche.get(negative)) else { continue };
        if !catalogue.occupations[pos].interests.iter().any(|i| i == interest) {
            continue;
        }
        assert!(catalogue.occupations[neg].interests.iter().any(|i| i == interest), "{pair:?}");
        let facet = (0..table.facets.len() as u16)
            .find(|&f| table.get(f).phrases_in(Lang::Fr).iter().any(|p| p == phrase))
            .unwrap_or_else(|| panic!("{phrase:?} is no facet phrasing"));
        let shared = table.facets.iter().filter(|f| f.phrases_in(Lang::Fr).iter().any(|p| p == phrase)).count();
        if shared > 1 {
            continue;
        }
        assert!(!facets_of[pos].contains(&facet), "{pair:?}: the positive has the ruled-out facet");
        assert!(facets_of[neg].contains(&facet), "{pair:?}: the hard negative lacks the facet");
        checked += 1;
    }
    assert!(checked > 100, "{checked} ruled-out pairs checked");
}
