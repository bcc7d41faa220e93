//! A look at an .xls before calamine opens it. calamine 0.38 builds every sheet's dense grid inside
//! `Xls::new`, sized by the bounding box of the cells, and first reserves rows × columns cells
//! from each sheet's DIMENSIONS record: a stray cell at IV65536 costs a gigabyte, and a DIMENSIONS
//! record claiming four billion rows aborts the process (an allocation failure cannot be caught).
//! So the compound file is opened here (header, FAT, directory, the `Workbook` stream), and each
//! sheet's records are walked for the positions of its cells and its DIMENSIONS claim; nothing
//! else is decoded.

use std::collections::HashSet;

/// What the walk found for one sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XlsSheet {
    pub name: String,
    /// The cells (a MULRK counts each of its cells).
    pub extent: super::Extent,
    /// The DIMENSIONS record's claim that calamine reserves as rows × columns cells, when it
    /// is beyond what a .xls can hold or would make calamine's arithmetic underflow.
    pub bad_dimensions: Option<String>,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// The sector chain from `start` in `fat`, stopping at the end mark, a bad index or a loop.
fn chain(fat: &[u32], start: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut s = start;
    while (s as usize) < fat.len() && seen.insert(s) {
        out.push(s);
        s = fat[s as usize];
    }
    out
}

/// A compound file's sector size and FAT (the next-sector table every stream's chain follows).
/// `None` when the header is not one this reader understands.
fn fat_of(file: &[u8]) -> Option<(usize, Vec<u32>)> {
    let shift = u32::from(u16_at(file, 0x1E)?);
    let mini_shift = u32::from(u16_at(file, 0x20)?);
    if !(7..=16).contains(&shift) || mini_shift >= shift {
        return None;
    }
    let ssz = 1usize << shift;
    // A sector cut short by the end of the file gives what it has, as calamine reads it (a FAT
    // that this reader dropped would hide a loop calamine then follows).
    let sector = |n: u32| -> Option<&[u8]> {
        let off = (n as usize).checked_add(1)?.checked_mul(ssz)?;
        file.get(off..off.checked_add(ssz)?.min(file.len()))
    };
    let n_sectors = file.len() / ssz + 1;
    // The FAT's own sectors: 109 in the header, then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(file, 0x4C + i * 4))
        .filter(|&s| s < 0xFFFF_FFFA)
        .collect();
    let mut difat = u32_at(file, 0x44)?;
    let mut guard = 0;
    while difat < 0xFFFF_FFFA && guard < n_sectors {
        guard += 1;
        let d = sector(difat)?;
        let per = ssz / 4 - 1;
        fat_sectors.extend(
            (0..per)
                .filter_map(|i| u32_at(d, i * 4))
                .filter(|&s| s < 0xFFFF_FFFA),
        );
        difat = u32_at(d, per * 4)?;
    }
    let mut fat: Vec<u32> = Vec::with_capacity(fat_sectors.len().min(n_sectors) * ssz / 4);
    for s in fat_sectors.iter().take(n_sectors) {
        let d = sector(*s)?;
        fat.extend((0..ssz / 4).filter_map(|i| u32_at(d, i * 4)));
    }
    Some((ssz, fat))
}

/// Whether a compound file's FAT chains loop back on themselves. calamine follows a chain until
/// its end marker with no bound (the directory chain is read "to the end"), so a loop makes it
/// append the same sectors forever: a 7 KB file found by fuzzing took 24 GB. A file written by
/// Excel or WPS never has one. Each sector is walked once (the FAT is a graph where every sector
/// has at most one successor).
pub fn fat_loops(file: &[u8]) -> bool {
    let Some((_, fat)) = fat_of(file) else {
        return false;
    };
    // 0 unvisited, 1 on the walk in progress, 2 known to end.
    let mut state = vec![0u8; fat.len()];
    let mut path = Vec::new();
    for start in 0..fat.len() {
        let mut s = start;
        while s < fat.len() && state[s] == 0 {
            state[s] = 1;
            path.push(s);
            s = fat[s] as usize;
        }
        if s < fat.len() && state[s] == 1 {
            return true;
        }
        for p in path.drain(..) {
            state[p] = 2;
        }
    }
    false
}

