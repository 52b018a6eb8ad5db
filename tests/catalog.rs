//! Catalogue loading on the committed fixtures (`datasets/fixtures`, built by
//! `datasets/fixtures/make_fixtures.py`) and, when present, on the real datasets.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use boussole::catalog::{
    form_key, load_catalogue, CatalogError, Catalogue, EducationLevel, FormKind, Kinship, Lang, MatchRelation,
    Occupation, Passage, PassageKind, SkillKind, SkillRelation, Sources, SurfaceForm, Taxonomy,
};

const BAKER_URI: &str = "http://data.europa.eu/esco/occupation/1aadb308-432a-4d01-b54b-b4f7f76dd419";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/fixtures")
}

/// Every source, O*NET's titles included.
fn load_fixture() -> Catalogue {
    load_catalogue(&fixtures(), "esco,rome,onet".parse().expect("sources")).expect("fixture loads")
}

fn find<'a>(cat: &'a Catalogue, taxonomy: Taxonomy, code: &str) -> (u32, &'a Occupation) {
    let (i, occupation) = cat
        .occupations
        .iter()
        .enumerate()
        .find(|(_, o)| o.id.taxonomy == taxonomy && o.id.code == code)
        .unwrap_or_else(|| panic!("{taxonomy}:{code} not in catalogue"));
    (i as u32, occupation)
}

fn forms_of(cat: &Catalogue, occupation: u32, lang: Lang) -> Vec<(&str, FormKind)> {
    cat.forms
        .iter()
        .filter(|f| f.occupation == occupation && f.lang == lang)
        .map(|f| (f.text.as_str(), f.kind))
        .collect()
}

fn count(cat: &Catalogue, taxonomy: Taxonomy) -> (usize, usize, usize) {
    let occupations = cat.occupations.iter().filter(|o| o.id.taxonomy == taxonomy);
    let links: usize = occupations.clone().map(|o| o.skills.len()).sum();
    let skills = cat.skills.iter().filter(|s| s.id.taxonomy == taxonomy).count();
    (occupations.count(), skills, links)
}

/// Numbers printed by `make_fixtures.py` when it built the fixture.
#[test]
fn fixture_has_expected_counts() {
    let cat = load_fixture();
    assert!(cat.issues.is_empty(), "unexpected issues: {:?}", cat.issues);
    assert_eq!(count(&cat, Taxonomy::Rome), (40, 899, 1200));
    assert_eq!(count(&cat, Taxonomy::Esco), (40, 330, 434));
    let crosswalk_links: usize =
        cat.occupations.iter().filter(|o| o.id.taxonomy == Taxonomy::Esco).map(|o| o.links.len()).sum();
    assert_eq!(crosswalk_links, 38);
    // ROME first, each taxonomy sorted by code.
    assert_eq!(cat.occupations[0].id.code, "A1101");
    assert!(cat.occupations.windows(2).all(|w| (w[0].id.taxonomy, &w[0].id.code) < (w[1].id.taxonomy, &w[1].id.code)));

    let names: Vec<(&str, &str)> = cat.datasets.iter().map(|d| (d.name.as_str(), d.version.as_str())).collect();
    assert_eq!(
        names,
        vec![
            ("rome", "4.60"),
            ("onisep-ideo-metiers", "2022-04"),
            ("esco", "1.1.1"),
            ("rome-esco-crosswalk", "1.4"),
            ("onet-titles", "29.2")
        ]
    );
    assert!(cat.datasets.iter().all(|d| d.sha256.len() == 64));
}

#[test]
fn loading_is_deterministic() {
    let (a, b) = (load_fixture(), load_fixture());
    assert_eq!(a, b);
}

