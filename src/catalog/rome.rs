//! ROME 4.x: fiches métiers, appellations, texts, RIASEC, centres d'intérêt, compétences.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use polars::prelude::*;

use super::error::CatalogError;
use super::forms::clean_label;
use super::model::{
    EducationLevel, FormKind, Interest, InterestLink, Kinship, Lang, LangText, Occupation, OccupationId, OccupationIdx,
    Passage, PassageKind, Skill, SkillId, SkillKind, SkillLink, SkillRelation, Taxonomy,
};
use super::prepass::issue;
use super::table::{collect, non_blank, str_col, u64_col, DatasetReader, Table, TableSpec, LINE_COL};
use super::Builder;
use crate::text::fold;

/// Folder of the ROME release this loader reads.
pub const ROME_DIR: &str = "rome-4.60";

/// ROME files are named `unix_<stem>_v460_utf8.csv` after their release.
fn file_name(stem: &str) -> String {
    let version = ROME_DIR.trim_start_matches("rome-").replace('.', "");
    format!("unix_{stem}_v{version}_utf8.csv")
}

/// Stems of every ROME file the loader reads.
const STEMS: [&str; 10] = [
    "referentiel_code_rome",
    "texte",
    "referentiel_code_rome_riasec",
    "arborescence_centre_interet",
    "referentiel_appellation",
    "liens_rome_referentiels",
    "coherence_item",
    "referentiel_competence",
    "referentiel_savoir",
    "rubrique_mobilite",
];

/// The "Compétences" block of a fiche in `unix_liens_rome_referentiels`.
const SKILLS_BLOCK: &str = "5";

/// Optional files: read when present (older extracts and small fixtures may lack them).
const INTEREST_DEFINITIONS_STEM: &str = "centre_interet";
const CONTEXTS_STEM: &str = "referentiel_contexte_travail";

/// The "Contextes de travail" block of a fiche in `unix_liens_rome_referentiels`.
const CONTEXTS_BLOCK: &str = "6";

/// Lookups later loaders need: ROME appellation `code_ogr` → its fiche, fiche code → index.
#[derive(Debug, Default)]
pub struct RomeIndex {
    /// Appellation code_ogr → index of its fiche.
    pub appellations: HashMap<String, OccupationIdx>,
    /// Fiche code → index.
    pub fiches: HashMap<String, OccupationIdx>,
}

/// Loads every ROME fiche into `b` (occupations, forms, skills).
pub fn load(data_dir: &Path, b: &mut Builder) -> Result<RomeIndex, CatalogError> {
    let mut reader = DatasetReader::new(data_dir, ROME_DIR);
    let files: Vec<String> = STEMS.iter().map(|s| file_name(s)).collect();
    reader.require(&files.iter().map(String::as_str).collect::<Vec<_>>())?;

    let fiches = read_fiches(&mut reader, b)?;
    let codes = add_fiches(&fiches, b)?;
    let mut index = add_appellations(&mut reader, &codes, b)?;
    add_skills(&mut reader, &codes, b)?;
    add_mobilities(&mut reader, &codes, b)?;
    add_interests(&mut reader, &codes, b)?;
    add_contexts(&mut reader, &codes, b)?;
    index.fiches = codes;

    let version = ROME_DIR.trim_start_matches("rome-");
    b.datasets.push(reader.info("rome", version));
    b.check_manifest(ROME_DIR, &reader);
    Ok(index)
}

