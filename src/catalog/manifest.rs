//! Dataset manifests (`datasets/manifests/*.json`): published source, licence and the sha256
//! of every file, compiled into the binary so that a run can tell whether it reads the
//! published data or something else (a fixture, a newer download, a corrupted copy).

use serde::{Deserialize, Serialize};

use crate::fsutil::FileEntry;

/// Description of one published dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Folder-style name with version (`esco-1.1.1`).
    pub name: String,
    /// Published version.
    pub version: String,
    /// Official download page.
    pub source: String,
    /// Licence of the data.
    pub licence: String,
    /// Every file of the dataset, named by its path relative to the data directory
    /// (`esco-1.1.1/skills_en.csv`), as model and index manifests list theirs.
    pub files: Vec<FileEntry>,
}

impl Manifest {
    /// The expected sha256 of `path` (relative to the data directory), if listed.
    pub fn sha256_of(&self, path: &str) -> Option<&str> {
        self.files.iter().find(|f| f.name == path).map(|f| f.sha256.as_str())
    }
}

const EMBEDDED: &[(&str, &str)] = &[
    ("esco-1.1.1", include_str!("../../datasets/manifests/esco-1.1.1.json")),
    ("rome-4.60", include_str!("../../datasets/manifests/rome-4.60.json")),
    ("rome-esco-crosswalk-1.4", include_str!("../../datasets/manifests/rome-esco-crosswalk-1.4.json")),
    ("onet-29.2", include_str!("../../datasets/manifests/onet-29.2.json")),
    ("onet-esco-crosswalk-2022", include_str!("../../datasets/manifests/onet-esco-crosswalk-2022.json")),
    ("onisep", include_str!("../../datasets/manifests/onisep.json")),
];

/// The manifest named `name` (`esco-1.1.1`, `rome-4.60`, ...), as compiled in.
pub fn manifest(name: &str) -> Option<Manifest> {
    let (_, json) = EMBEDDED.iter().find(|(n, _)| *n == name)?;
    serde_json::from_str(json).map_err(|e| tracing::warn!(manifest = name, error = %e, "bad manifest")).ok()
}

/// Files whose checksum differs from manifest `name`; `hashes` holds `(path relative to the
/// data directory, sha256)`. Files the manifest does not list count as different.
pub fn mismatches<'a>(name: &str, hashes: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let Some(manifest) = manifest(name) else {
        return Vec::new();
    };
    hashes
        .into_iter()
        .filter(|(path, sha)| manifest.sha256_of(path) != Some(*sha))
        .map(|(path, _)| path.to_owned())
        .collect()
}

/// Logs a warning when files read for dataset `name` are not the published ones.
pub fn warn_on_mismatch<'a>(name: &str, hashes: impl IntoIterator<Item = (&'a str, &'a str)>) {
    let differing = mismatches(name, hashes);
    if differing.is_empty() {
        tracing::debug!(dataset = name, "checksums match the manifest");
        return;
    }
    for path in &differing {
        tracing::debug!(dataset = name, file = %path, "sha256 differs from the manifest");
    }
    tracing::warn!(
        dataset = name,
        files = differing.len(),
        first = %differing[0],
        "files differ from the published dataset manifest (fixture or modified copy?)"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_manifest_parses() {
        for (name, _) in EMBEDDED {
            let m = manifest(name).expect("manifest parses");
            assert_eq!(&m.name, name);
            assert!(!m.files.is_empty() && m.source.starts_with("https://"));
            assert!(m.files.iter().all(|f| f.sha256.len() == 64));
        }
    }

    #[test]
    fn detects_mismatch() {
        let m = manifest("onisep").expect("onisep manifest");
        let f = &m.files[0];
        assert!(mismatches("onisep", [(f.name.as_str(), f.sha256.as_str())]).is_empty());
        assert_eq!(mismatches("onisep", [(f.name.as_str(), "00")]), vec![f.name.clone()]);
        assert!(mismatches("unknown", [("x", "y")]).is_empty());
    }
}
