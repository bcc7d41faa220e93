//! A run killed part-way (SIGKILL: no destructor, no handler runs) leaves output/ holding either
//! the previous complete pack or nothing: never a truncated PDF or workbook, never a new PDF beside
//! an old workbook (the month's folder is swapped in as a whole), and never a leftover that looks
//! like a pack. Leftovers are hidden (`.kebiao-*.part` files, `.kebiao-<month>.new-*`/`.old-*`
//! folders), and the next complete run clears them away.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("kebiao")
}

fn pack_cmd(input: &Path, out: &Path, lang: &str) -> Command {
    let mut c = Command::new(bin());
    c.args(["pack", "--month", "2026-09", "--lang", lang, "--input"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(snapshot(&p));
        } else {
            let b = std::fs::read(&p).unwrap_or_default();
            out.push((p, b));
        }
    }
    out.sort();
    out
}

/// A hidden leftover of a killed run: a temporary file, or anything in a staging or old folder.
fn is_temp(p: &Path) -> bool {
    p.components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with(".kebiao-"))
}

/// Set a file's or folder's modification time (an "earlier crash").
fn age(p: &Path, secs: u64) {
    let t = std::time::SystemTime::now() - Duration::from_secs(secs);
    std::fs::File::open(p).unwrap().set_modified(t).unwrap();
}

/// A run with the given previous state: after the kill, each pack file is absent, the previous
/// complete file, or the new complete file; anything else is a hidden temporary file.
fn assert_whole(
    dir: &Path,
    names: &[String],
    allowed: &[&[(PathBuf, Vec<u8>)]],
    delay: Duration,
) -> usize {
    let mut temps = 0;
    for (p, bytes) in snapshot(dir) {
        if is_temp(&p) {
            temps += 1;
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            names.contains(&name),
            "after a kill at {delay:?}: unexpected file {}",
            p.display()
        );
        let ok = allowed
            .iter()
            .any(|set| set.iter().any(|(q, b)| q == &p && b == &bytes));
        assert!(
            ok,
            "after a kill at {delay:?}: {} ({} bytes) is neither the previous nor the new pack",
            p.display(),
            bytes.len()
        );
    }
    temps
}