/// Fiches joined with their texts, RIASEC codes and centres d'intérêt (one row per fiche).
fn read_fiches(reader: &mut DatasetReader<'_>, b: &mut Builder) -> Result<Table, CatalogError> {
    let fiches_file = file_name("referentiel_code_rome");
    let fiche_cols = ["code_rome", "libelle_rome"];
    let fiches = reader.read(&TableSpec::new(&fiches_file, &fiche_cols, &fiche_cols), &mut b.issues)?;
    let texts_file = file_name("texte");
    let text_cols = ["code_rome", "libelle_type_texte", "position_phrase", "libelle_texte"];
    let texts =
        reader.read(&TableSpec::new(&texts_file, &text_cols, &["code_rome", "libelle_texte"]), &mut b.issues)?;
    let riasec_file = file_name("referentiel_code_rome_riasec");
    let riasec_cols = ["code_rome", "riasec_majeur", "riasec_mineur"];
    let riasec = reader.read(&TableSpec::new(&riasec_file, &riasec_cols, &["code_rome"]), &mut b.issues)?;
    let interests_file = file_name("arborescence_centre_interet");
    let interest_cols = ["code_centre_interet", "libelle_centre_interet", "code_rome", "principal"];
    let interests = reader.read(
        &TableSpec::new(&interests_file, &interest_cols, &["code_rome", "libelle_centre_interet"]),
        &mut b.issues,
    )?;

    // One row per fiche even if a code is listed twice, so the joins cannot duplicate fiches.
    let riasec =
        riasec.df.lazy().group_by([col("code_rome")]).agg([col("riasec_majeur").first(), col("riasec_mineur").first()]);
    let lf = fiches
        .df
        .lazy()
        .left_join(sentences(&texts.df, "definition"), col("code_rome"), col("code_rome"))
        .left_join(sentences(&texts.df, "acces_metier"), col("code_rome"), col("code_rome"))
        .left_join(riasec, col("code_rome"), col("code_rome"))
        .left_join(interest_labels(&interests.df), col("code_rome"), col("code_rome"))
        .sort(["code_rome"], SortMultipleOptions::default());
    let df = collect(lf, &fiches.file)?;
    Ok(Table { df, preamble: Vec::new(), file: fiches.file })
}

/// Sentences of one text type per fiche, as a list column named after the type, in
/// `position_phrase` order.
fn sentences(texts: &DataFrame, kind: &str) -> LazyFrame {
    texts.clone().lazy().filter(col("libelle_type_texte").eq(lit(kind))).group_by([col("code_rome")]).agg([col(
        "libelle_texte",
    )
    .sort_by([col("position_phrase").cast(DataType::Int64)], SortMultipleOptions::default())
    .alias(kind)])
}

/// Centres d'intérêt labels per fiche, the fiche's principal one first, then by code.
fn interest_labels(interests: &DataFrame) -> LazyFrame {
    let principal_last = when(col("principal").eq(lit("oui"))).then(lit(0)).otherwise(lit(1));
    interests.clone().lazy().group_by([col("code_rome")]).agg([col("libelle_centre_interet")
        .sort_by([principal_last, col("code_centre_interet").cast(DataType::Int64)], SortMultipleOptions::default())
        .alias("interests")])
}

/// Pushes one occupation (and its Preferred forms) per fiche; returns code → index.
fn add_fiches(fiches: &Table, b: &mut Builder) -> Result<HashMap<String, OccupationIdx>, CatalogError> {
    let (df, file) = (&fiches.df, fiches.file.as_str());
    let codes = str_col(df, "code_rome", file)?;
    let labels = str_col(df, "libelle_rome", file)?;
    let majors = str_col(df, "riasec_majeur", file)?;
    let minors = str_col(df, "riasec_mineur", file)?;
    let lines = u64_col(df, LINE_COL, file)?;
    let definitions = list_of_strings(df, "definition", file)?;
    let access = list_of_strings(df, "acces_metier", file)?;
    let interests = list_of_strings(df, "interests", file)?;

    let mut index = HashMap::new();
    for i in 0..df.height() {
        let (Some(code), Some(label)) = (non_blank(codes.get(i)), non_blank(labels.get(i))) else {
            continue;
        };
        if index.contains_key(code) {
            let line = lines.get(i).unwrap_or(0) as usize;
            b.issues.push(issue(file, line, &format!("duplicate fiche `{code}`; record skipped")));
            continue;
        }
        let label = clean_text(label);
        let occupation = Occupation {
            id: OccupationId { taxonomy: Taxonomy::Rome, code: code.to_owned() },
            label: LangText { fr: Some(label.clone()), en: None },
            description: LangText { fr: join_sentences(&definitions[i]), en: None },
            access: join_sentences(&access[i]),
            entry_level: entry_level(&access[i]),
            contexts: Vec::new(),
            onisep: Vec::new(),
            isco_group: None,
            riasec: [majors.get(i), minors.get(i)].into_iter().filter_map(non_blank).map(str::to_owned).collect(),
            interests: interests[i].iter().map(|s| clean_text(s)).collect(),
            skills: Vec::new(),
            links: Vec::new(),
            kin: Vec::new(),
        };
        let idx = b.push_occupation(occupation);
        b.forms.add_label(idx, Lang::Fr, FormKind::Preferred, &label);
        for (kind, sentences) in [(PassageKind::Definition, &definitions[i]), (PassageKind::Access, &access[i])] {
            for text in sentences.iter().map(|s| clean_text(s)).filter(|s| !s.is_empty()) {
                b.passages.push(Passage { occupation: idx, kind, lang: Lang::Fr, text });
            }
        }
        index.insert(code.to_owned(), idx);
    }
    Ok(index)
}

