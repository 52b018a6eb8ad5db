//! The ROME ↔ ESCO crosswalk (France Travail mapping, appellation level) lifted to fiches.

use std::collections::HashMap;
use std::path::Path;

use super::error::CatalogError;
use super::model::{CrossLink, MatchRelation, OccupationIdx};
use super::prepass::issue;
use super::table::{non_blank, str_col, u64_col, DatasetReader, TableSpec, LINE_COL};
use super::Builder;

/// Folder holding the crosswalk files.
pub const CROSSWALK_DIR: &str = "crosswalks";
/// The ROME ↔ ESCO mapping file.
pub const ROME_ESCO_FILE: &str = "rome_esco_mapping_v1.4_2023-06-07.csv";

const ID_1: &str = "classification 1 ID";
const ID_2: &str = "classification 2 ID";
const RELATION: &str = "mapping relation";

/// Parses a SKOS mapping relation (`skos:exactMatch`, `exactMatch`, `exact`, any case).
pub fn parse_relation(text: &str) -> Option<MatchRelation> {
    let text = text.trim().to_ascii_lowercase();
    let text = text.strip_prefix("skos:").unwrap_or(&text);
    match text.strip_suffix("match").unwrap_or(text) {
        "exact" => Some(MatchRelation::Exact),
        "close" => Some(MatchRelation::Close),
        "broad" => Some(MatchRelation::Broad),
        "narrow" => Some(MatchRelation::Narrow),
        _ => None,
    }
}

/// Strength used to keep one relation per pair: exact > close > narrow > broad (lower is
/// stronger).
pub fn strength(relation: MatchRelation) -> u8 {
    match relation {
        MatchRelation::Exact => 0,
        MatchRelation::Close => 1,
        MatchRelation::Narrow => 2,
        MatchRelation::Broad => 3,
    }
}

/// The relation seen from the other side: broad ↔ narrow, exact and close unchanged.
pub fn inverse(relation: MatchRelation) -> MatchRelation {
    match relation {
        MatchRelation::Broad => MatchRelation::Narrow,
        MatchRelation::Narrow => MatchRelation::Broad,
        other => other,
    }
}

/// Links ROME fiches and ESCO occupations in both directions.
///
/// Each row maps an ESCO occupation to a ROME appellation; the appellation is replaced by its
/// fiche and duplicate (fiche, occupation) pairs keep their strongest relation. The ESCO
/// occupation's link carries the relation as published (ESCO → ROME); the fiche's link carries
/// its [`inverse`]. Rows naming codes absent from the loaded data are skipped and counted.
pub fn load(
    data_dir: &Path,
    appellations: &HashMap<String, OccupationIdx>,
    esco: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let mut reader = DatasetReader::new(data_dir, CROSSWALK_DIR);
    reader.require(&[ROME_ESCO_FILE])?;
    let columns = [ID_1, ID_2, RELATION];
    let spec = TableSpec { file: ROME_ESCO_FILE, columns: &columns, non_empty: &columns, header_marker: Some(ID_1) };
    let table = reader.read(&spec, &mut b.issues)?;
    let metadata: HashMap<&str, &str> =
        table.preamble.iter().filter_map(|r| Some((r.first()?.trim(), r.get(1)?.trim()))).collect();
    // The mapping names which side is which; it is ESCO first in v1.4, but trust the file.
    let rome_first = metadata.get("Classification 1 Name").is_some_and(|n| n.to_ascii_uppercase().starts_with("ROME"));
    let (esco_col, rome_col) = if rome_first { (ID_2, ID_1) } else { (ID_1, ID_2) };

    let (df, file) = (&table.df, table.file.as_str());
    let rows = str_col(df, esco_col, file)?
        .iter()
        .zip(str_col(df, rome_col, file)?.iter())
        .zip(str_col(df, RELATION, file)?.iter())
        .zip(u64_col(df, LINE_COL, file)?.iter());
    let mut pairs: HashMap<(OccupationIdx, OccupationIdx), MatchRelation> = HashMap::new();
    let mut unknown = 0usize;
    for (((uri, ogr), relation), line) in rows {
        let (Some(uri), Some(ogr), Some(relation)) = (non_blank(uri), non_blank(ogr), non_blank(relation)) else {
            continue;
        };
        let Some(relation) = parse_relation(relation) else {
            let line = line.unwrap_or(0) as usize;
            b.issues.push(issue(file, line, &format!("unknown mapping relation `{relation}`; record skipped")));
            continue;
        };
        let (Some(&fiche), Some(&occupation)) = (appellations.get(ogr), esco.get(uri)) else {
            unknown += 1;
            continue;
        };
        pairs
            .entry((fiche, occupation))
            .and_modify(|r| {
                if strength(relation) < strength(*r) {
                    *r = relation;
                }
            })
            .or_insert(relation);
    }
    for (&(fiche, occupation), &relation) in &pairs {
        b.occupations[occupation as usize].links.push(CrossLink { target: fiche, relation });
        b.occupations[fiche as usize].links.push(CrossLink { target: occupation, relation: inverse(relation) });
    }
    tracing::info!(rows = df.height(), pairs = pairs.len(), unknown, "ROME ↔ ESCO crosswalk applied");

    let version = metadata
        .get("Mapping project version")
        .map(|v| v.trim_start_matches(['V', 'v']).to_owned())
        .unwrap_or_else(|| "unknown".to_owned());
    b.datasets.push(reader.info("rome-esco-crosswalk", &version));
    b.check_manifest(&format!("rome-esco-crosswalk-{version}"), &reader);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_parse_and_rank() {
        assert_eq!(parse_relation("skos:exactMatch"), Some(MatchRelation::Exact));
        assert_eq!(parse_relation(" skos:broadMatch "), Some(MatchRelation::Broad));
        assert_eq!(parse_relation("narrow"), Some(MatchRelation::Narrow));
        assert_eq!(parse_relation("closeMatch"), Some(MatchRelation::Close));
        assert_eq!(parse_relation("related"), None);
        let mut all = [MatchRelation::Broad, MatchRelation::Exact, MatchRelation::Narrow, MatchRelation::Close];
        all.sort_by_key(|r| strength(*r));
        assert_eq!(all, [MatchRelation::Exact, MatchRelation::Close, MatchRelation::Narrow, MatchRelation::Broad]);
        assert_eq!(inverse(MatchRelation::Broad), MatchRelation::Narrow);
        assert_eq!(inverse(MatchRelation::Exact), MatchRelation::Exact);
    }
}
