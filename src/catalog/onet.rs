//! O*NET 29.2's English job titles (alternate titles, and titles reported by workers) attached
//! to ESCO occupations through the ESCO ↔ O*NET crosswalk, as English surface forms
//! ([`FormKind::OnetAlternate`], [`FormKind::OnetReported`]).
//!
//! Read when the `onet` source is selected (`--sources esco,rome,onet`) and the files are
//! present: two Excel workbooks as published and the crosswalk CSV (a metadata block precedes
//! its header).
//!
//! An O*NET occupation usually maps to several ESCO occupations (ESCO is finer). A title goes
//! to the mapped occupations whose English labels share the most content words with it
//! ("Night Auditor" → ESCO "night auditor", not every desk-clerk occupation), the strongest
//! crosswalk relation winning ties; a title sharing no word with any of them goes to the exact
//! matches, else the close ones, else to all of at most three, else nowhere ([`choose`]).
//!
//! A fixed quarter of the reported titles ([`is_held_out`]: a seeded hash of the folded text,
//! so the same text is held out under every code) is kept out of the catalogue, and out of any
//! training data, as an English evaluation split ([`held_out_reported`]); an alternate title
//! with the same text is dropped too, or the split would test a lookup.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::crosswalk::{parse_relation, strength, CROSSWALK_DIR};
use super::error::CatalogError;
use super::forms::form_key;
use super::model::{FormKind, IngestIssue, Lang, MatchRelation, OccupationIdx};
use super::prepass::issue;
use super::table::{combined_sha256, non_blank, str_col, u64_col, DatasetReader, TableSpec, LINE_COL};
use super::Builder;
use crate::catalog::DatasetInfo;
use crate::text::analyze;

/// Folder of the O*NET database files, relative to the data directory.
pub const ONET_DIR: &str = "onet-29.2";
/// Alternate titles workbook (columns `O*NET-SOC Code`, `Alternate Title`).
pub const ALTERNATE_FILE: &str = "Alternate Titles.xlsx";
/// Reported titles workbook (columns `O*NET-SOC Code`, `Reported Job Title`).
pub const REPORTED_FILE: &str = "Sample of Reported Titles.xlsx";
/// The ESCO ↔ O*NET crosswalk, in [`CROSSWALK_DIR`].
pub const ONET_ESCO_FILE: &str = "onet_esco_crosswalk_2022.csv";

const CODE: &str = "O*NET-SOC Code";
const ALTERNATE: &str = "Alternate Title";
const REPORTED: &str = "Reported Job Title";
const CW_ONET: &str = "O*NET Id";
const CW_ESCO: &str = "ESCO or ISCO URI";
const CW_RELATION: &str = "Type of Match";

/// Percentage of the reported titles held out as the English evaluation split.
pub const HELD_OUT_PERCENT: u64 = 25;
/// Salt of the held-out draw; changing it draws another split.
const HELD_OUT_SEED: &str = "boussole-onet-reported-v1";

/// Whether a reported title belongs to the held-out evaluation split (decided on its
/// [`form_key`], so that case and spacing variants fall on the same side).
pub fn is_held_out(title: &str) -> bool {
    let digest = Sha256::digest(format!("{HELD_OUT_SEED}:{}", form_key(title)).as_bytes());
    let head = u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8]));
    head % 100 < HELD_OUT_PERCENT
}

/// One O*NET title with the O*NET occupation it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnetTitle {
    /// O*NET-SOC code ("53-7062.00").
    pub code: String,
    /// The title as published.
    pub text: String,
    /// [`FormKind::OnetAlternate`] or [`FormKind::OnetReported`].
    pub kind: FormKind,
}

/// The titles and the crosswalk, as read from the files.
#[derive(Debug, Default)]
pub struct OnetTitles {
    /// Every title, alternate titles first, in file order.
    pub titles: Vec<OnetTitle>,
    /// O*NET-SOC code → ESCO occupation URIs with the relation as published.
    pub esco: HashMap<String, Vec<(String, MatchRelation)>>,
    /// `(file relative to the data directory, sha256)` of the files read.
    hashes: Vec<(String, String)>,
}

