//! ONISEP Idéo-Métiers listing: the métier titles young people and teachers read on
//! onisep.fr, each mapped to a ROME fiche. Titles become searchable forms of their fiche
//! ([`FormKind::Onisep`]) and the métier page is kept as a link with its title.
//!
//! The file is optional (read when present): a semicolon-separated export with a UTF-8 BOM.
//! Its ROME codes date from ROME v3 (2022); a code absent from ROME 4.60 is reported as an
//! ingest issue and skipped, never guessed.

use std::collections::HashMap;
use std::path::Path;

use super::error::CatalogError;
use super::model::{FormKind, Lang, OccupationIdx, OnisepLink};
use super::prepass::{issue, repair_utf8, split_fields_by};
use super::table::{combined_sha256, exists, read_data_file};
use super::Builder;
use crate::catalog::DatasetInfo;

/// The listing, relative to the data directory.
pub const ONISEP_FILE: &str = "onisep/ideo-metiers_onisep_2022-04.csv";

/// Columns read (as named in the export's header).
const TITLE: &str = "libellé métier";
const LINK: &str = "lien site onisep.fr";
const ROME_CODE: &str = "code ROME";

/// Adds ONISEP titles and links to the ROME fiches of `fiches` (code → index).
pub(crate) fn load(
    data_dir: &Path,
    fiches: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let path = data_dir.join(ONISEP_FILE);
    if !exists(&path) {
        tracing::info!(file = ONISEP_FILE, "absent: no ONISEP titles or links");
        return Ok(());
    }
    let raw = read_data_file(&path)?;
    let sha = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(&raw))
    };
    let text = repair_utf8(&raw, ONISEP_FILE, &mut b.issues);
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().enumerate();
    let Some((_, header)) = lines.next() else {
        return Err(CatalogError::MissingColumn { file: ONISEP_FILE.into(), column: TITLE.into() });
    };
    let header = split_fields_by(header, ';');
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| CatalogError::MissingColumn { file: ONISEP_FILE.into(), column: name.into() })
    };
    let (title, link, code) = (column(TITLE)?, column(LINK)?, column(ROME_CODE)?);
    let (mut added, mut unknown, mut without_code) = (0usize, 0usize, 0usize);
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let fields = split_fields_by(line, ';');
        let get = |c: usize| fields.get(c).map(|s| s.trim()).filter(|s| !s.is_empty());
        let Some(label) = get(title) else {
            b.issues.push(issue(ONISEP_FILE, i + 1, "row without a métier title; skipped"));
            continue;
        };
        // Some ONISEP métiers have no ROME equivalent: not a defect, nothing to attach.
        let Some(rome) = get(code) else {
            without_code += 1;
            continue;
        };
        let Some(&fiche) = fiches.get(rome) else {
            unknown += 1;
            b.issues.push(issue(ONISEP_FILE, i + 1, &format!("ROME code `{rome}` is not a ROME 4.60 fiche; skipped")));
            continue;
        };
        b.forms.add_label(fiche, Lang::Fr, FormKind::Onisep, label);
        if let Some(url) = get(link).filter(|u| u.starts_with("http")) {
            let links = &mut b.occupations[fiche as usize].onisep;
            if !links.iter().any(|l| l.url == url) {
                links.push(OnisepLink { title: Some(label.to_owned()), url: url.to_owned() });
            }
        }
        added += 1;
    }
    tracing::info!(titles = added, unknown_codes = unknown, without_rome_code = without_code, "ONISEP titles attached");
    b.datasets.push(DatasetInfo {
        name: "onisep-ideo-metiers".into(),
        version: "2022-04".into(),
        sha256: combined_sha256(&[(ONISEP_FILE.to_owned(), sha)]),
    });
    Ok(())
}
