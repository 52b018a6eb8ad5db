//! Hybrid search modes and evaluation splits on the fixture index (offline, deterministic).

mod common;

use boussole::catalog::{Lang, Taxonomy};
use boussole::eval::{kept_forms, splits::generate_heldout};
use boussole::search::{Retrieval, SearchRequest};

fn first_code(text: &str, retrieval: Retrieval) -> String {
    let req = SearchRequest { text: text.into(), lang: Lang::Fr, taxonomy: Some(Taxonomy::Rome), limit: 5 };
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
    let req = SearchRequest { text: "devloppeur web".into(), lang: Lang::Fr, taxonomy: None, limit: 10 };
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