/// Reads the titles and the crosswalk; `None` when any of the three files is absent.
pub fn read(data_dir: &Path, issues: &mut Vec<IngestIssue>) -> Result<Option<OnetTitles>, CatalogError> {
    let mut onet = DatasetReader::new(data_dir, ONET_DIR);
    let mut crosswalk = DatasetReader::new(data_dir, CROSSWALK_DIR);
    if !onet.exists(ALTERNATE_FILE) || !onet.exists(REPORTED_FILE) || !crosswalk.exists(ONET_ESCO_FILE) {
        return Ok(None);
    }
    let mut out = OnetTitles::default();
    for (file, column, kind) in
        [(ALTERNATE_FILE, ALTERNATE, FormKind::OnetAlternate), (REPORTED_FILE, REPORTED, FormKind::OnetReported)]
    {
        let rel = onet.relative(file);
        let raw = onet.read_bytes(file)?;
        for (line, code, text) in read_sheet(&raw, &rel, column, issues)? {
            if !code.contains('-') {
                issues.push(issue(&rel, line, &format!("`{code}` is not an O*NET-SOC code; row skipped")));
                continue;
            }
            out.titles.push(OnetTitle { code, text, kind });
        }
    }
    let columns = [CW_ONET, CW_ESCO, CW_RELATION];
    let spec = TableSpec { file: ONET_ESCO_FILE, columns: &columns, non_empty: &columns, header_marker: Some(CW_ONET) };
    let table = crosswalk.read(&spec, issues)?;
    let (df, file) = (&table.df, table.file.as_str());
    let rows = str_col(df, CW_ONET, file)?
        .iter()
        .zip(str_col(df, CW_ESCO, file)?.iter())
        .zip(str_col(df, CW_RELATION, file)?.iter())
        .zip(u64_col(df, LINE_COL, file)?.iter());
    for (((code, uri), relation), line) in rows {
        let (Some(code), Some(uri), Some(relation)) = (non_blank(code), non_blank(uri), non_blank(relation)) else {
            continue;
        };
        // `exactISCO` rows point at an ISCO group, not at an occupation: nothing to attach to.
        if relation.eq_ignore_ascii_case("exactISCO") {
            continue;
        }
        let Some(relation) = parse_relation(relation) else {
            let line = line.unwrap_or(0) as usize;
            issues.push(issue(file, line, &format!("unknown mapping relation `{relation}`; record skipped")));
            continue;
        };
        out.esco.entry(code.to_owned()).or_default().push((uri.to_owned(), relation));
    }
    for reader in [&onet, &crosswalk] {
        out.hashes.extend(reader.hashes().iter().map(|(f, sha)| (reader.relative(f), sha.clone())));
    }
    Ok(Some(out))
}

/// `(1-based sheet row, code, text)` of the first worksheet's rows with both columns filled.
fn read_sheet(
    raw: &[u8],
    file: &str,
    column: &str,
    issues: &mut Vec<IngestIssue>,
) -> Result<Vec<(usize, String, String)>, CatalogError> {
    use calamine::{Reader as _, Xlsx};
    let bad = |message: String| CatalogError::Workbook { file: file.to_owned(), message };
    let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(raw)).map_err(|e| bad(e.to_string()))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| bad("the workbook has no worksheet".into()))?
        .map_err(|e| bad(e.to_string()))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = range.rows().enumerate();
    let header: Vec<String> = rows.next().map(|(_, r)| r.iter().map(|c| c.to_string()).collect()).unwrap_or_default();
    let position = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| CatalogError::MissingColumn { file: file.to_owned(), column: name.to_owned() })
    };
    let (code_col, text_col) = (position(CODE)?, position(column)?);
    let mut out = Vec::new();
    for (i, row) in rows {
        let line = first_row + i + 1;
        let cell = |c: usize| row.get(c).map(|v| v.to_string().trim().to_owned()).filter(|s| !s.is_empty());
        match (cell(code_col), cell(text_col)) {
            (Some(code), Some(text)) => out.push((line, code, text)),
            (None, None) => {}
            _ => issues.push(issue(file, line, &format!("row without `{CODE}` or `{column}`; skipped"))),
        }
    }
    Ok(out)
}

