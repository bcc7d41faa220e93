//! The pack workbook's zip, written by hand and front to back into any `Write` (the output file
//! itself): the report book's entries as rust_xlsxwriter compressed them, copied as they are,
//! then each data sheet's part from its deflated pieces, then the central directory. Nothing is
//! assembled in memory first, so the file is written while the last data sheets are still being
//! deflated (see `DataSheets::write_workbook`), and no copy of a third of a gigabyte is made.
//!
//! The zip crate takes compressed data only from another zip, and its streaming writer flags a
//! raw-copied entry as followed by a data descriptor that it does not write; here every entry's
//! sizes are known before its header is written, so neither is needed. The book is small and
//! not zip64 (a book that is, or a workbook past 4 GB, is refused with a message, never written
//! wrong).

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// One entry of the book's zip: where its local header and data lie in the book's bytes, and
/// its central-directory record.
struct Entry<'a> {
    name: &'a [u8],
    /// Local header, data and any data descriptor: up to the next entry.
    local: &'a [u8],
    /// The central-directory record (fixed part, name, extra field and comment).
    central: &'a [u8],
}

fn bad(what: &str) -> Error {
    Error::Render(format!("xlsx zip: {what}"))
}

fn u16_at(b: &[u8], at: usize) -> Result<u16> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or_else(|| bad("truncated"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| bad("truncated"))
}

/// The entries of a zip held in memory, in central-directory order.
fn entries(zip: &[u8]) -> Result<Vec<Entry<'_>>> {
    // The end record is the last 22 bytes plus its comment (rust_xlsxwriter writes none).
    let eocd = memchr::memmem::rfind(zip, b"PK\x05\x06").ok_or_else(|| bad("no end record"))?;
    let count = u16_at(zip, eocd + 10)? as usize;
    let cd_len = u32_at(zip, eocd + 12)? as usize;
    let cd_at = u32_at(zip, eocd + 16)? as usize;
    if count == 0xFFFF || cd_at == 0xFFFF_FFFF || cd_at + cd_len > eocd {
        return Err(bad("zip64 or inconsistent directory"));
    }
    let mut records = Vec::with_capacity(count);
    let mut at = cd_at;
    for _ in 0..count {
        if zip.get(at..at + 4) != Some(b"PK\x01\x02") {
            return Err(bad("bad central directory record"));
        }
        let (csize, usize_) = (u32_at(zip, at + 20)?, u32_at(zip, at + 24)?);
        let offset = u32_at(zip, at + 42)?;
        if csize == 0xFFFF_FFFF || usize_ == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            return Err(bad("zip64 entry"));
        }
        let n = u16_at(zip, at + 28)? as usize;
        let len = 46 + n + u16_at(zip, at + 30)? as usize + u16_at(zip, at + 32)? as usize;
        let central = zip.get(at..at + len).ok_or_else(|| bad("truncated"))?;
        records.push((offset as usize, central));
        at += len;
    }
    // Each entry's local part runs to the next entry's (or to the directory): that takes in a
    // data descriptor, if the writer used one, without parsing it.
    let mut starts: Vec<usize> = records.iter().map(|r| r.0).collect();
    starts.sort_unstable();
    starts.dedup();
    records
        .into_iter()
        .map(|(offset, central)| {
            let end = starts
                .iter()
                .find(|&&s| s > offset)
                .copied()
                .unwrap_or(cd_at);
            let local = zip.get(offset..end).ok_or_else(|| bad("truncated"))?;
            if !local.starts_with(b"PK\x03\x04") {
                return Err(bad("bad local header"));
            }
            Ok(Entry {
                name: &central[46..46 + u16_at(central, 28)? as usize],
                local,
                central,
            })
        })
        .collect()
}

/// A zip being written front to back: what went out so far and the directory to come.
pub struct ZipOut<'w> {
    out: &'w mut dyn Write,
    /// The file being written, for a message when writing fails.
    path: &'w Path,
    /// Bytes written so far: the next entry's offset.
    at: u64,
    directory: Vec<u8>,
    count: usize,
}

/// A data sheet's part: its deflate stream in pieces, with the CRC-32 and length of the XML.
pub struct Stream<'p> {
    pub pieces: &'p [&'p [u8]],
    pub crc: u32,
    pub len: u64,
}

