//! Hybrid search modes and evaluation splits on the fixture index (offline, deterministic).

mod common;

use boussole::catalog::{Lang, Taxonomy};
use boussole::eval::{kept_forms, splits::generate_heldout};
use boussole::search::{Retrieval, SearchRequest};

fn first_code(text: &str, retrieval: Retrieval) -> String {
    let req = SearchRequest {
        text: text.into(),
        lang: Lang::Fr,
        taxonomy: Some(Taxonomy::Rome),
        limit: 5,
        filter: Default::default(),
    };
    let results = common::engine().search_with(&req, retrieval).expect("search");
    results.first().map(|r| r.id.code.clone()).unwrap_or_default()
}

#[test]
fn feminine_typo_and_unaccented_queries_find_the_bakery_fiche_in_every_mode() {
    for retrieval in [Retrieval::Lexical, Retrieval::Hybrid] {
        assert_eq!(first_code("boulangère", retrieval), "D1102", "{retrieval:?}");
        assert_eq!(first_code("boulangere", retrieval), "D1102", "{retrieval:?}");
        assert_eq!(first_code("boulangé", retrieval), "D1102", "{retrieval:?}");
    }
    assert_eq!(first_code("boulangère", Retrieval::Dense), "D1102");
}

#[test]
fn hybrid_results_are_distinct_explained_and_scored_in_unit_range() {
    let req = SearchRequest {
        text: "devloppeur web".into(),
        lang: Lang::Fr,
        taxonomy: None,
        limit: 10,
        filter: Default::default(),
    };
    let results = common::engine().search(&req).unwrap();
    let mut ids: Vec<_> = results.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), results.len());
    assert!(results.iter().all(|r| !r.matched.is_empty() && (0.0..=1.0).contains(&r.score)));
    assert!(results.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn heldout_split_is_deterministic_and_removed_from_the_index() {
    let engine = common::engine();
    let catalogue = engine.index().catalogue();
    let a = generate_heldout(catalogue, 42, 0.15);
    let b = generate_heldout(catalogue, 42, 0.15);
    assert_eq!(a, b);
    assert!(!a.is_empty());
    assert_ne!(a, generate_heldout(catalogue, 7, 0.15));
    let kept = kept_forms(&engine, &a);
    for h in &a {
        let occ = engine.find(h.taxonomy, &h.code).unwrap();
        assert!(
            catalogue.forms.iter().enumerate().all(|(i, f)| !(kept[i] && f.occupation == occ && f.text == h.text)),
            "{} still indexed",
            h.text
        );
    }
}

/// The blind sets are the ones frozen before any tuning (`FROZEN.sha256`), four authors with
/// at least 120 graded queries each over the eight styles, and nothing the engine ships was
/// written from them: no facet phrasing repeats a blind or young-people query.
#[test]
fn blind_sets_are_frozen_complete_and_never_fed_to_the_engine() {
    use boussole::eval::blind::{load_dir, BLIND_STYLES};
    use boussole::text::fold;
    let dir = common::root().join("datasets/eval/blind");
    let frozen = std::fs::read_to_string(dir.join("FROZEN.sha256")).expect("FROZEN.sha256");
    let mut files = 0;
    for line in frozen.lines().filter(|l| !l.trim().is_empty()) {
        let (sum, name) = line.split_once("  ").expect("sha256sum format");
        let (actual, _) = boussole::fsutil::sha256_file(&dir.join(name)).expect("read set");
        assert_eq!(actual, sum, "{name} changed after it was frozen");
        files += 1;
    }
    let sets = load_dir(&dir).expect("blind sets load");
    assert_eq!(files, sets.len(), "every set is frozen");
    assert!(sets.len() >= 3, "at least three authors");
    for set in &sets {
        assert!(set.queries.len() >= 120, "{}: {} queries", set.author, set.queries.len());
        for style in BLIND_STYLES {
            assert!(set.queries.iter().filter(|q| q.style == style).count() >= 15, "{}: style {style}", set.author);
        }
    }
    let dev: Vec<&str> =
        sets.iter().filter(|s| s.queries.iter().any(|q| q.split == "dev")).map(|s| s.author.as_str()).collect();
    assert_eq!(dev.len(), 1, "one author's set has a dev part: {dev:?}");
    let queries: std::collections::HashSet<String> =
        sets.iter().flat_map(|s| s.queries.iter().map(|q| fold(&q.query))).collect();
    let table = boussole::catalog::FacetTable::builtin();
    for facet in &table.facets {
        for phrase in &facet.phrases {
            assert!(!queries.contains(&fold(phrase)), "facet {} phrasing copies a blind query: {phrase}", facet.id);
        }
    }
}

/// Built from the data: every acronym the fixture's titles write in capitals names its title
/// when typed alone, and inside a sentence about something else it is a fragment that no
/// longer decides the ranking; the sentence's meaning does.
#[test]
fn every_title_acronym_names_alone_and_is_a_fragment_in_a_sentence() {
    let engine = common::engine();
    let catalogue = engine.index().catalogue();
    let mut acronyms: Vec<(String, u32)> = Vec::new();
    for (i, form) in catalogue.forms.iter().enumerate() {
        for token in form.text.split(|c: char| !c.is_alphanumeric()) {
            let n = token.chars().count();
            if (2..=5).contains(&n) && token.chars().all(|c| c.is_ascii_uppercase()) {
                acronyms.push((token.to_lowercase(), i as u32));
            }
        }
    }
    assert!(!acronyms.is_empty(), "the fixture titles hold acronyms");
    let lexical = engine.lexical();
    let mut checked = 0;
    for (acronym, form) in &acronyms {
        // Some capitals are also ordinary title words (lower case elsewhere): not acronyms.
        if !lexical.is_acronym(acronym) {
            continue;
        }
        let alone = lexical.search(acronym, 50, &|_| true);
        assert!(alone.iter().any(|h| h.form == *form && h.score > 0.5), "`{acronym}` alone names its title");
        let sentence = format!("je voudrais un métier calme {acronym} avec des horaires fixes");
        let hits = lexical.search(&sentence, 50, &|_| true);
        let fragment = hits.iter().find(|h| h.form == *form).map_or(0.0, |h| h.score);
        assert!(fragment < 0.5, "`{acronym}` decides a sentence about something else: {fragment}");
        checked += 1;
    }
    assert!(checked > 0, "at least one acronym checked among {acronyms:?}");
}
