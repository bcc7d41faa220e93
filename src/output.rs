//! The only code that writes to output/. Every file is written to a temporary file in the same
//! directory and renamed into place, so a crash or a kill never leaves a half-written pack, and an
//! existing pack is replaced only once the new one is complete.

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
    let mut staged = Vec::with_capacity(artifacts.len());
    for a in artifacts {
        let target = dir.join(&a.name);
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
        // tempfile creates 0600; a report is an ordinary document the clerk's other programs open.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644));
        }
        tmp.write_all(&a.bytes)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|source| Error::Write {
                path: target.clone(),
                source,
            })?;
        staged.push((tmp, target));
    }
    let mut written = Vec::with_capacity(staged.len());
    for (tmp, target) in staged {
        tmp.persist(&target).map_err(|e| Error::Write {
            path: target.clone(),
            source: e.error,
        })?;
        written.push(target);
    }
    Ok(written)
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
        let target = self.dir.join(name);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
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
        tmp.write_all(bytes)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|source| Error::Write {
                path: target.clone(),
                source,
            })?;
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
