//! The only code that writes to output/. Every file is written to a temporary file in the same
//! directory and renamed into place, so a crash or a kill never leaves a half-written pack, and an
//! existing pack is replaced only once the new one is complete. A set of files that belong together
//! (the month's PDF and workbook) is swapped in as a whole folder ([`write_set`]).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A rendered file: its name relative to the output directory, and its bytes.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// Write all artifacts under `dir`. All are first written to temporary files; only when every one
/// is on disk are they renamed into place, so a failure part-way leaves the previous set untouched.
///
/// # Errors
/// The directory cannot be created or a file cannot be written; the message names the path.
pub fn write_all(dir: &Path, artifacts: &[Artifact]) -> Result<Vec<PathBuf>> {
    let mut staging = Staging::new(dir);
    for a in artifacts {
        staging.add(&a.name, &a.bytes)?;
    }
    staging.commit()
}

/// The one way a file is written: `fill` writes it into a temporary `.kebiao-*.part` file in the
/// target's directory (created if needed), readable like any document and synced to disk. The
/// caller renames it into place; dropped instead, it is removed.
fn stage(
    dir: &Path,
    name: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(tempfile::NamedTempFile, PathBuf)> {
    let target = dir.join(name);
    let parent = target.parent().unwrap_or(dir).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|source| Error::Write {
        path: parent.clone(),
        source,
    })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kebiao-")
        .suffix(".part")
        .tempfile_in(&parent)
        .map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })?;
    readable(tmp.as_file());
    fill(tmp.as_file_mut())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|source| Error::Write {
            path: target.clone(),
            source,
        })?;
    Ok((tmp, target))
}

/// A set of files written one by one as they are produced, put in place together: each
/// [`Staging::add`] writes its bytes to a temporary file at once (so the caller need not hold
/// them: memory stays bounded however many files a run makes), and only [`Staging::commit`]
/// renames them all into place. Dropped without a commit, the temporary files are removed and
/// the previous set stays untouched, as with [`write_all`].
pub struct Staging {
    dir: PathBuf,
    staged: Vec<(tempfile::TempPath, PathBuf)>,
}

impl Staging {
    pub fn new(dir: &Path) -> Staging {
        Staging {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        }
    }

    /// Write `bytes` as `name` (relative to the directory) to a temporary file beside its target.
    ///
    /// # Errors
    /// The directory or the file cannot be created or written; the message names the path.
    pub fn add(&mut self, name: &Path, bytes: &[u8]) -> Result<()> {
        let (tmp, target) = stage(&self.dir, name, |f| f.write_all(bytes))?;
        // Keep only the path: thousands of staged files must not hold thousands of descriptors.
        self.staged.push((tmp.into_temp_path(), target));
        Ok(())
    }

    /// Rename every staged file into place, in the order they were added.
    ///
    /// # Errors
    /// A rename fails; the message names the path.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let mut written = Vec::with_capacity(self.staged.len());
        for (tmp, target) in self.staged {
            tmp.persist(&target).map_err(|e| Error::Write {
                path: target.clone(),
                source: e.error,
            })?;
            written.push(target);
        }
        Ok(written)
    }
}

/// Write a set of files that belong together (a month's pack: the PDF and the workbook) so that
/// the folder always holds one whole set, the previous or the new, never a new PDF beside an old
/// workbook. Every artifact name starts with the set's folder (`2024-03/…`); the set is written into
/// a hidden staging folder `.kebiao-<set>.new-*` beside it, then the folders are swapped with two
/// renames (old → `.kebiao-<set>.old-*`, staging → `<set>`) and the old one is removed. Files of
/// other commands in the folder (a `report` PDF, the clerk's own notes) are carried over by hard
/// link (copied where links are not possible), so the swap loses nothing.
///
/// A run killed part-way leaves hidden folders only. The next call cleans up those last touched
/// before `started` (the start of this run: a run going on at the same time keeps its own) and, if it
/// finds the set's folder missing (killed between the two renames), first puts the previous set
/// back.
///
/// # Errors
/// The names do not share one folder, or a folder or file cannot be written or renamed; the
/// message names the path. On error the previous set is left as it was.
pub fn write_set(
    dir: &Path,
    artifacts: &[Artifact],
    started: std::time::SystemTime,
) -> Result<Vec<PathBuf>> {
    let set = set_folder(dir, artifacts)?;
    let mut w = SetWriter::begin(dir, &set, started)?;
    for a in artifacts {
        // set_folder checked that every name starts with the set's folder.
        w.add(a.name.strip_prefix(&set).unwrap_or(&a.name), &a.bytes)?;
    }
    w.commit()
}