/// The held-out reported titles, each with the ESCO URIs its O*NET occupations map to (the
/// union over every code that reports the same text), in text order; titles whose codes map
/// to nothing are left out.
pub fn held_out_reported(data_dir: &Path) -> Result<Vec<(String, Vec<String>)>, CatalogError> {
    let mut issues = Vec::new();
    let Some(onet) = read(data_dir, &mut issues)? else {
        return Err(CatalogError::MissingFile { path: data_dir.join(ONET_DIR).join(REPORTED_FILE) });
    };
    let mut split: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for title in onet.titles.iter().filter(|t| t.kind == FormKind::OnetReported && is_held_out(&t.text)) {
        let Some(targets) = onet.esco.get(&title.code) else { continue };
        let entry = split.entry(form_key(&title.text)).or_insert_with(|| (title.text.clone(), Vec::new()));
        for (uri, _) in targets {
            if !entry.1.contains(uri) {
                entry.1.push(uri.clone());
            }
        }
    }
    Ok(split.into_values().collect())
}

/// Attaches the titles that are not held out to the ESCO occupations of `esco` (URI → index).
pub(crate) fn load(
    data_dir: &Path,
    esco: &HashMap<String, OccupationIdx>,
    b: &mut Builder,
) -> Result<(), CatalogError> {
    let Some(onet) = read(data_dir, &mut b.issues)? else {
        tracing::info!(dir = ONET_DIR, "absent: no O*NET titles");
        return Ok(());
    };
    let held_out: HashSet<String> = onet
        .titles
        .iter()
        .filter(|t| t.kind == FormKind::OnetReported && is_held_out(&t.text))
        .map(|t| form_key(&t.text))
        .collect();
    // Content words of each ESCO occupation's English forms, for choosing among the mapped ones.
    let mut words: HashMap<OccupationIdx, HashSet<String>> = HashMap::new();
    for form in b.forms.iter().filter(|f| f.lang == Lang::En) {
        words.entry(form.occupation).or_default().extend(analyze(&form.text));
    }
    let mut targets_of: HashMap<&str, Vec<(OccupationIdx, MatchRelation)>> = HashMap::new();
    let mut unknown_uris = 0usize;
    for (code, links) in &onet.esco {
        let mut targets: Vec<(OccupationIdx, MatchRelation)> = Vec::new();
        for (uri, relation) in links {
            match esco.get(uri) {
                Some(&o) => targets.push((o, *relation)),
                None => unknown_uris += 1,
            }
        }
        targets.sort_by_key(|&(o, r)| (o, strength(r)));
        targets.dedup_by_key(|(o, _)| *o);
        targets_of.insert(code.as_str(), targets);
    }
    let (mut attached, mut unmapped, mut unplaced, mut withheld) = (0usize, 0usize, 0usize, 0usize);
    for title in &onet.titles {
        if held_out.contains(&form_key(&title.text)) {
            withheld += 1;
            continue;
        }
        let Some(targets) = targets_of.get(title.code.as_str()).filter(|t| !t.is_empty()) else {
            unmapped += 1;
            continue;
        };
        let chosen = choose(&title.text, targets, &words);
        if chosen.is_empty() {
            unplaced += 1;
            continue;
        }
        for occupation in chosen {
            b.forms.add_label(occupation, Lang::En, title.kind, &title.text);
        }
        attached += 1;
    }
    tracing::info!(attached, unmapped, unplaced, held_out = withheld, unknown_uris, "O*NET titles attached");
    b.datasets.push(DatasetInfo {
        name: "onet-titles".into(),
        version: "29.2".into(),
        sha256: combined_sha256(&onet.hashes),
    });
    for (manifest, prefix) in [("onet-29.2", ONET_DIR), ("onet-esco-crosswalk-2022", CROSSWALK_DIR)] {
        let files = onet.hashes.iter().filter(|(f, _)| f.starts_with(prefix));
        super::manifest::warn_on_mismatch(manifest, files.map(|(f, s)| (f.as_str(), s.as_str())));
    }
    Ok(())
}