#[test]
fn multi_line_alt_labels_are_split() {
    let cat = load_fixture();
    assert!(cat.forms.iter().all(|f| !f.text.contains('\n') && !f.text.trim().is_empty()));
    let (baker, occupation) = find(&cat, Taxonomy::Esco, BAKER_URI);
    assert_eq!(occupation.label.en.as_deref(), Some("baker"));
    assert_eq!(occupation.isco_group.as_deref(), Some("7512"));
    assert!(occupation.description.fr.is_some() && occupation.description.en.is_some());
    let en = forms_of(&cat, baker, Lang::En);
    for alt in ["bakery specialist", "bakery employee", "bread baker"] {
        assert!(en.contains(&(alt, FormKind::Alt)), "{alt} missing from {en:?}");
    }
    // "baker" is both the preferred and an alt label: one form, Preferred.
    assert_eq!(en.iter().filter(|(t, _)| *t == "baker").collect::<Vec<_>>(), vec![&("baker", FormKind::Preferred)]);
    let fr = forms_of(&cat, baker, Lang::Fr);
    assert!(fr.contains(&("boulanger/boulangère", FormKind::Preferred)));
    assert!(fr.contains(&("ouvrier en boulangerie", FormKind::Alt)));
}

#[test]
fn gendered_forms_are_emitted() {
    let cat = load_fixture();
    let (idx, fiche) = find(&cat, Taxonomy::Rome, "D1102");
    assert_eq!(fiche.label.fr.as_deref(), Some("Boulanger / Boulangère"));
    let forms = forms_of(&cat, idx, Lang::Fr);
    assert!(forms.contains(&("Boulanger / Boulangère", FormKind::Preferred)));
    assert!(forms.contains(&("Boulanger", FormKind::Gendered)));
    assert!(forms.contains(&("Boulangère", FormKind::Gendered)));
    assert!(forms.iter().all(|(_, kind)| *kind != FormKind::Alt && *kind != FormKind::Hidden));

    // Shared tail distributed to both genders.
    let (idx, _) = find(&cat, Taxonomy::Rome, "A1503");
    let forms = forms_of(&cat, idx, Lang::Fr);
    assert!(forms.contains(&("Toiletteur / Toiletteuse d'animaux", FormKind::Preferred)));
    assert!(forms.contains(&("Toiletteur d'animaux", FormKind::Gendered)));
    assert!(forms.contains(&("Toiletteuse d'animaux", FormKind::Gendered)));
    assert!(forms.contains(&("Toiletteuse pour chiens", FormKind::Gendered)));
    assert!(forms.contains(&("Toiletteur / Toiletteuse pour chiens", FormKind::Synonym)));

    // ESCO French "masculin/féminin": the genders are also alt labels, which outrank Gendered.
    let tech_director = cat
        .occupations
        .iter()
        .position(|o| o.label.en.as_deref() == Some("technical director"))
        .expect("technical director") as u32;
    let forms = forms_of(&cat, tech_director, Lang::Fr);
    assert!(forms.contains(&("directeur technique/directrice technique", FormKind::Preferred)));
    assert!(forms.iter().any(|(t, _)| *t == "directrice technique"));
}

#[test]
fn forms_are_deduplicated_per_occupation_and_language() {
    let cat = load_fixture();
    let mut seen = HashSet::new();
    for f in &cat.forms {
        assert!(seen.insert((f.occupation, f.lang, form_key(&f.text))), "duplicate form {f:?}");
    }
    // Every occupation has its preferred label as a form in each language it has a label in.
    for (i, o) in cat.occupations.iter().enumerate() {
        for lang in Lang::ALL {
            if let Some(label) = o.label.get(lang) {
                assert!(forms_of(&cat, i as u32, lang).contains(&(label, FormKind::Preferred)), "{}", o.id);
            }
        }
    }
}