/// Lowest diploma level named by the first accès sentence that names one ("Cet emploi est
/// accessible avec un CAP/BEP... Un Bac+2 peut être demandé" → CAP): ROME states the usual way
/// in first, and later sentences add options for other posts.
pub fn entry_level(access: &[String]) -> Option<EducationLevel> {
    access.iter().find_map(|sentence| levels_in(&fold(&clean_text(sentence))).into_iter().min())
}

/// Every diploma level a folded sentence names.
fn levels_in(folded: &str) -> Vec<EducationLevel> {
    use EducationLevel as L;
    let padded = format!(" {folded} ");
    let has = |needle: &str| padded.contains(&format!(" {needle} "));
    let mut out = Vec::new();
    let none = ["sans diplome", "sans qualification", "sans formation", "sans experience ni diplome"];
    if none.iter().any(|n| has(n)) {
        out.push(L::None);
    }
    // Trade certificates (certificat de toiletteur, de spécialisation) sit at CAP level.
    if ["cap", "bep", "capa", "cqp", "titre professionnel", "certificat", "certificats"].iter().any(|n| has(n)) {
        out.push(L::Cap);
    }
    // "Bac" alone, not "Bac+2" (folded "bac 2").
    let bac_alone =
        padded.match_indices(" bac ").any(|(i, _)| !padded[i + 5..].starts_with(|c: char| c.is_ascii_digit()))
            || has("bac pro")
            || has("bac professionnel")
            || has("brevet professionnel")
            || has("bp");
    if bac_alone {
        out.push(L::Bac);
    }
    if has("bac 2") || has("bts") || has("dut") || has("btsa") || has("deust") || has("bac 1") {
        out.push(L::Bac2);
    }
    if has("bac 3") || has("licence") || has("licence professionnelle") || has("bac 4") {
        out.push(L::Bac3);
    }
    if has("bac 5") || has("master") || has("ingenieur") || has("diplome d ingenieur") {
        out.push(L::Bac5);
    }
    if has("doctorat") || has("bac 8") || has("docteur") || has("bac 6") {
        out.push(L::Doctorate);
    }
    out
}

