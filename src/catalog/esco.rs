//! ESCO 1.1.x: occupations (fr + en), skills (en + merged fr) and occupation→skill relations.

use std::collections::HashMap;
use std::path::Path;

use polars::prelude::*;

use super::error::CatalogError;
use super::forms::clean_label;
use super::model::{
    FormKind, Kinship, Lang, LangText, Occupation, OccupationId, OccupationIdx, Passage, PassageKind, Skill, SkillId,
    SkillKind, SkillLink, SkillRelation, Taxonomy,
};
use super::prepass::issue;
use super::table::{collect, non_blank, str_col, u64_col, DatasetReader, Table, TableSpec, LINE_COL};
use super::Builder;

/// Folder of the ESCO release this loader reads.
pub const ESCO_DIR: &str = "esco-1.1.1";

const OCCUPATIONS_EN: &str = "occupations_en.csv";
const OCCUPATIONS_FR: &str = "occupations_fr.csv";
const SKILLS_EN: &str = "skills_en.csv";
const SKILLS_FR: &str = "skills_fr.csv";
const RELATIONS: &str = "occupationSkillRelations.csv";
const BROADER: &str = "broaderRelationsOccPillar.csv";

const OCCUPATION_COLUMNS: [&str; 6] =
    ["conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "description"];

/// Loads ESCO occupations, skills and relations into `b`; returns occupation URI → index.
pub fn load(data_dir: &Path, b: &mut Builder) -> Result<HashMap<String, OccupationIdx>, CatalogError> {
    let mut reader = DatasetReader::new(data_dir, ESCO_DIR);
    reader.require(&[OCCUPATIONS_EN, OCCUPATIONS_FR, SKILLS_EN, SKILLS_FR, RELATIONS, BROADER])?;

    let occupations = read_occupations(&mut reader, b)?;
    let occupation_index = add_occupations(&occupations, b)?;
    let skills = read_skills(&mut reader, b)?;
    let skill_index = add_skills(&skills, b)?;
    add_relations(&mut reader, &occupation_index, &skill_index, b)?;
    add_broader(&mut reader, &occupation_index, b)?;

    let version = ESCO_DIR.trim_start_matches("esco-");
    b.datasets.push(reader.info("esco", version));
    b.check_manifest(ESCO_DIR, &reader);
    Ok(occupation_index)
}

/// French and English occupation files joined on `conceptUri` (full join: an occupation
/// present in one language only is kept), columns suffixed `_en` / `_fr`.
fn read_occupations(reader: &mut DatasetReader<'_>, b: &mut Builder) -> Result<Table, CatalogError> {
    let required = ["conceptUri", "preferredLabel"];
    let en = reader.read(&TableSpec::new(OCCUPATIONS_EN, &OCCUPATION_COLUMNS, &required), &mut b.issues)?;
    let fr = reader.read(&TableSpec::new(OCCUPATIONS_FR, &OCCUPATION_COLUMNS, &required), &mut b.issues)?;
    let lf = suffixed(en.df, &OCCUPATION_COLUMNS, "en")
        .join(
            suffixed(fr.df, &OCCUPATION_COLUMNS, "fr"),
            [col("conceptUri")],
            [col("conceptUri")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .sort(["conceptUri"], SortMultipleOptions::default());
    let df = collect(lf, "esco occupations fr+en join")?;
    Ok(Table { df, preamble: Vec::new(), file: en.file })
}

/// `conceptUri` plus every other column renamed `<name>_<suffix>` (duplicate URIs dropped,
/// first kept, so the join stays one row per occupation).
fn suffixed(df: DataFrame, columns: &[&str], suffix: &str) -> LazyFrame {
    let renamed: Vec<Expr> = columns
        .iter()
        .map(|c| if *c == "conceptUri" { col(*c) } else { col(*c).alias(format!("{c}_{suffix}")) })
        .collect();
    let rest: Vec<Expr> =
        columns.iter().filter(|c| **c != "conceptUri").map(|c| col(format!("{c}_{suffix}")).first()).collect();
    df.lazy().select(renamed).group_by([col("conceptUri")]).agg(rest)
}

/// Pushes one occupation per URI with its labels as forms; returns URI → index.
fn add_occupations(table: &Table, b: &mut Builder) -> Result<HashMap<String, OccupationIdx>, CatalogError> {
    let (df, file) = (&table.df, table.file.as_str());
    let get = |name: &str, lang: Lang| str_col(df, &format!("{name}_{lang}"), file);
    let uris = str_col(df, "conceptUri", file)?;
    let mut index = HashMap::with_capacity(df.height());
    let mut columns = HashMap::new();
    for name in &OCCUPATION_COLUMNS[1..] {
        for lang in Lang::ALL {
            columns.insert((*name, lang), get(name, lang)?);
        }
    }
    let value = |name: &'static str, lang: Lang, i: usize| columns.get(&(name, lang)).and_then(|c| non_blank(c.get(i)));
    for (i, uri) in uris.iter().enumerate() {
        let Some(uri) = non_blank(uri) else { continue };
        let mut label = LangText::default();
        let mut description = LangText::default();
        for lang in Lang::ALL {
            if let Some(l) = value("preferredLabel", lang, i) {
                label.set(lang, clean_label(l));
            }
            if let Some(d) = value("description", lang, i) {
                description.set(lang, d.trim().to_owned());
            }
        }
        let isco_group = value("iscoGroup", Lang::En, i).or_else(|| value("iscoGroup", Lang::Fr, i)).map(str::to_owned);
        let occupation = Occupation {
            id: OccupationId { taxonomy: Taxonomy::Esco, code: uri.to_owned() },
            label,
            description,
            access: None,
            isco_group,
            riasec: Vec::new(),
            interests: Vec::new(),
            skills: Vec::new(),
            links: Vec::new(),
            kin: Vec::new(),
            contexts: Vec::new(),
            entry_level: None,
            onisep: Vec::new(),
        };
        let first_sentences: Vec<(Lang, String)> = Lang::ALL
            .into_iter()
            .filter_map(|lang| Some((lang, first_sentence(occupation.description.get(lang)?)?)))
            .collect();
        let idx = b.push_occupation(occupation);
        index.insert(uri.to_owned(), idx);
        for (lang, text) in first_sentences {
            b.passages.push(Passage { occupation: idx, kind: PassageKind::Description, lang, text });
        }
        for lang in Lang::ALL {
            for (name, kind) in [
                ("preferredLabel", FormKind::Preferred),
                ("altLabels", FormKind::Alt),
                ("hiddenLabels", FormKind::Hidden),
            ] {
                // Alt and hidden labels are multi-line cells, one label per line.
                for text in value(name, lang, i).into_iter().flat_map(str::lines) {
                    b.forms.add_label(idx, lang, kind, text);
                }
            }
        }
    }
    Ok(index)
}

/// The first sentence of an ESCO description (the definitional one: "Bakers make a wide range
/// of breads..."), cut at a word boundary when very long.
fn first_sentence(description: &str) -> Option<String> {
    let text = description.trim();
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    let mut sentence = text[..end].trim().to_string();
    const MAX_CHARS: usize = 400;
    if sentence.chars().count() > MAX_CHARS {
        let cut = sentence.char_indices().nth(MAX_CHARS).map_or(sentence.len(), |(i, _)| i);
        let cut = sentence[..cut].rfind(' ').unwrap_or(cut);
        sentence.truncate(cut);
    }
    (!sentence.is_empty()).then_some(sentence)
}

/// `skills_en` full-joined with the merged `skills_fr` on `conceptUri`.
fn read_skills(reader: &mut DatasetReader<'_>, b: &mut Builder) -> Result<Table, CatalogError> {
    let en_cols = ["conceptUri", "skillType", "reuseLevel", "preferredLabel"];
    let fr_cols = ["conceptUri", "skillType", "reuseLevel", "preferredLabel_en", "preferredLabel_fr"];
    let en = reader.read(&TableSpec::new(SKILLS_EN, &en_cols, &["conceptUri", "preferredLabel"]), &mut b.issues)?;
    let fr = reader.read(&TableSpec::new(SKILLS_FR, &fr_cols, &["conceptUri"]), &mut b.issues)?;
    let file = en.file;
    let en = en.df.lazy().group_by([col("conceptUri")]).agg([
        col("skillType").first(),
        col("reuseLevel").first(),
        col("preferredLabel").first().alias("label_en"),
    ]);
    let fr = fr.df.lazy().group_by([col("conceptUri")]).agg([
        col("skillType").first().alias("skillType_fr"),
        col("reuseLevel").first().alias("reuseLevel_fr"),
        col("preferredLabel_en").first(),
        col("preferredLabel_fr").first().alias("label_fr"),
    ]);
    let lf = en
        .join(
            fr,
            [col("conceptUri")],
            [col("conceptUri")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        // The merged French file repeats type, reuse level and English label: use them for
        // skills missing from the English file.
        .with_columns([
            col("label_en").fill_null(col("preferredLabel_en")),
            col("skillType").fill_null(col("skillType_fr")),
            col("reuseLevel").fill_null(col("reuseLevel_fr")),
        ])
        .select([col("conceptUri"), col("skillType"), col("reuseLevel"), col("label_en"), col("label_fr")])
        .sort(["conceptUri"], SortMultipleOptions::default());
    let df = collect(lf, "esco skills en+fr join")?;
    Ok(Table { df, preamble: Vec::new(), file })
}

/// Pushes every ESCO skill; returns URI → index.
fn add_skills(table: &Table, b: &mut Builder) -> Result<HashMap<String, u32>, CatalogError> {
    let (df, file) = (&table.df, table.file.as_str());
    let rows = str_col(df, "conceptUri", file)?
        .iter()
        .zip(str_col(df, "skillType", file)?.iter())
        .zip(str_col(df, "reuseLevel", file)?.iter())
        .zip(str_col(df, "label_en", file)?.iter())
        .zip(str_col(df, "label_fr", file)?.iter());
    let mut index = HashMap::with_capacity(df.height());
    for ((((uri, kind), reuse), en), fr) in rows {
        let Some(uri) = non_blank(uri) else { continue };
        let kind = match non_blank(kind) {
            Some("knowledge") => SkillKind::Knowledge,
            _ => SkillKind::Skill,
        };
        let skill = Skill {
            id: SkillId { taxonomy: Taxonomy::Esco, code: uri.to_owned() },
            label: LangText { fr: non_blank(fr).map(clean_label), en: non_blank(en).map(clean_label) },
            kind,
            reuse_level: non_blank(reuse).map(str::to_owned),
        };
        index.insert(uri.to_owned(), b.push_skill(skill));
    }
    Ok(index)
}

/// Attaches essential/optional skills; a pair listed twice keeps Essential.
fn add_relations(
    reader: &mut DatasetReader<'_>,
    occupations: &HashMap<String, OccupationIdx>,
    skills: &HashMap<String, u32>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let columns = ["occupationUri", "relationType", "skillUri"];
    let table = reader.read(&TableSpec::new(RELATIONS, &columns, &columns), &mut b.issues)?;
    let (df, file) = (&table.df, table.file.as_str());
    let rows = str_col(df, "occupationUri", file)?
        .iter()
        .zip(str_col(df, "relationType", file)?.iter())
        .zip(str_col(df, "skillUri", file)?.iter())
        .zip(u64_col(df, LINE_COL, file)?.iter());
    let mut unknown = 0usize;
    for (((occupation, relation), skill), line) in rows {
        let (Some(occupation), Some(relation), Some(skill)) =
            (non_blank(occupation), non_blank(relation), non_blank(skill))
        else {
            continue;
        };
        let relation = match relation {
            "essential" => SkillRelation::Essential,
            "optional" => SkillRelation::Optional,
            other => {
                let line = line.unwrap_or(0) as usize;
                b.issues.push(issue(file, line, &format!("unknown relationType `{other}`; record skipped")));
                continue;
            }
        };
        match (occupations.get(occupation), skills.get(skill)) {
            (Some(&occupation), Some(&skill)) => b.link_skill(occupation, SkillLink { skill, relation }),
            _ => unknown += 1,
        }
    }
    if unknown > 0 {
        tracing::info!(file, unknown, "relations to unknown occupations or skills skipped");
    }
    Ok(())
}

/// Occupation → broader occupation links, recorded both ways (ISCO-group rows are skipped:
/// ISCO codes are already on each occupation).
fn add_broader(
    reader: &mut DatasetReader<'_>,
    index: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let columns = ["conceptType", "conceptUri", "broaderType", "broaderUri"];
    let table = reader.read(&TableSpec::new(BROADER, &columns, &columns), &mut b.issues)?;
    let (df, rel) = (&table.df, table.file.as_str());
    let (types, uris) = (str_col(df, "conceptType", rel)?, str_col(df, "conceptUri", rel)?);
    let (broader_types, broader_uris) = (str_col(df, "broaderType", rel)?, str_col(df, "broaderUri", rel)?);
    for i in 0..df.height() {
        if types.get(i) != Some("Occupation") || broader_types.get(i) != Some("Occupation") {
            continue;
        }
        let (Some(&child), Some(&parent)) =
            (uris.get(i).and_then(|u| index.get(u)), broader_uris.get(i).and_then(|u| index.get(u)))
        else {
            continue;
        };
        b.link_kin(child, parent, Kinship::Broader);
        b.link_kin(parent, child, Kinship::Narrower);
    }
    Ok(())
}