#[test]
fn rome_fiche_has_texts_riasec_interests_and_skills() {
    let cat = load_fixture();
    let (_, fiche) = find(&cat, Taxonomy::Rome, "D1102");
    assert_eq!(fiche.riasec, vec!["R"]);
    let definition = fiche.description.fr.as_deref().expect("définition");
    assert!(definition.starts_with("Le Boulanger, artisan essentiel"), "{definition}");
    // Sentences in position order, SQL-doubled apostrophes fixed, each ending with a period.
    assert!(definition.contains("règles d'hygiène et de sécurité alimentaires. Conçoit de nouvelles recettes"));
    assert!(!definition.contains("''"));
    assert!(fiche.access.as_deref().is_some_and(|a| a.contains("CAP Boulanger")));
    assert_eq!(fiche.interests[0], "Je suis passionné / passionnée par la cuisine", "principal centre d'intérêt first");
    assert_eq!(fiche.interests.len(), 3);
    assert!(fiche.description.en.is_none() && fiche.isco_group.is_none());

    assert!(!fiche.skills.is_empty());
    let essential = fiche.skills.iter().filter(|l| l.relation == SkillRelation::Essential).count();
    assert!(essential > 0 && essential < fiche.skills.len(), "core items Essential, others Optional");
    assert!(fiche
        .skills
        .windows(2)
        .all(|w| (w[0].relation != SkillRelation::Essential) <= (w[1].relation != SkillRelation::Essential)));
    for link in &fiche.skills {
        let skill = &cat.skills[link.skill as usize];
        assert_eq!(skill.id.taxonomy, Taxonomy::Rome);
        assert!(skill.label.fr.is_some() && skill.label.en.is_none());
    }
    let kinds: HashSet<SkillKind> =
        cat.skills.iter().filter(|s| s.id.taxonomy == Taxonomy::Rome).map(|s| s.kind).collect();
    assert!(kinds.contains(&SkillKind::Skill) && kinds.contains(&SkillKind::Knowledge));
}

#[test]
fn young_people_evidence_is_loaded_interests_passages_contexts_levels_onisep() {
    let cat = load_fixture();
    // The 30 centres d'intérêt of ROME 4.60, with definitions, linked to the fixture fiches.
    assert_eq!(cat.interests.len(), 30);
    assert!(cat.interests.iter().all(|i| i.definition.as_deref().is_some_and(|d| d.len() > 100)));
    let animals = cat.interests.iter().find(|i| i.label == "J'aime m'occuper des animaux").expect("animal interest");
    let (groomer, _) = find(&cat, Taxonomy::Rome, "A1503");
    assert!(animals.occupations.iter().any(|l| l.occupation == groomer && l.principal));
    // Every fiche has exactly one principal centre d'intérêt.
    for (i, o) in cat.occupations.iter().enumerate().filter(|(_, o)| o.id.taxonomy == Taxonomy::Rome) {
        let principal = cat
            .interests
            .iter()
            .flat_map(|it| &it.occupations)
            .filter(|l| l.occupation == i as u32 && l.principal)
            .count();
        assert_eq!(principal, 1, "{}", o.id);
    }

    // Passages: définition and accès sentences of ROME, first description sentence of ESCO.
    let (baker_fiche, fiche) = find(&cat, Taxonomy::Rome, "D1102");
    let of = |o: u32, kind: PassageKind| cat.passages.iter().filter(|p| p.occupation == o && p.kind == kind).count();
    assert!(of(baker_fiche, PassageKind::Definition) >= 3);
    assert!(of(baker_fiche, PassageKind::Access) >= 1);
    let (baker, _) = find(&cat, Taxonomy::Esco, BAKER_URI);
    let description: Vec<&Passage> = cat.passages.iter().filter(|p| p.occupation == baker).collect();
    assert_eq!(description.len(), 2, "one first sentence per language");
    assert!(description.iter().all(|p| p.kind == PassageKind::Description && !p.text.contains(". ")));

    // Contexts of work and the entry level read from the accès text.
    assert!(!fiche.contexts.is_empty(), "contextes de travail");
    assert_eq!(fiche.entry_level, Some(EducationLevel::Cap), "{:?}", fiche.access);
    let (_, vet) = find(&cat, Taxonomy::Rome, "A1504");
    assert!(vet.entry_level >= Some(EducationLevel::Bac5), "{:?} {:?}", vet.entry_level, vet.access);

    // ONISEP titles are forms of their fiche, with the métier page kept as a link.
    let onisep: Vec<&SurfaceForm> = cat.forms.iter().filter(|f| f.kind == FormKind::Onisep).collect();
    // Most ONISEP titles equal an appellation (which keeps its kind); the others are new forms.
    assert!(onisep.len() >= 20, "{}", onisep.len());
    assert!(cat
        .occupations
        .iter()
        .filter(|o| !o.onisep.is_empty())
        .all(|o| o.id.taxonomy == Taxonomy::Rome
            && o.onisep.iter().all(|u| u.url.starts_with("http") && u.title.is_some())));
}