/// Attaches every centre d'intérêt to its fiches (principal links flagged), with ROME's
/// definition text when `unix_centre_interet` is present.
fn add_interests(
    reader: &mut DatasetReader<'_>,
    codes: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let file = file_name("arborescence_centre_interet");
    let columns = ["code_centre_interet", "libelle_centre_interet", "code_rome", "principal"];
    let table = reader.read(&TableSpec::new(&file, &columns, &columns[..3]), &mut b.issues)?;
    let (df, rel) = (&table.df, table.file.as_str());
    let (ids, labels, fiches, principal) = (
        str_col(df, "code_centre_interet", rel)?,
        str_col(df, "libelle_centre_interet", rel)?,
        str_col(df, "code_rome", rel)?,
        str_col(df, "principal", rel)?,
    );
    let mut by_code: BTreeMap<u32, Interest> = BTreeMap::new();
    for i in 0..df.height() {
        let (Some(id), Some(label), Some(fiche)) =
            (non_blank(ids.get(i)), non_blank(labels.get(i)), non_blank(fiches.get(i)))
        else {
            continue;
        };
        let key = id.trim().parse().unwrap_or(u32::MAX);
        let interest = by_code.entry(key).or_insert_with(|| Interest {
            code: id.trim().to_owned(),
            label: clean_text(label),
            definition: None,
            occupations: Vec::new(),
        });
        let Some(&occupation) = codes.get(fiche) else { continue };
        let principal = non_blank(principal.get(i)).is_some_and(|p| p.eq_ignore_ascii_case("oui"));
        if !interest.occupations.iter().any(|l| l.occupation == occupation) {
            interest.occupations.push(InterestLink { occupation, principal });
        }
    }
    let definitions_file = file_name(INTEREST_DEFINITIONS_STEM);
    if reader.exists(&definitions_file) {
        let columns = ["code_centre_interet", "libelle_centre_interet", "definition_centre_interet"];
        let table = reader.read(&TableSpec::new(&definitions_file, &columns, &columns), &mut b.issues)?;
        let (df, rel) = (&table.df, table.file.as_str());
        let (ids, labels, texts) = (
            str_col(df, "code_centre_interet", rel)?,
            str_col(df, "libelle_centre_interet", rel)?,
            str_col(df, "definition_centre_interet", rel)?,
        );
        for ((id, label), text) in ids.iter().zip(labels.iter()).zip(texts.iter()) {
            let (Some(id), Some(label), Some(text)) = (non_blank(id), non_blank(label), non_blank(text)) else {
                continue;
            };
            // The referential lists every centre d'intérêt, even one no loaded fiche links to.
            let interest = by_code.entry(id.trim().parse().unwrap_or(u32::MAX)).or_insert_with(|| Interest {
                code: id.trim().to_owned(),
                label: clean_text(label),
                definition: None,
                occupations: Vec::new(),
            });
            interest.definition = Some(clean_text(text));
        }
    }
    b.interests = by_code.into_values().collect();
    Ok(())
}

/// Attaches the contextes de travail ("Travail de nuit", "En extérieur") of each fiche, when
/// `unix_referentiel_contexte_travail` is present.
fn add_contexts(
    reader: &mut DatasetReader<'_>,
    codes: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let referential_file = file_name(CONTEXTS_STEM);
    if !reader.exists(&referential_file) {
        tracing::info!(file = %reader.relative(&referential_file), "absent: fiches get no contextes de travail");
        return Ok(());
    }
    let columns = ["code_ogr", "libelle_cont_travail"];
    let table = reader.read(&TableSpec::new(&referential_file, &columns, &columns), &mut b.issues)?;
    let (df, rel) = (&table.df, table.file.as_str());
    let labels: HashMap<&str, String> = str_col(df, "code_ogr", rel)?
        .iter()
        .zip(str_col(df, "libelle_cont_travail", rel)?.iter())
        .filter_map(|(c, l)| Some((non_blank(c)?, clean_text(non_blank(l)?))))
        .collect();
    let links_file = file_name("liens_rome_referentiels");
    let links = reader.read(
        &TableSpec::new(&links_file, &["code_rome", "code_compo_bloc", "code_ogr"], &["code_rome", "code_ogr"]),
        &mut b.issues,
    )?;
    let (df, rel) = (&links.df, links.file.as_str());
    let rows = str_col(df, "code_rome", rel)?
        .iter()
        .zip(str_col(df, "code_compo_bloc", rel)?.iter())
        .zip(str_col(df, "code_ogr", rel)?.iter());
    for ((fiche, block), item) in rows {
        if non_blank(block) != Some(CONTEXTS_BLOCK) {
            continue;
        }
        let (Some(&occupation), Some(label)) = (fiche.and_then(|f| codes.get(f)), item.and_then(|i| labels.get(i)))
        else {
            continue;
        };
        let contexts = &mut b.occupations[occupation as usize].contexts;
        if !contexts.contains(label) {
            contexts.push(label.clone());
        }
    }
    Ok(())
}