/// The `Workbook` (or BIFF5 `Book`) stream of a compound file. `None` when the container is not
/// what this reader understands; calamine then reports the damage itself.
pub fn workbook_stream(file: &[u8]) -> Option<Vec<u8>> {
    let (ssz, fat) = fat_of(file)?;
    let mini_shift = u32::from(u16_at(file, 0x20)?);
    let sector = |n: u32| -> Option<&[u8]> {
        let off = (n as usize).checked_add(1)?.checked_mul(ssz)?;
        file.get(off..off.checked_add(ssz)?)
    };
    let read_chain = |start: u32, size: usize| -> Option<Vec<u8>> {
        let mut v = Vec::with_capacity(size.min(file.len()));
        for s in chain(&fat, start) {
            if v.len() >= size {
                break;
            }
            v.extend_from_slice(sector(s)?);
        }
        v.truncate(size);
        Some(v)
    };
    let dir = read_chain(u32_at(file, 0x30)?, file.len())?;
    let entry = |i: usize| dir.get(i * 128..i * 128 + 128);
    // Find the stream as calamine 0.38 does (cfb.rs), so the guard reads the records calamine
    // will: the name is all 64 bytes as UTF-16 cut at the first NUL, compared without case, in
    // directory order, "Workbook" before "Book", whatever the entry's type; the length is 32 bits
    // in a 512-byte-sector file and 64 bits otherwise; under 4,096 bytes it is in the mini stream.
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = (0..32)
            .filter_map(|i| u16_at(e, i * 2))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    };
    let root = entry(0)?;
    let entries: Vec<&[u8]> = (0..dir.len() / 128).filter_map(entry).collect();
    let named = |want: &str| {
        entries
            .iter()
            .copied()
            .find(|e| name_of(e).eq_ignore_ascii_case(want))
    };
    let e = named("Workbook").or_else(|| named("Book"))?;
    let start = u32_at(e, 0x74)?;
    let size = if ssz == 512 {
        u32_at(e, 0x78)? as usize
    } else {
        usize::try_from(u64::from(u32_at(e, 0x78)?) | (u64::from(u32_at(e, 0x7C)?) << 32)).ok()?
    };
    if size >= 4096 {
        return read_chain(start, size);
    }
    // A small stream lives in the mini stream, which is the root entry's chain.
    let mini = read_chain(u32_at(root, 0x74)?, u32_at(root, 0x78)? as usize)?;
    let minifat_bytes = read_chain(
        u32_at(file, 0x3C)?,
        (u32_at(file, 0x40)? as usize).saturating_mul(ssz),
    )?;
    let minifat: Vec<u32> = (0..minifat_bytes.len() / 4)
        .filter_map(|i| u32_at(&minifat_bytes, i * 4))
        .collect();
    let msz = 1usize << mini_shift;
    let mut v = Vec::with_capacity(size.min(mini.len()));
    for s in chain(&minifat, start) {
        if v.len() >= size {
            break;
        }
        let off = (s as usize).checked_mul(msz)?;
        v.extend_from_slice(mini.get(off..off + msz)?);
    }
    v.truncate(size);
    Some(v)
}

/// BIFF records from `pos`: (type, data).
fn records(stream: &[u8], mut pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(stream, pos)?;
        let len = usize::from(u16_at(stream, pos + 2)?);
        let data = stream.get(pos + 4..pos + 4 + len)?;
        pos += 4 + len;
        Some((typ, data))
    })
}

/// Walk the workbook stream: every worksheet's cell positions and DIMENSIONS claim.
pub fn scan_stream(stream: &[u8]) -> Vec<XlsSheet> {
    let mut biff8 = true;
    let mut sheets: Vec<(usize, String)> = Vec::new();
    for (i, (typ, d)) in records(stream, 0).enumerate() {
        match typ {
            0x0809 if i == 0 => biff8 = u16_at(d, 0) == Some(0x0600),
            0x0085 => {
                let Some(pos) = u32_at(d, 0) else { continue };
                let cch = usize::from(d.get(6).copied().unwrap_or(0));
                let name = if biff8 {
                    let flags = d.get(7).copied().unwrap_or(0);
                    let s = d.get(8..).unwrap_or(&[]);
                    if flags & 1 == 1 {
                        let units: Vec<u16> = (0..cch).filter_map(|k| u16_at(s, k * 2)).collect();
                        String::from_utf16_lossy(&units)
                    } else {
                        s.iter().take(cch).map(|&b| char::from(b)).collect()
                    }
                } else {
                    let s = d.get(7..7 + cch).unwrap_or(&[]);
                    encoding_rs::GBK.decode(s).0.into_owned()
                };
                sheets.push((pos as usize, name));
            }
            0x000A => break,
            _ => {}
        }
    }
    sheets
        .into_iter()
        .map(|(pos, name)| scan_sheet(stream, pos, name))
        .collect()
}