/// A set of files (see [`write_set`]) written one by one into its staging folder as they are
/// made, a large one streamed ([`SetWriter::stream`]) while it is still being made; only
/// [`SetWriter::commit`] puts the set in place. Dropped without a commit, the staging folder is
/// removed and the previous set stays as it was.
pub struct SetWriter {
    dir: PathBuf,
    set: PathBuf,
    /// The set's folder: `dir/set`.
    target: PathBuf,
    staging: tempfile::TempDir,
    /// The files written, relative to the set's folder.
    names: Vec<PathBuf>,
}

impl SetWriter {
    /// Start writing the set `set` (a folder name) in `dir`, after cleaning up what a run killed
    /// before `started` left behind.
    ///
    /// # Errors
    /// `dir` or the staging folder cannot be created; the message names the path.
    pub fn begin(dir: &Path, set: &Path, started: std::time::SystemTime) -> Result<SetWriter> {
        let target = dir.join(set);
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        recover(dir, set, &target, started);
        let staging = tempfile::Builder::new()
            .prefix(&format!(".kebiao-{}.new-", set.display()))
            .tempdir_in(dir)
            .map_err(io(&target))?;
        // tempdir creates 0700; the month's folder is an ordinary folder for the clerk's programs.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ =
                std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755));
        }
        Ok(SetWriter {
            dir: dir.to_path_buf(),
            set: set.to_path_buf(),
            target,
            staging,
            names: Vec::new(),
        })
    }

    /// Write `bytes` as `name` (relative to the set's folder).
    ///
    /// # Errors
    /// The file cannot be created or written; the message names the path.
    pub fn add(&mut self, name: &Path, bytes: &[u8]) -> Result<()> {
        self.stream(name, |f, path| {
            f.write_all(bytes).map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })
        })
    }

    /// Write `name` (relative to the set's folder) by `fill`, which gets a buffered writer into
    /// the staging file and the path the file will have (for its messages). The file is synced
    /// to disk before this returns.
    ///
    /// # Errors
    /// The file cannot be created or synced, or `fill` fails (its error is returned as it is).
    pub fn stream<T>(
        &mut self,
        name: &Path,
        fill: impl FnOnce(&mut (dyn Write + Send), &Path) -> Result<T>,
    ) -> Result<T> {
        let shown = self.target.join(name);
        let path = self.staging.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(&shown))?;
        }
        let f = std::fs::File::create(&path).map_err(io(&shown))?;
        readable(&f);
        // Large writes (a data sheet's deflated pieces) pass the buffer by.
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        let made = fill(&mut w, &shown)?;
        let f = w.into_inner().map_err(|e| io(&shown)(e.into_error()))?;
        f.sync_all().map_err(io(&shown))?;
        self.names.push(name.to_path_buf());
        Ok(made)
    }

    /// Put the set in place: files of other commands in the set's folder carried over, then the
    /// folders swapped with two renames.
    ///
    /// # Errors
    /// A folder cannot be written or renamed; the message names the path. On error the previous
    /// set is left as it was.
    pub fn commit(self) -> Result<Vec<PathBuf>> {
        let SetWriter {
            dir,
            set,
            target,
            staging,
            names,
        } = self;
        if target.is_dir() {
            carry_over(&target, staging.path()).map_err(io(&target))?;
        }
        sync_dir(staging.path());

        let suffix = staging
            .path()
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .rsplit('-')
                    .next()
                    .unwrap_or("x")
                    .to_string()
            })
            .unwrap_or_default();
        let old = dir.join(format!(".kebiao-{}.old-{suffix}", set.display()));
        let had_previous = target.exists();
        if had_previous {
            std::fs::rename(&target, &old).map_err(io(&target))?;
        }
        if let Err(source) = std::fs::rename(staging.path(), &target) {
            if had_previous {
                let _ = std::fs::rename(&old, &target);
            }
            return Err(Error::Write {
                path: target,
                source,
            });
        }
        // The staging folder is now the set's folder: it must not be removed when `staging` drops.
        let _ = staging.keep();
        if had_previous {
            let _ = std::fs::remove_dir_all(&old);
        }
        sync_dir(&dir);
        Ok(names.iter().map(|n| target.join(n)).collect())
    }
}

