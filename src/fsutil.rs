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

    /// Checks that `dir/name` is the file this entry records: its size first (free, and it
    /// catches truncated copies before hashing), then its sha256.
    pub fn verify(&self, dir: &Path) -> Result<(), FileMismatch> {
        let path = dir.join(&self.name);
        let meta = fs::metadata(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => FileMismatch::Missing,
            _ => FileMismatch::Unreadable(e),
        })?;
        if meta.len() != self.bytes {
            return Err(FileMismatch::Corrupt(format!("expected {} bytes, found {}", self.bytes, meta.len())));
        }
        let (sha256, _) = sha256_file(&path).map_err(FileMismatch::Unreadable)?;
        if sha256 != self.sha256 {
            return Err(FileMismatch::Corrupt(format!("expected sha256 {}, found {sha256}", self.sha256)));
        }
        Ok(())
    }
}

/// Why a file is not the one its [`FileEntry`] records.
#[derive(Debug)]
pub enum FileMismatch {
    /// It does not exist.
    Missing,
    /// It could not be read.
    Unreadable(io::Error),
    /// Its size or content differs (what differs, for the message).
    Corrupt(String),
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

/// Writes `bytes` to a sibling temporary file, then renames it to `target`: a reader sees the
/// old file or the whole new one, never a part.
pub fn write_file_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = parent_of(target);
    fs::create_dir_all(&parent)?;
    let staging = parent.join(format!(".{}.tmp-{}", file_name(target), std::process::id()));
    fs::write(&staging, bytes)?;
    fs::rename(&staging, target).inspect_err(|_| {
        let _ = fs::remove_file(&staging);
    })
}