#[test]
fn esco_skills_have_both_languages_and_kinds() {
    let cat = load_fixture();
    let (_, baker) = find(&cat, Taxonomy::Esco, BAKER_URI);
    assert!(baker.skills.iter().any(|l| l.relation == SkillRelation::Essential));
    let esco: Vec<_> = cat.skills.iter().filter(|s| s.id.taxonomy == Taxonomy::Esco).collect();
    assert!(esco.iter().all(|s| s.label.en.is_some() && s.reuse_level.is_some()));
    assert!(esco.iter().filter(|s| s.label.fr.is_some()).count() > esco.len() * 9 / 10);
    assert!(esco.iter().any(|s| s.kind == SkillKind::Knowledge));
    assert!(esco.iter().any(|s| s.kind == SkillKind::Skill));
}

#[test]
fn crosswalk_links_both_ways() {
    let cat = load_fixture();
    let (fiche_idx, fiche) = find(&cat, Taxonomy::Rome, "D1102");
    let (baker_idx, baker) = find(&cat, Taxonomy::Esco, BAKER_URI);
    // Appellation 11573 "Boulanger / Boulangère" is an exact match; the broad matches of the
    // other appellations of the same fiche do not weaken the pair.
    assert!(baker.links.iter().any(|l| l.target == fiche_idx && l.relation == MatchRelation::Exact));
    assert!(fiche.links.iter().any(|l| l.target == baker_idx && l.relation == MatchRelation::Exact));
    // Links always point into the other taxonomy, and every link has its reverse.
    for (i, o) in cat.occupations.iter().enumerate() {
        let mut targets = HashSet::new();
        for link in &o.links {
            let target = &cat.occupations[link.target as usize];
            assert_ne!(target.id.taxonomy, o.id.taxonomy);
            assert!(
                target.links.iter().any(|back| back.target as usize == i),
                "{} → {} has no reverse",
                o.id,
                target.id
            );
            assert!(targets.insert(link.target), "duplicate link {} → {}", o.id, target.id);
        }
    }
}

#[test]
fn mobilites_and_broader_links_are_kept_in_order_and_both_ways() {
    let cat = load_fixture();
    let (bakery_pastry, _) = find(&cat, Taxonomy::Rome, "D1104");
    let (line_operator, _) = find(&cat, Taxonomy::Rome, "H2102");
    let (_, bakery) = find(&cat, Taxonomy::Rome, "D1102");
    // unix_rubrique_mobilite lists D1104 (numero_ordre 1) before H2102 (8).
    let mobilities: Vec<u32> = bakery.kin.iter().filter(|k| k.kinship == Kinship::Mobility).map(|k| k.target).collect();
    assert_eq!(mobilities, vec![bakery_pastry, line_operator]);

    // broaderRelationsOccPillar: animal groomer (5a940ae0) is narrower than 0b14d5d7.
    let groomer_uri = "http://data.europa.eu/esco/occupation/5a940ae0-3fa4-40f9-8ca4-17bf792da243";
    let parent_uri = "http://data.europa.eu/esco/occupation/0b14d5d7-1bbe-4403-b9e6-7b0f37fc44fc";
    let (groomer_idx, groomer) = find(&cat, Taxonomy::Esco, groomer_uri);
    let (parent_idx, parent) = find(&cat, Taxonomy::Esco, parent_uri);
    assert!(groomer.kin.iter().any(|k| k.target == parent_idx && k.kinship == Kinship::Broader));
    assert!(parent.kin.iter().any(|k| k.target == groomer_idx && k.kinship == Kinship::Narrower));
    // Kin stays inside its taxonomy.
    for o in &cat.occupations {
        assert!(o.kin.iter().all(|k| cat.occupations[k.target as usize].id.taxonomy == o.id.taxonomy));
    }
}