/// An I/O error as a write error on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Write { path, source }
}

/// The one folder every artifact name starts with (`2024-03` of `2024-03/报告.pdf`).
fn set_folder(dir: &Path, artifacts: &[Artifact]) -> Result<PathBuf> {
    let first = |a: &Artifact| {
        let mut c = a.name.components();
        match (c.next(), c.next()) {
            (Some(std::path::Component::Normal(f)), Some(_)) => Some(PathBuf::from(f)),
            _ => None,
        }
    };
    let set = artifacts.first().and_then(first);
    match set {
        Some(s) if artifacts.iter().all(|a| first(a).as_ref() == Some(&s)) => Ok(s),
        _ => Err(Error::Write {
            path: dir.to_path_buf(),
            source: std::io::Error::other(
                "一组文件必须在同一个子目录中 (a set of files must share one folder)",
            ),
        }),
    }
}

/// Clean up after a run that was killed while writing the set `set` in `dir`: put the previous set
/// back if the kill came between the two renames, then remove staging and old folders that were
/// last touched before this run began.
fn recover(dir: &Path, set: &Path, target: &Path, started: std::time::SystemTime) {
    let set = set.to_string_lossy();
    let new_prefix = format!(".kebiao-{set}.new-");
    let old_prefix = format!(".kebiao-{set}.old-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    // Same order on every system, so which old folder is restored does not depend on the listing.
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_new = name.starts_with(&new_prefix);
        let is_old = name.starts_with(&old_prefix);
        if !(is_new || is_old) {
            continue;
        }
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < started);
        if !stale {
            continue;
        }
        if is_old && !target.exists() && std::fs::rename(e.path(), target).is_ok() {
            continue;
        }
        let _ = std::fs::remove_dir_all(e.path());
    }
}