impl<'w> ZipOut<'w> {
    pub fn new(out: &'w mut dyn Write, path: &'w Path) -> ZipOut<'w> {
        ZipOut {
            out,
            path,
            at: 0,
            directory: Vec::new(),
            count: 0,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.out.write_all(bytes).map_err(|source| Error::Write {
            path: self.path.to_path_buf(),
            source,
        })?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// The offset of the next entry, as the directory's 32-bit field holds it.
    fn offset(&self) -> Result<u32> {
        u32::try_from(self.at).map_err(|_| {
            Error::Render("工作簿超过 4 GB, 无法写入 (the workbook is over 4 GB)".into())
        })
    }

    /// Every entry of `book` (a zip in memory) except those `skip` names, as it is.
    pub fn copy_entries(&mut self, book: &[u8], skip: impl Fn(&[u8]) -> bool) -> Result<()> {
        for e in entries(book)? {
            if skip(e.name) {
                continue;
            }
            let offset = self.offset()?;
            self.directory.extend_from_slice(&e.central[..42]);
            self.directory.extend_from_slice(&offset.to_le_bytes());
            self.directory.extend_from_slice(&e.central[46..]);
            self.count += 1;
            self.put(e.local)?;
        }
        Ok(())
    }

    /// An entry `name` whose data is `part`'s pieces one after another, with the attributes
    /// rust_xlsxwriter gives its parts (deflate, no date, mode 600).
    pub fn add_deflated(&mut self, name: &str, part: &Stream<'_>) -> Result<()> {
        let size: u64 = part.pieces.iter().map(|p| p.len() as u64).sum();
        let (Ok(len), Ok(size)) = (u32::try_from(part.len), u32::try_from(size)) else {
            // A sheet of over a million rows of long text: zip64, which the workbook does not use.
            return Err(Error::Render(format!(
                "工作表 {name} 超过 4 GB, 无法写入 (the sheet {name} is over 4 GB)"
            )));
        };
        let offset = self.offset()?;
        let name = name.as_bytes();
        // Version 2.0, no flags, deflate, DOS time 00:00 of 1980-01-01, the sizes, the name.
        let common = |out: &mut Vec<u8>| {
            out.extend_from_slice(&20u16.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&8u16.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&0x21u16.to_le_bytes());
            out.extend_from_slice(&part.crc.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
        };
        let d = &mut self.directory;
        d.extend_from_slice(b"PK\x01\x02");
        // Made by: Unix (3), version 2.0.
        d.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        common(d);
        d.extend_from_slice(&0u16.to_le_bytes()); // comment
        d.extend_from_slice(&0u16.to_le_bytes()); // disk
        d.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        d.extend_from_slice(&(0o100600u32 << 16).to_le_bytes());
        d.extend_from_slice(&offset.to_le_bytes());
        d.extend_from_slice(name);
        self.count += 1;
        let mut head = Vec::with_capacity(30 + name.len());
        head.extend_from_slice(b"PK\x03\x04");
        common(&mut head);
        head.extend_from_slice(name);
        self.put(&head)?;
        part.pieces.iter().try_for_each(|p| self.put(p))
    }

    /// The central directory and the end record.
    pub fn finish(mut self) -> Result<()> {
        let at = self.offset()?;
        let (Ok(count), Ok(len)) = (
            u16::try_from(self.count),
            u32::try_from(self.directory.len()),
        ) else {
            return Err(bad("too many entries"));
        };
        let mut end = std::mem::take(&mut self.directory);
        end.extend_from_slice(b"PK\x05\x06");
        end.extend_from_slice(&0u16.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&len.to_le_bytes());
        end.extend_from_slice(&at.to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        self.put(&end)?;
        self.out.flush().map_err(|source| Error::Write {
            path: self.path.to_path_buf(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(2));
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    /// Entries copied from a book and a part added from pieces make a zip any reader opens,
    /// with the book's entries first, in their order, the skipped one gone.
    #[test]
    fn copied_and_added_entries_read_back() {
        let book = zip_of(&[
            ("[Content_Types].xml", b"types"),
            ("xl/worksheets/sheet2.xml", b"stand-in"),
            ("xl/workbook.xml", &[b'w'; 5000]),
        ]);
        let xml = "<sheetData>".repeat(1000).into_bytes();
        // Two raw deflate pieces, the first ending on a byte boundary (a sync flush).
        let mut first = flate2::Compress::new(flate2::Compression::new(2), false);
        let mut a = Vec::with_capacity(100_000);
        first
            .compress_vec(&xml[..5000], &mut a, flate2::FlushCompress::Sync)
            .unwrap();
        let b = deflate(&xml[5000..]);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&xml);
        let mut out = Vec::new();
        let mut z = ZipOut::new(&mut out, Path::new("t.xlsx"));
        z.copy_entries(&book, |n| n == b"xl/worksheets/sheet2.xml")
            .unwrap();
        z.add_deflated(
            "xl/worksheets/sheet2.xml",
            &Stream {
                pieces: &[&a, &b],
                crc: crc.finalize(),
                len: xml.len() as u64,
            },
        )
        .unwrap();
        z.finish().unwrap();
        let mut r = zip::ZipArchive::new(std::io::Cursor::new(&out)).unwrap();
        let names: Vec<String> = (0..r.len())
            .map(|i| r.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet2.xml"
            ]
        );
        let mut got = Vec::new();
        r.by_name("xl/worksheets/sheet2.xml")
            .unwrap()
            .read_to_end(&mut got)
            .unwrap();
        assert!(got == xml);
        let mut wb = Vec::new();
        r.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_end(&mut wb)
            .unwrap();
        assert_eq!(wb, vec![b'w'; 5000]);
    }

    /// A damaged book is an error, not a panic or a wrong file.
    #[test]
    fn a_damaged_book_is_refused() {
        let book = zip_of(&[("a.xml", b"x")]);
        let mut out = Vec::new();
        for cut in [book.len() - 10, book.len() / 2, 4] {
            let r =
                ZipOut::new(&mut out, Path::new("t.xlsx")).copy_entries(&book[..cut], |_| false);
            assert!(r.is_err(), "cut at {cut}");
        }
    }
}