/// Links each fiche to its mobilités (fiches people commonly move to), in published order.
fn add_mobilities(
    reader: &mut DatasetReader<'_>,
    codes: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let file = file_name("rubrique_mobilite");
    let columns = ["code_rome", "code_rome_cible", "numero_ordre"];
    let table = reader.read(&TableSpec::new(&file, &columns, &columns[..2]), &mut b.issues)?;
    let (df, rel) = (&table.df, table.file.as_str());
    let (sources, targets, orders) =
        (str_col(df, "code_rome", rel)?, str_col(df, "code_rome_cible", rel)?, str_col(df, "numero_ordre", rel)?);
    let mut pairs: Vec<(OccupationIdx, u32, OccupationIdx)> = (0..df.height())
        .filter_map(|i| {
            let from = codes.get(sources.get(i)?)?;
            let to = codes.get(targets.get(i)?)?;
            let order = orders.get(i).and_then(|o| o.trim().parse().ok()).unwrap_or(u32::MAX);
            Some((*from, order, *to))
        })
        .collect();
    pairs.sort_unstable();
    for (from, _, to) in pairs {
        b.link_kin(from, to, Kinship::Mobility);
    }
    Ok(())
}

/// Adds every appellation as a form of its fiche (principal → Appellation, others → Synonym).
fn add_appellations(
    reader: &mut DatasetReader<'_>,
    fiches: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<RomeIndex, CatalogError> {
    let file = file_name("referentiel_appellation");
    let columns = ["code_ogr", "libelle_appellation_long", "code_rome", "classification"];
    let spec = TableSpec::new(&file, &columns, &columns[..3]);
    let table = reader.read(&spec, &mut b.issues)?;
    let (df, file) = (&table.df, table.file.as_str());
    let rows = str_col(df, "code_ogr", file)?
        .iter()
        .zip(str_col(df, "libelle_appellation_long", file)?.iter())
        .zip(str_col(df, "code_rome", file)?.iter())
        .zip(str_col(df, "classification", file)?.iter())
        .zip(u64_col(df, LINE_COL, file)?.iter());
    let mut index = RomeIndex::default();
    for ((((ogr, label), code), class), line) in rows {
        let (Some(ogr), Some(label), Some(code)) = (non_blank(ogr), non_blank(label), non_blank(code)) else {
            continue;
        };
        let Some(&fiche) = fiches.get(code) else {
            let line = line.unwrap_or(0) as usize;
            b.issues.push(issue(file, line, &format!("appellation {ogr} points to unknown fiche `{code}`; skipped")));
            continue;
        };
        let kind = match non_blank(class) {
            Some(c) if c.eq_ignore_ascii_case("PRINCIPALE") => FormKind::Appellation,
            _ => FormKind::Synonym,
        };
        b.forms.add_label(fiche, Lang::Fr, kind, &clean_text(label));
        index.appellations.insert(ogr.to_owned(), fiche);
    }
    Ok(index)
}

/// One fiche → compétence/savoir link before skills get their indexes.
struct RawLink {
    fiche: OccupationIdx,
    code: String,
    relation: SkillRelation,
}

/// Attaches the compétences (savoir-faire, savoir-être) and savoirs of the "Compétences" block
/// of each fiche as [`Skill`]s; only items linked to at least one fiche become skills.
///
/// Relation: ROME 4.x flags the core items of a fiche in `unix_coherence_item.coeur_metier`
/// (`Principale`; every fiche has some). Those are [`SkillRelation::Essential`]; every other
/// item, including `Émergente` ones and all savoir-être, is [`SkillRelation::Optional`].
/// Kind: savoirs → Knowledge, compétences of category "Savoir-être professionnel" → Attitude,
/// other compétences → Skill.
fn add_skills(
    reader: &mut DatasetReader<'_>,
    fiches: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let links_file = file_name("liens_rome_referentiels");
    let links = reader.read(
        &TableSpec::new(&links_file, &["code_rome", "code_compo_bloc", "code_ogr"], &["code_rome", "code_ogr"]),
        &mut b.issues,
    )?;
    let coherence_file = file_name("coherence_item");
    let coherence = reader.read(
        &TableSpec::new(&coherence_file, &["code_rome", "code_ogr", "coeur_metier"], &["code_rome", "code_ogr"]),
        &mut b.issues,
    )?;
    let competence_file = file_name("referentiel_competence");
    let competences = reader.read(
        &TableSpec::new(
            &competence_file,
            &["code_ogr", "libelle_competence", "cat_comp"],
            &["code_ogr", "libelle_competence"],
        ),
        &mut b.issues,
    )?;
    let savoir_file = file_name("referentiel_savoir");
    let savoirs = reader.read(
        &TableSpec::new(&savoir_file, &["code_ogr_savoir", "libelle_savoir"], &["code_ogr_savoir", "libelle_savoir"]),
        &mut b.issues,
    )?;

    let core = coherence.df.lazy().group_by([col("code_rome"), col("code_ogr")]).agg([col("coeur_metier").first()]);
    let lf = links
        .df
        .lazy()
        .filter(col("code_compo_bloc").eq(lit(SKILLS_BLOCK)))
        .join(
            core,
            [col("code_rome"), col("code_ogr")],
            [col("code_rome"), col("code_ogr")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(["code_rome", "code_ogr"], SortMultipleOptions::default());
    let df = collect(lf, &links.file)?;

    let referential = skill_referential(&competences, &savoirs)?;
    let mut raw = Vec::new();
    let mut unknown = 0usize;
    let rows = str_col(&df, "code_rome", &links.file)?
        .iter()
        .zip(str_col(&df, "code_ogr", &links.file)?.iter())
        .zip(str_col(&df, "coeur_metier", &links.file)?.iter());
    for ((fiche, code), core) in rows {
        let (Some(fiche), Some(code)) = (non_blank(fiche), non_blank(code)) else { continue };
        let (Some(&fiche), true) = (fiches.get(fiche), referential.contains_key(code)) else {
            unknown += 1;
            continue;
        };
        let relation = match non_blank(core) {
            Some("Principale") => SkillRelation::Essential,
            _ => SkillRelation::Optional,
        };
        raw.push(RawLink { fiche, code: code.to_owned(), relation });
    }
    if unknown > 0 {
        tracing::info!(file = %links.file, unknown, "skill links to unknown fiches or items skipped");
    }
    attach_skills(raw, &referential, b);
    Ok(())
}

/// code_ogr → (label, kind) for every compétence and savoir.
fn skill_referential(
    competences: &Table,
    savoirs: &Table,
) -> Result<HashMap<String, (String, SkillKind)>, CatalogError> {
    let mut out = HashMap::new();
    let (df, file) = (&competences.df, competences.file.as_str());
    let rows = str_col(df, "code_ogr", file)?
        .iter()
        .zip(str_col(df, "libelle_competence", file)?.iter())
        .zip(str_col(df, "cat_comp", file)?.iter());
    for ((code, label), category) in rows {
        if let (Some(code), Some(label)) = (non_blank(code), non_blank(label)) {
            let kind = match non_blank(category) {
                Some(c) if c.starts_with("Savoir-être") => SkillKind::Attitude,
                _ => SkillKind::Skill,
            };
            out.insert(code.to_owned(), (clean_text(label), kind));
        }
    }
    let (df, file) = (&savoirs.df, savoirs.file.as_str());
    for (code, label) in str_col(df, "code_ogr_savoir", file)?.iter().zip(str_col(df, "libelle_savoir", file)?.iter()) {
        if let (Some(code), Some(label)) = (non_blank(code), non_blank(label)) {
            out.entry(code.to_owned()).or_insert_with(|| (clean_text(label), SkillKind::Knowledge));
        }
    }
    Ok(out)
}

/// Creates the linked skills (sorted by code) and fills each fiche's skill list, essential
/// first.
fn attach_skills(raw: Vec<RawLink>, referential: &HashMap<String, (String, SkillKind)>, b: &mut Builder) {
    let used: BTreeMap<&str, ()> = raw.iter().map(|l| (l.code.as_str(), ())).collect();
    let mut skill_index = HashMap::new();
    for code in used.keys() {
        let Some((label, kind)) = referential.get(*code) else { continue };
        let skill = Skill {
            id: SkillId { taxonomy: Taxonomy::Rome, code: (*code).to_owned() },
            label: LangText { fr: Some(label.clone()), en: None },
            kind: *kind,
            reuse_level: None,
        };
        skill_index.insert(*code, b.push_skill(skill));
    }
    for link in &raw {
        if let Some(&skill) = skill_index.get(link.code.as_str()) {
            b.link_skill(link.fiche, SkillLink { skill, relation: link.relation });
        }
    }
}

/// The strings of a list-of-strings column, one `Vec` per row (empty for null rows).
fn list_of_strings(df: &DataFrame, name: &str, file: &str) -> Result<Vec<Vec<String>>, CatalogError> {
    let column = df.column(name).and_then(Column::list).map_err(CatalogError::polars(file))?;
    let mut out = Vec::with_capacity(df.height());
    for row in column.series_iter() {
        let values = match row {
            Some(series) => series
                .str()
                .map_err(CatalogError::polars(file))?
                .iter()
                .filter_map(non_blank)
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        };
        out.push(values);
    }
    Ok(out)
}

/// ROME texts carry SQL-escaped apostrophes (`d''hygiène`) and stray spaces.
pub fn clean_text(text: &str) -> String {
    clean_label(&text.replace("''", "'"))
}

/// Joins sentences into one text, ending each with punctuation so the result reads as prose
/// (ROME sentences after the first usually have no final period).
pub fn join_sentences(sentences: &[String]) -> Option<String> {
    let parts: Vec<String> = sentences
        .iter()
        .map(|s| clean_text(s))
        .filter(|s| !s.is_empty())
        .map(|s| if s.ends_with(['.', '!', '?', ':', ';', '…']) { s } else { s + "." })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_level_reads_the_first_sentence_naming_a_diploma() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            entry_level(&s(&["Cet emploi est accessible sans diplôme particulier.", "Un Bac+2 peut être demandé."])),
            Some(EducationLevel::None)
        );
        assert_eq!(
            entry_level(&s(&["Cet emploi est accessible avec un CAP/BEP en boulangerie."])),
            Some(EducationLevel::Cap)
        );
        assert_eq!(
            entry_level(&s(&["Accessible avec une formation de niveau CAP à Bac en travaux forestiers."])),
            Some(EducationLevel::Cap)
        );
        assert_eq!(
            entry_level(&s(&[
                "Le permis B est requis.",
                "Cet emploi est accessible avec un diplôme de niveau Bac+2 (BTS, DUT)."
            ])),
            Some(EducationLevel::Bac2)
        );
        assert_eq!(
            entry_level(&s(&["Cet emploi est accessible avec un Bac professionnel."])),
            Some(EducationLevel::Bac)
        );
        assert_eq!(entry_level(&s(&["Accessible avec un Master (Bac+5) en droit."])), Some(EducationLevel::Bac5));
        assert_eq!(
            entry_level(&s(&["L'exercice requiert le diplôme d'État de docteur en médecine."])),
            Some(EducationLevel::Doctorate)
        );
        assert_eq!(entry_level(&s(&["Le permis B est requis."])), None);
    }

    #[test]
    fn file_names_follow_the_release() {
        assert_eq!(file_name("texte"), "unix_texte_v460_utf8.csv");
    }

    #[test]
    fn sentences_read_as_prose() {
        let s = vec!["Prépare le pain".to_owned(), "  ".to_owned(), "Gère les stocks d''hygiène.".to_owned()];
        assert_eq!(join_sentences(&s).as_deref(), Some("Prépare le pain. Gère les stocks d'hygiène."));
        assert_eq!(join_sentences(&[]), None);
    }
}