/// Hard-link (or copy) every entry of `from` that `to` does not already hold (the new set's own
/// files win) into `to`, folders merged recursively. Temporary `.kebiao-*.part` files of killed runs
/// are left behind.
fn carry_over(from: &Path, to: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n.starts_with(".kebiao-") && n.ends_with(".part") {
            continue;
        }
        let dest = to.join(&name);
        if e.file_type()?.is_dir() {
            std::fs::create_dir_all(&dest)?;
            carry_over(&e.path(), &dest)?;
        } else if dest.exists() {
            continue;
        } else if std::fs::hard_link(e.path(), &dest).is_err() {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

/// Make the renames in `dir` durable where the system allows it (a no-op elsewhere).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Write one file by streaming it into a temporary file in the target's directory, then renaming
/// it into place: the same guarantee as [`write_all`], for output too large to hold as bytes (a
/// million-line sample workbook is ~90 MB).
///
/// # Errors
/// The directory or the temporary file cannot be created, `fill` fails, or the rename fails; the
/// message names the path.
pub fn write_streamed(
    dir: &Path,
    name: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<PathBuf> {
    let (tmp, target) = stage(dir, name, fill)?;
    tmp.persist(&target).map_err(|e| Error::Write {
        path: target.clone(),
        source: e.error,
    })?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let a = Artifact {
            name: "2024-03/报告.pdf".into(),
            bytes: b"one".to_vec(),
        };
        write_all(dir.path(), &[a]).unwrap();
        let b = Artifact {
            name: "2024-03/报告.pdf".into(),
            bytes: b"two".to_vec(),
        };
        write_all(dir.path(), &[b]).unwrap();
        let sub = dir.path().join("2024-03");
        assert_eq!(std::fs::read(sub.join("报告.pdf")).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary files left: {names:?}");
    }

    fn set(month: &str, pdf: &[u8], xlsx: &[u8]) -> Vec<Artifact> {
        vec![
            Artifact {
                name: format!("{month}/报告.pdf").into(),
                bytes: pdf.to_vec(),
            },
            Artifact {
                name: format!("{month}/报告.xlsx").into(),
                bytes: xlsx.to_vec(),
            },
        ]
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn later() -> std::time::SystemTime {
        std::time::SystemTime::now() + std::time::Duration::from_secs(5)
    }

    #[test]
    fn set_is_replaced_whole_and_other_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        write_set(dir.path(), &set("2024-03", b"pdf1", b"xlsx1"), now).unwrap();
        let month = dir.path().join("2024-03");
        // A file of another command and a clerk's note in a subfolder, beside the pack.
        std::fs::write(month.join("sales-by-region.pdf"), b"report").unwrap();
        std::fs::create_dir(month.join("签字版")).unwrap();
        std::fs::write(month.join("签字版/扫描.pdf"), b"scan").unwrap();
        let written = write_set(dir.path(), &set("2024-03", b"pdf2", b"xlsx2"), now).unwrap();
        assert_eq!(
            written,
            vec![month.join("报告.pdf"), month.join("报告.xlsx")]
        );
        assert_eq!(std::fs::read(month.join("报告.pdf")).unwrap(), b"pdf2");
        assert_eq!(std::fs::read(month.join("报告.xlsx")).unwrap(), b"xlsx2");
        assert_eq!(
            std::fs::read(month.join("sales-by-region.pdf")).unwrap(),
            b"report"
        );
        assert_eq!(
            std::fs::read(month.join("签字版/扫描.pdf")).unwrap(),
            b"scan"
        );
        assert_eq!(
            names(dir.path()),
            vec!["2024-03"],
            "no staging or old folder left"
        );
        assert_eq!(
            names(&month),
            vec!["sales-by-region.pdf", "报告.pdf", "报告.xlsx", "签字版"]
        );
    }

    #[test]
    fn failed_set_leaves_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        write_set(dir.path(), &set("2024-03", b"pdf1", b"xlsx1"), now).unwrap();
        // The second file cannot be written: its folder would be the first file.
        let mut bad = set("2024-03", b"pdf2", b"xlsx2");
        bad[1].name = "2024-03/报告.pdf/x.xlsx".into();
        assert!(write_set(dir.path(), &bad, now).is_err());
        let month = dir.path().join("2024-03");
        assert_eq!(std::fs::read(month.join("报告.pdf")).unwrap(), b"pdf1");
        assert_eq!(std::fs::read(month.join("报告.xlsx")).unwrap(), b"xlsx1");
        assert_eq!(
            names(dir.path()),
            vec!["2024-03"],
            "the staging folder went"
        );
        // Names in different folders are not a set.
        let mut split = set("2024-03", b"a", b"b");
        split[1].name = "2024-04/报告.xlsx".into();
        assert!(write_set(dir.path(), &split, now).is_err());
        assert!(write_set(dir.path(), &[], now).is_err());
    }

    #[test]
    fn leftovers_of_a_killed_run_are_cleaned_and_a_lost_set_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Killed between the two renames: the previous set (with a note) sits in the old folder,
        // the month's folder is missing; a half staging folder of the same run is beside it.
        let old = root.join(".kebiao-2024-03.old-abc");
        std::fs::create_dir(&old).unwrap();
        std::fs::write(old.join("报告.pdf"), b"pdf1").unwrap();
        std::fs::write(old.join("报告.xlsx"), b"xlsx1").unwrap();
        std::fs::write(old.join("备注.txt"), b"note").unwrap();
        std::fs::write(old.join(".kebiao-x.part"), b"half").unwrap();
        let staging = root.join(".kebiao-2024-03.new-abc");
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("报告.pdf"), b"pd").unwrap();
        // Another month's leftovers are not this run's business.
        let other = root.join(".kebiao-2024-04.new-def");
        std::fs::create_dir(&other).unwrap();

        write_set(root, &set("2024-03", b"pdf2", b"xlsx2"), later()).unwrap();
        let month = root.join("2024-03");
        assert_eq!(
            names(root),
            vec![".kebiao-2024-04.new-def", "2024-03"],
            "stale folders of 2024-03 removed"
        );
        assert_eq!(names(&month), vec!["备注.txt", "报告.pdf", "报告.xlsx"]);
        assert_eq!(std::fs::read(month.join("报告.pdf")).unwrap(), b"pdf2");
        assert_eq!(std::fs::read(month.join("备注.txt")).unwrap(), b"note");

        // Folders touched after this run began belong to a run going on at the same time.
        let busy = root.join(".kebiao-2024-03.new-busy");
        std::fs::create_dir(&busy).unwrap();
        let long_ago = std::time::SystemTime::UNIX_EPOCH;
        write_set(root, &set("2024-03", b"pdf3", b"xlsx3"), long_ago).unwrap();
        assert!(busy.exists());
    }

    /// A streamed file that fails part-way leaves the previous set as it was and no staging
    /// folder behind; one that succeeds is in place only after the commit.
    #[test]
    fn a_set_streamed_in_replaces_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let now = std::time::SystemTime::now();
        write_set(root, &set("2024-03", b"pdf1", b"xlsx1"), now).unwrap();
        {
            let mut w = SetWriter::begin(root, Path::new("2024-03"), now).unwrap();
            w.add(Path::new("报告.pdf"), b"pdf2").unwrap();
            let failed: Result<()> = w.stream(Path::new("报告.xlsx"), |f, path| {
                f.write_all(b"half").unwrap();
                assert_eq!(path, root.join("2024-03").join("报告.xlsx"));
                Err(Error::Render("failed".into()))
            });
            assert!(failed.is_err());
        }
        assert_eq!(names(root), vec!["2024-03"]);
        let month = root.join("2024-03");
        assert_eq!(std::fs::read(month.join("报告.xlsx")).unwrap(), b"xlsx1");

        let mut w = SetWriter::begin(root, Path::new("2024-03"), now).unwrap();
        let n = w
            .stream(Path::new("报告.xlsx"), |f, _| {
                f.write_all(b"xlsx3").unwrap();
                Ok(5)
            })
            .unwrap();
        assert_eq!(n, 5);
        w.add(Path::new("报告.pdf"), b"pdf3").unwrap();
        assert_eq!(std::fs::read(month.join("报告.xlsx")).unwrap(), b"xlsx1");
        let written = w.commit().unwrap();
        assert_eq!(
            written,
            vec![month.join("报告.xlsx"), month.join("报告.pdf")]
        );
        assert_eq!(std::fs::read(month.join("报告.xlsx")).unwrap(), b"xlsx3");
        assert_eq!(std::fs::read(month.join("报告.pdf")).unwrap(), b"pdf3");
        assert_eq!(names(root), vec!["2024-03"]);
    }

    #[test]
    fn staging_puts_files_in_place_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        write_all(
            dir.path(),
            &[Artifact {
                name: "a.pdf".into(),
                bytes: b"old".to_vec(),
            }],
        )
        .unwrap();
        let mut s = Staging::new(dir.path());
        s.add(Path::new("a.pdf"), b"new").unwrap();
        s.add(Path::new("b.pdf"), b"two").unwrap();
        // Until the commit the old set stands.
        assert_eq!(std::fs::read(dir.path().join("a.pdf")).unwrap(), b"old");
        assert!(!dir.path().join("b.pdf").exists());
        s.commit().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.pdf")).unwrap(), b"new");
        assert_eq!(std::fs::read(dir.path().join("b.pdf")).unwrap(), b"two");
        // Dropped without a commit: nothing changes and no temporary file stays.
        let mut s = Staging::new(dir.path());
        s.add(Path::new("c.pdf"), b"three").unwrap();
        drop(s);
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["a.pdf", "b.pdf"]);
    }

    #[test]
    fn streamed_write_replaces_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let name = Path::new("big.xlsx");
        write_streamed(dir.path(), name, |f| f.write_all(b"first")).unwrap();
        let err = write_streamed(dir.path(), name, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(dir.path().join(name)).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names.len(),
            1,
            "the failed attempt left no temporary file: {names:?}"
        );
    }
}

/// tempfile creates 0600; a report is an ordinary document the clerk's other programs open.
fn readable(file: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
    }
}
