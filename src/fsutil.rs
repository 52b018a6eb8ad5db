//! Small filesystem helpers shared by every stage that writes artefacts.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Name, size and sha256 of one artefact file, as recorded in manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// File name relative to the artefact directory.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Hex sha256 of the content.
    pub sha256: String,
}

impl FileEntry {
    /// Hashes `dir/name` and records its size.
    pub fn of(dir: &Path, name: &str) -> io::Result<FileEntry> {
        let path = dir.join(name);
        let (sha256, bytes) = sha256_file(&path)?;
        Ok(FileEntry { name: name.to_string(), bytes, sha256 })
    }
}

/// Hex sha256 and byte length of a file, streamed so large weights never sit in memory twice.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// A fresh sibling directory of `target` to write into before [`replace_dir`] publishes it.
///
/// Being a sibling keeps it on the same filesystem, so the final rename is atomic.
pub fn staging_dir(target: &Path) -> io::Result<PathBuf> {
    let parent = parent_of(target);
    fs::create_dir_all(&parent)?;
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("artefact");
    let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir(&staging)?;
    Ok(staging)
}

/// Atomically puts the finished `staging` directory at `target`, replacing any previous one.
///
/// The old directory is first renamed aside so a reader never sees a half-written tree and a
/// failure leaves the previous artefact in place.
pub fn replace_dir(staging: &Path, target: &Path) -> io::Result<()> {
    let parent = parent_of(target);
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("artefact");
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = target.exists();
    if had_old {
        fs::rename(target, &old)?;
    }
    if let Err(err) = fs::rename(staging, target) {
        if had_old {
            // Put the previous artefact back: losing it would be worse than failing.
            let _ = fs::rename(&old, target);
        }
        return Err(err);
    }
    if had_old {
        fs::remove_dir_all(&old)?;
    }
    Ok(())
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_dir_swaps_content_and_leaves_no_staging() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("idx");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("a"), "old").unwrap();

        let staging = staging_dir(&target).unwrap();
        fs::write(staging.join("a"), "new").unwrap();
        replace_dir(&staging, &target).unwrap();

        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the published directory remains");
    }

    #[test]
    fn sha256_matches_known_value() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "abc").unwrap();
        let entry = FileEntry::of(dir.path(), "f").unwrap();
        assert_eq!(entry.bytes, 3);
        assert_eq!(entry.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
