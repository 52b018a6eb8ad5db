//! Property-based fuzzing of everything that reads untrusted text: query understanding, the
//! lexical channel, full searches and profiles, and the index manifest reader. Each property
//! asserts "a result or a clear error, never a panic", with bounded output. Time-boxed: the
//! case counts keep this file under ~30 s in CI (`PROPTEST_CASES` raises them for a long run).

mod common;

use boussole::catalog::Lang;
use boussole::index::read_manifest;
use boussole::search::{ProfileRequest, SearchRequest};
use proptest::prelude::*;

/// Text as users and attackers type it: any Unicode scalar, plus the characters that stress
/// folding, tokenising and spelling correction in particular.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "é", "Œ", "ﬁ", "ß", "İ", "\u{301}", "\u{200b}", "\u{feff}", "'", "’", "-", "/", "\t", "\n", " ", "  ", "<s>",
        "</s>", "<mask>", "😀", "日本", "ا", "aaaa", "tech", "j'kiffe", "pa", "de", "0", "%", "\\", "\"",
    ]);
    prop::collection::vec(prop_oneof![any::<char>().prop_map(String::from), special.prop_map(String::from)], 0..max)
        .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn understanding_and_lexical_search_never_panic(text in hostile_text(120)) {
        let engine = common::engine();
        let understood = engine.understand(&text);
        prop_assert!(understood.positive.chars().count() <= text.chars().count() * 8 + 64);
        let hits = engine.lexical().search(&text, 50, &|_| true);
        prop_assert!(hits.len() <= 50);
        prop_assert!(hits.iter().all(|h| h.score.is_finite() && (0.0..=1.0 + 1e-6).contains(&h.score)));
        prop_assert!(engine.search_skills(&text, Lang::Fr, 10).map_or(0, |hits| hits.len()) <= 10);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn searches_and_profiles_answer_or_refuse(text in hostile_text(80), limit in 0usize..60, skills in prop::collection::vec(hostile_text(30), 0..6)) {
        let engine = common::engine();
        let req = SearchRequest { text: text.clone(), lang: Lang::Fr, taxonomy: None, limit, filter: Default::default() };
        if let Ok(results) = engine.search(&req) {
            prop_assert!(results.len() <= limit);
            prop_assert!(results.iter().all(|r| r.score.is_finite()));
        }
        let profile = ProfileRequest { text: Some(text), skills, interests: Vec::new(), lang: Lang::En, taxonomy: None, filter: Default::default(), limit: limit.max(1), riasec: None };
        if let Ok(results) = engine.match_profile(&profile) {
            prop_assert!(results.len() <= limit.max(1));
        }
    }

    /// A manifest of arbitrary content is refused with an error, never a panic.
    #[test]
    fn manifests_of_any_content_are_refused_cleanly(body in prop_oneof![
        hostile_text(200),
        Just("{\"format_version\": 3}".to_string()),
        Just("{\"format_version\": 3, \"counts\": null}".to_string()),
        Just("[1, 2, 3]".to_string()),
    ]) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("manifest.json"), body).unwrap();
        prop_assert!(read_manifest(dir.path()).is_err());
    }
}