#[test]
fn sources_select_datasets() {
    let esco = load_catalogue(&fixtures(), Sources { esco: true, rome: false, onet: false }).expect("esco only");
    assert!(esco.occupations.iter().all(|o| o.id.taxonomy == Taxonomy::Esco && o.links.is_empty()));
    assert!(esco.skills.iter().all(|s| s.id.taxonomy == Taxonomy::Esco));
    assert_eq!(esco.datasets.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), vec!["esco"]);
    assert!(esco.forms.iter().all(|f| !matches!(f.kind, FormKind::OnetAlternate | FormKind::OnetReported)));
    // O*NET's titles only on request, and only with ESCO (they attach to its occupations).
    let onet = load_catalogue(&fixtures(), "esco,onet".parse().expect("esco,onet")).expect("esco with O*NET");
    assert_eq!(onet.datasets.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), vec!["esco", "onet-titles"]);
    assert!("rome,onet".parse::<Sources>().is_err());
    assert_eq!("all".parse::<Sources>().map(|s| s.to_string()), Ok("esco,rome,onet".to_string()));
    assert_eq!(esco.occupations.len(), 40);

    let rome = load_catalogue(&fixtures(), Sources { esco: false, rome: true, onet: false }).expect("rome only");
    assert!(rome.occupations.iter().all(|o| o.id.taxonomy == Taxonomy::Rome && o.links.is_empty()));
    assert!(rome.forms.iter().all(|f| f.lang == Lang::Fr));
    assert_eq!(rome.datasets.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), vec!["rome", "onisep-ideo-metiers"]);
    assert_eq!("esco".parse::<Sources>(), Ok(Sources { esco: true, rome: false, onet: false }));
}

#[test]
fn broken_rows_are_reported_with_file_and_line() {
    let dir = fixtures().join("broken");
    let cat = load_catalogue(&dir, Sources { esco: false, rome: true, onet: false }).expect("broken ROME still loads");
    let issues: Vec<(&str, usize)> = cat.issues.iter().map(|i| (i.file.as_str(), i.line)).collect();
    let expected = [
        ("rome-4.60/unix_referentiel_code_rome_v460_utf8.csv", 3),
        ("rome-4.60/unix_referentiel_code_rome_v460_utf8.csv", 4),
        ("rome-4.60/unix_texte_v460_utf8.csv", 3),
        ("rome-4.60/unix_referentiel_appellation_v460_utf8.csv", 3),
    ];
    for e in expected {
        assert!(issues.contains(&e), "missing issue {e:?} in {:#?}", cat.issues);
    }
    assert_eq!(cat.issues.len(), expected.len(), "{:#?}", cat.issues);
    let message = |file: &str, line| {
        &cat.issues.iter().find(|i| i.file.ends_with(file) && i.line == line).expect("issue").message
    };
    assert!(message("code_rome_v460_utf8.csv", 3).contains("expected 4 fields, found 3"));
    assert!(message("code_rome_v460_utf8.csv", 4).contains("code_rome"));
    assert!(message("texte_v460_utf8.csv", 3).contains("quote"));
    assert!(message("appellation_v460_utf8.csv", 3).contains("UTF-8"));

    // The good rows around the broken ones are all there.
    let codes: Vec<&str> = cat.occupations.iter().map(|o| o.id.code.as_str()).collect();
    assert_eq!(codes, vec!["D1102", "M1855"]);
    let (d1102, fiche) = find(&cat, Taxonomy::Rome, "D1102");
    assert_eq!(fiche.description.fr.as_deref(), Some("Prépare le pain."));
    assert_eq!(find(&cat, Taxonomy::Rome, "M1855").1.description.fr.as_deref(), Some("Conçoit des sites web."));
    assert_eq!(fiche.riasec, vec!["R", "C"]);
    assert_eq!(fiche.skills.len(), 1);
    assert_eq!(fiche.skills[0].relation, SkillRelation::Essential);
    // The repaired appellation is kept, with U+FFFD where the bad bytes were.
    assert!(forms_of(&cat, d1102, Lang::Fr).iter().any(|(t, _)| t.contains('\u{fffd}')));
}