/// Mapped occupations beyond which a title that shares no word with any of them is left out:
/// spread over more, it would be evidence for none.
const MAX_UNPLACED_TARGETS: usize = 3;

/// The mapped occupations a title goes to: those sharing the most content words with it, the
/// strongest relation among them winning ties; with no shared word, the exact matches, else the
/// close ones, else all of them when there are at most [`MAX_UNPLACED_TARGETS`], else none.
fn choose(
    title: &str,
    targets: &[(OccupationIdx, MatchRelation)],
    words: &HashMap<OccupationIdx, HashSet<String>>,
) -> Vec<OccupationIdx> {
    let title_words: HashSet<String> = analyze(title).into_iter().collect();
    let overlap = |o: OccupationIdx| words.get(&o).map_or(0, |w| title_words.intersection(w).count());
    let best = targets.iter().map(|&(o, _)| overlap(o)).max().unwrap_or(0);
    if best > 0 {
        let tied: Vec<(OccupationIdx, MatchRelation)> =
            targets.iter().copied().filter(|&(o, _)| overlap(o) == best).collect();
        let strongest = tied.iter().map(|&(_, r)| strength(r)).min().unwrap_or(0);
        return tied.into_iter().filter(|&(_, r)| strength(r) == strongest).map(|(o, _)| o).collect();
    }
    for wanted in [MatchRelation::Exact, MatchRelation::Close] {
        let picked: Vec<OccupationIdx> = targets.iter().filter(|&&(_, r)| r == wanted).map(|&(o, _)| o).collect();
        if !picked.is_empty() {
            return picked;
        }
    }
    if targets.len() > MAX_UNPLACED_TARGETS {
        return Vec::new();
    }
    targets.iter().map(|&(o, _)| o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_of_the_titles_is_held_out_whatever_their_case() {
        let titles: Vec<String> = (0..4000).map(|i| format!("Title number {i}")).collect();
        let held = titles.iter().filter(|t| is_held_out(t)).count();
        assert!((900..1100).contains(&held), "{held} of 4000 held out");
        for t in &titles {
            assert_eq!(is_held_out(t), is_held_out(&t.to_uppercase()), "{t}");
            assert_eq!(is_held_out(t), is_held_out(&format!("  {}", t.replace(' ', "  "))), "{t}");
        }
    }

    #[test]
    fn a_title_goes_to_the_occupations_sharing_its_words() {
        let words: HashMap<OccupationIdx, HashSet<String>> = [
            (1, analyze("hotel receptionist front desk clerk")),
            (2, analyze("night auditor")),
            (3, analyze("hotel concierge")),
        ]
        .into_iter()
        .map(|(o, w)| (o, w.into_iter().collect()))
        .collect();
        let targets = [(1, MatchRelation::Close), (2, MatchRelation::Close), (3, MatchRelation::Exact)];
        assert_eq!(choose("Night Auditors", &targets, &words), vec![2]);
        assert_eq!(choose("Front Desk Agent", &targets, &words), vec![1]);
        // Shared words tie: the stronger relation wins.
        let words_tied: HashMap<OccupationIdx, HashSet<String>> = [(1, "hotel clerk"), (2, "hotel porter")]
            .into_iter()
            .map(|(o, t)| (o, analyze(t).into_iter().collect()))
            .collect();
        let tied = [(1, MatchRelation::Broad), (2, MatchRelation::Close)];
        assert_eq!(choose("Hotel Worker", &tied, &words_tied), vec![2]);
        // No shared word: the exact match, else the close ones, else all of a few, else none.
        assert_eq!(choose("Guest Services Agent", &targets, &words), vec![3]);
        let close = [(1, MatchRelation::Close), (2, MatchRelation::Broad)];
        assert_eq!(choose("Guest Services Agent", &close, &words), vec![1]);
        let broad = [(1, MatchRelation::Broad), (2, MatchRelation::Narrow)];
        assert_eq!(choose("Guest Services Agent", &broad, &words), vec![1, 2]);
        let many: Vec<(OccupationIdx, MatchRelation)> = (1..=4).map(|o| (o, MatchRelation::Broad)).collect();
        assert!(choose("Guest Services Agent", &many, &words).is_empty());
    }
}