/// A fresh sibling directory of `target` to write into before [`replace_dir`] publishes it.
///
/// Being a sibling keeps it on the same filesystem, so the final rename is atomic.
pub fn staging_dir(target: &Path) -> io::Result<PathBuf> {
    let parent = parent_of(target);
    fs::create_dir_all(&parent)?;
    let name = file_name(target);
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
    let name = file_name(target);
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

/// Directory holding the published versions of the artefact at `target`: `<name>.versions`,
/// a sibling of `target` (same filesystem, so publishing is a rename).
pub fn versions_dir(target: &Path) -> PathBuf {
    parent_of(target).join(versions_name(target))
}

/// `<name>.versions`: the versions directory's name, also the relative start of the link.
fn versions_name(target: &Path) -> String {
    format!("{}.versions", file_name(target))
}

/// A fresh directory to write a new version of `target` into before [`publish_version`].
pub fn version_staging_dir(target: &Path) -> io::Result<PathBuf> {
    let versions = versions_dir(target);
    fs::create_dir_all(&versions)?;
    remove_dead_staging(&versions);
    let staging = versions.join(format!(".tmp-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    fs::create_dir(&staging)?;
    Ok(staging)
}

/// Removes staging directories left by builds that were killed (`.tmp-<pid>` of a process
/// that no longer runs); those of running builds stay. Best effort: Linux's `/proc` tells
/// which processes run; elsewhere nothing is removed.
fn remove_dead_staging(versions: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(versions) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(".tmp-").and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Publishes the finished `staging` directory as version `version` of `target` and points
/// `target` at it, keeping the `keep` most recent versions (the new one included).
///
/// `target` becomes a relative symbolic link `<name>.versions/<version>`, replaced by a rename:
/// a reader opening `target` at any moment finds either the previous version or the new one,
/// complete — never a missing or half-written directory — and a process that loaded the
/// previous version keeps it until it reloads. A `target` that is still a plain directory
/// (written before versioning) is moved into the versions directory first; only that one-time
/// migration has an instant without `target`.
pub fn publish_version(staging: &Path, target: &Path, version: &str, keep: usize) -> io::Result<PathBuf> {
    let versions = versions_dir(target);
    let published = versions.join(version);
    if published.exists() {
        fs::remove_dir_all(&published)?;
    }
    fs::rename(staging, &published)?;
    let meta = fs::symlink_metadata(target);
    if let Ok(meta) = &meta {
        if meta.is_dir() {
            let legacy = versions.join(format!("unversioned-{}", std::process::id()));
            fs::rename(target, &legacy)?;
        }
    }
    point_link(target, &Path::new(&versions_name(target)).join(version))?;
    prune_versions(&versions, version, keep)?;
    Ok(published)
}

/// Atomically makes `target` a symbolic link to `to` (relative to `target`'s directory).
#[cfg(unix)]
fn point_link(target: &Path, to: &Path) -> io::Result<()> {
    let link = parent_of(target).join(format!(".{}.link-{}", file_name(target), std::process::id()));
    let _ = fs::remove_file(&link);
    std::os::unix::fs::symlink(to, &link)?;
    fs::rename(&link, target).inspect_err(|_| {
        let _ = fs::remove_file(&link);
    })
}

#[cfg(not(unix))]
fn point_link(_target: &Path, _to: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "versioned artefacts need symbolic links (Unix)"))
}

/// Removes the oldest published versions beyond `keep` (by modification time), never
/// `current`; unfinished staging directories (names starting with `.`) are left alone, as
/// another build may be writing them.
fn prune_versions(versions: &Path, current: &str, keep: usize) -> io::Result<()> {
    let mut found = Vec::new();
    for entry in fs::read_dir(versions)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == current || !entry.file_type()?.is_dir() {
            continue;
        }
        let modified = entry.metadata()?.modified()?;
        found.push((modified, entry.path()));
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, old) in found.into_iter().skip(keep.saturating_sub(1)) {
        fs::remove_dir_all(old)?;
    }
    Ok(())
}

fn file_name(target: &Path) -> &str {
    target.file_name().and_then(|n| n.to_str()).unwrap_or("artefact")
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
    fn write_file_atomic_replaces_the_file_and_leaves_no_temporary() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("sub").join("pairs.jsonl");
        write_file_atomic(&target, b"old").unwrap();
        write_file_atomic(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(target.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("pairs.jsonl")]);
        // A target that is a directory cannot be replaced: an error, and the temporary is gone.
        assert!(write_file_atomic(root.path().join("sub").as_path(), b"x").is_err());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    fn publish(target: &Path, version: &str, content: &str) -> PathBuf {
        publish_keeping(target, version, content, 2)
    }

    fn publish_keeping(target: &Path, version: &str, content: &str, keep: usize) -> PathBuf {
        let staging = version_staging_dir(target).unwrap();
        fs::write(staging.join("a"), content).unwrap();
        publish_version(&staging, target, version, keep).unwrap()
    }

    #[test]
    fn publishing_flips_a_link_and_keeps_the_latest_versions() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("idx");
        publish(&target, "v1", "one");
        assert!(fs::symlink_metadata(&target).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "one");
        // Modification times order the versions; make them distinct even on coarse clocks.
        std::thread::sleep(std::time::Duration::from_millis(20));
        publish(&target, "v2", "two");
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "two");
        assert_eq!(fs::read_link(&target).unwrap(), Path::new("idx.versions/v2"), "a relative link");
        std::thread::sleep(std::time::Duration::from_millis(20));
        publish(&target, "v3", "three");
        let mut kept: Vec<String> = fs::read_dir(versions_dir(&target))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        kept.sort();
        assert_eq!(kept, ["v2", "v3"], "the current and the previous version are kept");
        let siblings: Vec<String> =
            fs::read_dir(root.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(siblings.len(), 2, "no staging or link leftovers: {siblings:?}");
    }

    #[test]
    fn a_plain_directory_is_migrated_into_the_versions() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("idx");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("a"), "old").unwrap();
        publish(&target, "v1", "new");
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "new");
        let versions: Vec<_> = fs::read_dir(versions_dir(&target)).unwrap().collect();
        assert_eq!(versions.len(), 2, "the old tree is kept as the previous version");
    }

    #[test]
    fn readers_never_see_a_missing_target_while_versions_are_published() {
        use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
        use std::sync::Arc;
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("idx");
        publish(&target, "v0", "0");
        let stop = Arc::new(AtomicBool::new(false));
        let reads = Arc::new(AtomicU32::new(0));
        let reader = {
            let (target, stop, reads) = (target.clone(), stop.clone(), reads.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    // Resolve once, then read inside the resolved version, as the index loader does.
                    let dir = fs::canonicalize(&target).expect("the link always resolves");
                    fs::read_to_string(dir.join("a")).expect("a published version is complete");
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        // Nothing is pruned here: a reader slower than two publications would lose its version.
        let mut i = 1;
        while i < 60 || (reads.load(Ordering::Relaxed) < 200 && i < 20_000) {
            publish_keeping(&target, &format!("v{i}"), &i.to_string(), usize::MAX);
            i += 1;
        }
        stop.store(true, Ordering::Relaxed);
        reader.join().expect("the reader never failed");
        assert!(reads.load(Ordering::Relaxed) >= 200, "the reader ran alongside the publications");
    }

    #[test]
    fn sha256_matches_known_value() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "abc").unwrap();
        let entry = FileEntry::of(dir.path(), "f").unwrap();
        assert_eq!(entry.bytes, 3);
        assert_eq!(entry.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn an_entry_verifies_its_file_by_size_then_content() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "abc").unwrap();
        let entry = FileEntry::of(dir.path(), "f").unwrap();
        assert!(entry.verify(dir.path()).is_ok());
        fs::write(dir.path().join("f"), "abcd").unwrap();
        assert!(matches!(entry.verify(dir.path()), Err(FileMismatch::Corrupt(d)) if d.contains("3 bytes, found 4")));
        fs::write(dir.path().join("f"), "abd").unwrap();
        assert!(matches!(entry.verify(dir.path()), Err(FileMismatch::Corrupt(d)) if d.contains("sha256")));
        fs::remove_file(dir.path().join("f")).unwrap();
        assert!(matches!(entry.verify(dir.path()), Err(FileMismatch::Missing)));
    }
}