fn scan_sheet(stream: &[u8], pos: usize, name: String) -> XlsSheet {
    let mut s = XlsSheet {
        name,
        extent: super::Extent::default(),
        bad_dimensions: None,
    };
    let mut depth = 0usize;
    let mut seen_bof = false;
    for (typ, d) in records(stream, pos) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let rc = || Some((u64::from(u16_at(d, 0)?), u64::from(u16_at(d, 2)?)));
        match typ {
            0x0809 => {
                if seen_bof {
                    depth += 1;
                } else {
                    seen_bof = true;
                }
            }
            0x000A => break,
            // calamine reserves for every DIMENSIONS record: a later sound one does not undo a bad one.
            0x0200 => {
                if s.bad_dimensions.is_none() {
                    s.bad_dimensions = bad_dimensions(d);
                }
            }
            // NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, FORMULA: calamine keeps each.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let Some((r, c)) = rc() {
                    s.extent.add(r, c, 1, 1);
                }
            }
            // MULRK: row, first col, 6 bytes a cell, last col.
            0x00BD if d.len() >= 6 => {
                if let (Some((r, c0)), Some(c1)) = (rc(), u16_at(d, d.len() - 2)) {
                    let n = (d.len() - 6) / 6;
                    for c in c0..=u64::from(c1).min(c0 + n as u64).max(c0) {
                        s.extent.add(r, c, 1, 1);
                    }
                }
            }
            _ => {}
        }
    }
    s
}

/// The DIMENSIONS claim as calamine 0.38 reads it (xls.rs `parse_dimensions`, then
/// `(end - start + 1)` rows and columns, reserved as their product), when it is more than a .xls
/// can hold (65,536 × 256) or would underflow.
fn bad_dimensions(d: &[u8]) -> Option<String> {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (
            u64::from(u16_at(d, 0)?),
            u64::from(u16_at(d, 2)?),
            u64::from(u16_at(d, 4)?),
            u64::from(u16_at(d, 6)?),
        ),
        14 | 16 => (
            u64::from(u32_at(d, 0)?),
            u64::from(u32_at(d, 4)?),
            u64::from(u16_at(d, 8)?),
            u64::from(u16_at(d, 10)?),
        ),
        _ => return None,
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl < 1 || cl < 1 {
        return None;
    }
    let (er, ec) = (rl - 1, cl - 1);
    let text = format!("rows {rf}..{rl}, columns {cf}..{cl}");
    if er < rf || ec < cf {
        return Some(text);
    }
    let cells = (er - rf + 1).saturating_mul(ec - cf + 1);
    (cells > 65_536 * 256).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn cells_dimensions_and_nested_charts() {
        let cell = |r: u16, c: u16| {
            let mut d = r.to_le_bytes().to_vec();
            d.extend(c.to_le_bytes());
            d.extend([0u8; 10]);
            d
        };
        let mut sheet = rec(0x0809, &[0, 6, 0x10, 0]);
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend(0xFFFF_FFF0u32.to_le_bytes());
        dims.extend([0, 0, 0, 1, 0, 0]);
        sheet.extend(rec(0x0200, &dims));
        sheet.extend(rec(0x0203, &cell(0, 0)));
        // A chart substream's records are not the sheet's cells.
        sheet.extend(rec(0x0809, &[0, 6, 0x20, 0]));
        sheet.extend(rec(0x0203, &cell(60000, 200)));
        sheet.extend(rec(0x000A, &[]));
        sheet.extend(rec(0x0203, &cell(9, 3)));
        sheet.extend(rec(0x000A, &[]));
        let mut globals = rec(0x0809, &[0, 6, 5, 0]);
        let name = "客户";
        let mut bs = Vec::new();
        let units: Vec<u16> = name.encode_utf16().collect();
        // Position patched below, once the globals' length is known.
        bs.extend(0u32.to_le_bytes());
        bs.extend([0, 0, units.len() as u8, 1]);
        bs.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        let bs_len = 4 + bs.len();
        let pos = globals.len() + bs_len + 4;
        bs[..4].copy_from_slice(&(pos as u32).to_le_bytes());
        globals.extend(rec(0x0085, &bs));
        globals.extend(rec(0x000A, &[]));
        globals.extend(sheet);
        let s = scan_stream(&globals);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "客户");
        assert_eq!(s[0].extent.used, Some((0, 0, 9, 3)));
        assert_eq!(s[0].extent.written, 2);
        assert_eq!(s[0].extent.far, Some((9, 3)));
        assert!(s[0].bad_dimensions.is_some());
    }

    #[test]
    fn dimensions_within_a_xls_are_fine() {
        let mut d = 0u32.to_le_bytes().to_vec();
        d.extend(65_536u32.to_le_bytes());
        d.extend([0, 0, 0, 1, 0, 0]);
        assert_eq!(bad_dimensions(&d), None);
        // Last row before first row: calamine's `end - start` would underflow.
        let mut d = 5u32.to_le_bytes().to_vec();
        d.extend(3u32.to_le_bytes());
        d.extend([0, 0, 2, 0, 0, 0]);
        assert!(bad_dimensions(&d).is_some());
    }
}