#[test]
fn killed_pack_leaves_the_previous_pack_or_nothing() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    // A larger sample than the bundled one, so a pack takes long enough to be killed part-way.
    let st = Command::new(bin())
        .args(["sample", "--customers", "400", "--months", "24", "--out"])
        .arg(&data)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());

    // The two complete packs: the previous one (English) and the new one (Chinese). Same names,
    // different bytes, so a file after a kill can be told apart.
    let prev_dir = work.path().join("prev");
    assert!(pack_cmd(&data, &prev_dir, "en").status().unwrap().code() <= Some(1));
    let new_dir = work.path().join("new");
    let t0 = Instant::now();
    assert!(pack_cmd(&data, &new_dir, "zh").status().unwrap().code() <= Some(1));
    let full = t0.elapsed();
    let rebase = |from: &Path, to: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        snapshot(from)
            .into_iter()
            .map(|(p, b)| (to.join(p.strip_prefix(from).unwrap()), b))
            .collect()
    };
    let names: Vec<String> = snapshot(&new_dir)
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "a pack is a PDF and a workbook: {names:?}");
    assert!(snapshot(&new_dir).iter().all(|(p, _)| !is_temp(p)));

    let mut temps = 0;
    let mut outcomes = [0usize; 3]; // nothing, previous, new
    for (i, frac) in [0.1, 0.4, 0.7, 0.9, 0.97, 1.0].iter().enumerate() {
        let delay = full.mul_f64(*frac);
        for with_previous in [false, true] {
            let out = work.path().join(format!("out{i}-{with_previous}"));
            if with_previous {
                for (p, b) in rebase(&prev_dir, &out) {
                    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                    std::fs::write(&p, &b).unwrap();
                }
            }
            let mut child = pack_cmd(&data, &out, "zh").spawn().unwrap();
            std::thread::sleep(delay);
            let _ = child.kill();
            let _ = child.wait();
            let prev = rebase(&prev_dir, &out);
            let new = rebase(&new_dir, &out);
            let allowed: Vec<&[(PathBuf, Vec<u8>)]> = if with_previous {
                vec![&prev, &new]
            } else {
                vec![&new]
            };
            temps += assert_whole(&out, &names, &allowed, delay);
            let snap = snapshot(&out);
            let packs: Vec<_> = snap.iter().filter(|(p, _)| !is_temp(p)).collect();
            // The visible pack is one whole set: both files of the previous pack or both of the new
            // one, never one of each.
            let whole = |set: &[(PathBuf, Vec<u8>)]| {
                packs.len() == set.len()
                    && packs
                        .iter()
                        .all(|(p, b)| set.iter().any(|(q, c)| q == p && c == b))
            };
            assert!(
                packs.is_empty() || whole(&new) || (with_previous && whole(&prev)),
                "after a kill at {delay:?} the folder holds a mixed or partial set: {:?}",
                packs.iter().map(|(p, b)| (p, b.len())).collect::<Vec<_>>()
            );
            let kind = if packs.is_empty() {
                0
            } else if whole(&new) {
                2
            } else {
                1
            };
            outcomes[kind] += 1;
            if with_previous {
                assert!(
                    !packs.is_empty(),
                    "a kill at {delay:?} removed the previous pack"
                );
            }

            if !with_previous {
                continue;
            }
            // The next complete run replaces whatever is there and clears the leftovers, also ones
            // planted from an "earlier crash" (the kill above rarely lands inside the short write):
            // a temporary file in the month's folder and a half-written staging folder beside it.
            let stale = out.join("2026-09").join(".kebiao-stale.part");
            std::fs::write(&stale, b"half a pack").unwrap();
            age(&stale, 3600);
            let staging = out.join(".kebiao-2026-09.new-planted");
            std::fs::create_dir_all(&staging).unwrap();
            std::fs::write(staging.join(&names[0]), b"half a pdf").unwrap();
            age(&staging, 3600);
            let st = pack_cmd(&data, &out, "zh").status().unwrap();
            assert!(st.code() <= Some(1));
            let after = snapshot(&out);
            assert_eq!(after, new, "a complete run after a kill at {delay:?}");
        }
    }
    // Killed between the two renames of the swap: the month's folder is gone and the previous
    // set sits in the hidden old folder, with a note the clerk had put beside the pack. The next
    // run puts it back, carries the note over and swaps in the new set.
    let out = work.path().join("between");
    let old = out.join(".kebiao-2026-09.old-planted");
    for (p, b) in rebase(&prev_dir.join("2026-09"), &old) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &b).unwrap();
    }
    std::fs::write(old.join("备注.txt"), b"note").unwrap();
    age(&old, 3600);
    assert!(pack_cmd(&data, &out, "zh").status().unwrap().code() <= Some(1));
    let mut expect = rebase(&new_dir, &out);
    expect.push((out.join("2026-09").join("备注.txt"), b"note".to_vec()));
    expect.sort();
    assert_eq!(
        snapshot(&out),
        expect,
        "the lost set's note survives the swap"
    );

    eprintln!(
        "full run {full:?}; after kills: {} empty, {} previous, {} new; {temps} hidden temporary files cleared by the next run",
        outcomes[0], outcomes[1], outcomes[2]
    );
    // The kills did land at different stages.
    assert!(
        outcomes[0] + outcomes[1] > 0,
        "every kill came after the pack was complete: {outcomes:?}"
    );
}

#[test]
fn killed_sample_leaves_no_half_workbook() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("data");
    let t0 = Instant::now();
    let st = Command::new(bin())
        .args(["sample", "--customers", "300", "--months", "24", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success());
    let full = t0.elapsed();
    let complete = snapshot(&out);
    assert_eq!(complete.len(), 1);
    for frac in [0.1, 0.3, 0.5, 0.7, 0.9] {
        let dir = work.path().join(format!("s{frac}"));
        let mut child = Command::new(bin())
            .args(["sample", "--customers", "300", "--months", "24", "--out"])
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(frac));
        let _ = child.kill();
        let _ = child.wait();
        for (p, b) in snapshot(&dir) {
            if is_temp(&p) {
                continue;
            }
            assert_eq!(
                p.file_name(),
                complete[0].0.file_name(),
                "unexpected {}",
                p.display()
            );
            assert!(
                b == complete[0].1,
                "a kill at {frac}×{full:?} left a workbook of {} bytes (complete: {})",
                b.len(),
                complete[0].1.len()
            );
        }
    }
}