#[test]
fn missing_column_names_file_and_column() {
    let err = load_catalogue(&fixtures().join("broken"), Sources { esco: true, rome: false, onet: false })
        .expect_err("must fail");
    match err {
        CatalogError::MissingColumn { file, column } => {
            assert_eq!(file, "esco-1.1.1/occupations_en.csv");
            assert_eq!(column, "preferredLabel");
        }
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn missing_file_names_path() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let err = load_catalogue(tmp.path(), Sources { esco: false, rome: true, onet: false }).expect_err("must fail");
    match &err {
        CatalogError::MissingFile { path } => {
            assert!(path.starts_with(tmp.path()));
            assert!(path.ends_with("rome-4.60/unix_referentiel_code_rome_v460_utf8.csv"), "{}", path.display());
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(err.to_string().contains("unix_referentiel_code_rome_v460_utf8.csv"));

    // Both taxonomies present but no crosswalk: the crosswalk file is reported.
    for folder in ["esco-1.1.1", "rome-4.60"] {
        copy_dir(&fixtures().join(folder), &tmp.path().join(folder));
    }
    match load_catalogue(tmp.path(), Sources::default()) {
        Err(CatalogError::MissingFile { path }) => {
            assert!(path.ends_with("crosswalks/rome_esco_mapping_v1.4_2023-06-07.csv"))
        }
        other => panic!("unexpected {other:?}"),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// The real datasets (numbers of docs/pipeline.md): the official extracts committed under `datasets/official`.
#[test]
fn real_datasets_match_readme() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/official");
    let started = Instant::now();
    let cat = load_catalogue(&dir, Sources::default()).expect("real data loads");
    let elapsed = started.elapsed();

    let (rome_occ, rome_skills, _) = count(&cat, Taxonomy::Rome);
    let (esco_occ, esco_skills, esco_links) = count(&cat, Taxonomy::Esco);
    assert_eq!(esco_occ, 3007);
    assert_eq!(esco_skills, 13896);
    // 123,855 relation rows, all distinct pairs, but 67 name occupation URIs that are not in
    // occupations_{en,fr}.csv: those are skipped (and counted in the logs).
    assert_eq!(esco_links, 123_855 - 67);
    assert_eq!(rome_occ, 1584);
    assert!((10_000..=33_671).contains(&rome_skills), "ROME skills {rome_skills}");

    let rome_forms: Vec<_> =
        cat.forms.iter().filter(|f| cat.occupations[f.occupation as usize].id.taxonomy == Taxonomy::Rome).collect();
    let titles = rome_forms
        .iter()
        .filter(|f| matches!(f.kind, FormKind::Preferred | FormKind::Appellation | FormKind::Synonym))
        .count();
    // 1,584 fiche labels + 13,120 appellations, minus those equal to another of their fiche.
    assert!((13_000..=14_704).contains(&titles), "ROME titles {titles}");
    let gendered = rome_forms.iter().filter(|f| f.kind == FormKind::Gendered).count();
    assert!(gendered > 15_000, "ROME gendered forms {gendered}");

    let fiches_linked =
        cat.occupations.iter().filter(|o| o.id.taxonomy == Taxonomy::Rome && !o.links.is_empty()).count();
    assert!((1_300..=1_421).contains(&fiches_linked), "fiches with crosswalk links {fiches_linked}");
    assert!(cat
        .occupations
        .iter()
        .filter(|o| o.id.taxonomy == Taxonomy::Rome)
        .all(|o| o.description.fr.is_some() && !o.riasec.is_empty()));

    // The pre-pass and polars agree on every file (multi-line cells included), and nothing
    // in the files read needs repair.
    assert!(cat.issues.is_empty(), "{:#?}", &cat.issues[..cat.issues.len().min(20)]);

    // Read from the gzipped copies, the datasets hash as the published files (manifests).
    for dataset in &cat.datasets {
        assert_eq!(dataset.sha256.len(), 64);
    }
    assert_eq!(cat.interests.len(), 30);
    assert!(cat.forms.iter().filter(|f| f.kind == FormKind::Onisep).count() > 100);
    let (_, d1102) = find(&cat, Taxonomy::Rome, "D1102");
    assert!(d1102.description.fr.as_deref().is_some_and(|d| d.contains("Boulanger")));
    eprintln!(
        "real data: {} occupations, {} skills, {} forms, {} issues, loaded in {:.2?}",
        cat.occupations.len(),
        cat.skills.len(),
        cat.forms.len(),
        cat.issues.len(),
        elapsed
    );
    for issue in cat.issues.iter().take(20) {
        eprintln!("  issue {}:{}: {}", issue.file, issue.line, issue.message);
    }
}

#[test]
fn onet_titles_are_english_forms_of_the_mapped_esco_occupations() {
    use boussole::catalog::onet::{held_out_reported, is_held_out};
    let cat = load_fixture();
    let onet: Vec<&SurfaceForm> =
        cat.forms.iter().filter(|f| matches!(f.kind, FormKind::OnetAlternate | FormKind::OnetReported)).collect();
    assert!(onet.iter().any(|f| f.kind == FormKind::OnetAlternate));
    assert!(onet.iter().any(|f| f.kind == FormKind::OnetReported));
    assert!(onet.iter().all(|f| f.lang == Lang::En), "O*NET titles are English");
    assert!(onet.iter().all(|f| cat.occupations[f.occupation as usize].id.taxonomy == Taxonomy::Esco));
    // "Back End Developer" (Web Developers) goes to the web developer, the mapped occupation
    // that shares its words, not to every occupation Web Developers map to.
    let back_end: Vec<&str> = onet
        .iter()
        .filter(|f| f.text == "Back End Developer")
        .map(|f| cat.occupations[f.occupation as usize].label.en.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(back_end, vec!["web developer"]);

    // The held-out quarter of the reported titles is in no form, under any code or kind.
    let held = held_out_reported(&fixtures()).expect("held-out split");
    assert!(held.len() >= 20, "{} held-out titles", held.len());
    let keys: HashSet<String> = cat.forms.iter().filter(|f| f.lang == Lang::En).map(|f| form_key(&f.text)).collect();
    for (title, gold) in &held {
        assert!(is_held_out(title));
        assert!(!gold.is_empty() && gold.iter().all(|uri| uri.starts_with("http://data.europa.eu/esco/occupation/")));
        assert!(
            !onet.iter().any(|f| form_key(&f.text) == form_key(title)),
            "held-out `{title}` is a form ({})",
            keys.contains(&form_key(title))
        );
    }
    assert!(onet.iter().all(|f| !is_held_out(&f.text) || f.kind == FormKind::OnetAlternate));
}
