//! Never a panic on any input: truncated and corrupted corpus files, random bytes, and odd cell
//! text all end in Ok (with problems) or a clear Err.

use kebiao::config::Config;
use kebiao::ingest::normalise::{self, Ctx, DateOrder};
use kebiao::ingest::Cell;
use kebiao::model::load;
use std::path::Path;

/// A small deterministic generator (xorshift), so failures are repeatable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn corpus_files() -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for d in ["calamine", "other", "zh"] {
        for e in std::fs::read_dir(Path::new("tests/fixtures/corpus").join(d)).unwrap() {
            v.push(e.unwrap().path());
        }
    }
    v.sort();
    v
}

#[test]
fn truncated_and_corrupted_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut outcomes = (0, 0);
    for f in corpus_files()
        .iter()
        .filter(|f| std::fs::metadata(f).unwrap().len() < 100_000)
    {
        let bytes = std::fs::read(f).unwrap();
        for k in 0..6 {
            let mut b = bytes.clone();
            if k % 2 == 0 {
                b.truncate((rng.next() as usize) % b.len().max(1));
            } else {
                for _ in 0..8 {
                    let i = (rng.next() as usize) % b.len();
                    b[i] = rng.next() as u8;
                }
            }
            let p = dir.path().join(format!(
                "broken{k}.{}",
                f.extension().unwrap().to_string_lossy()
            ));
            std::fs::write(&p, &b).unwrap();
            match load(&[p], None, &Config::default()) {
                Ok(ds) => {
                    outcomes.0 += 1;
                    for c in &ds.counts {
                        assert_eq!(c.accepted + c.rejected, c.data_rows);
                    }
                }
                Err(e) => {
                    outcomes.1 += 1;
                    assert!(
                        e.to_string().contains("broken"),
                        "the error names the file: {e}"
                    );
                }
            }
        }
    }
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

#[test]
fn random_bytes_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(42);
    for (i, len) in [0usize, 1, 7, 512, 4096].iter().enumerate() {
        let b: Vec<u8> = (0..*len).map(|_| rng.next() as u8).collect();
        let p = dir.path().join(format!("r{i}.xlsx"));
        std::fs::write(&p, &b).unwrap();
        let _ = load(&[p], None, &Config::default());
    }
    for magic in [&b"PK\x03\x04xl/workbook.xml"[..], &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0][..], b"<Workbook urn:schemas-microsoft-com:office:spreadsheet><Worksheet><Row><Cell ss:Index=\"99999999999\">"] {
        let p = dir.path().join("m.xls");
        std::fs::write(&p, magic).unwrap();
        let _ = load(&[p], None, &Config::default());
    }
}

#[test]
fn huge_amounts_do_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.csv");
    std::fs::write(&p, "客户编号,客户名称\nC1,甲\n\n").unwrap();
    let s = dir.path().join("sales.csv");
    std::fs::write(
        &s,
        "订货日期,客户编号,数量,单价,折扣,金额(万元)\n\
         2024-03-01,C1,79228162514264337593543950335,79228162514264337593543950335,1,\n\
         2024-03-02,C1,1,1,0,79228162514264337593543950335\n\
         2024-03-03,C1,2,3,0,\n",
    )
    .unwrap();
    let ds = load(&[p, s], None, &Config::default()).unwrap();
    let c = ds.counts.iter().find(|c| c.table == "销售明细").unwrap();
    assert_eq!((c.data_rows, c.accepted, c.rejected), (3, 1, 2));
}

#[test]
fn odd_cell_text_never_panics_in_any_normaliser() {
    let samples = [
        "",
        " ",
        "\u{3000}",
        "年月日",
        "2023年",
        "2023年13月45日",
        "9999999999999999999999999",
        "1e400",
        "-",
        "()",
        "(",
        "¥",
        "万",
        "1.2.3万",
        "１２：３０",
        "25:61",
        "下午",
        "星期五",
        "2018-01-01 星期",
        "20231345",
        "0x1F",
        "NaN",
        "inf",
        "﷽",
        "𠀀𠀀",
        "1,,2",
        "1.5E+",
        "E+17",
        "12时99分",
        "2024/2/30 10:00",
        "T",
        "2024-01-01T",
        "(((1)))",
        "--5",
        "+-3",
        "壹",
        "1亿万",
        "99999999999999999999亿",
    ];
    let cells: Vec<Cell> = samples
        .iter()
        .map(|s| Cell::Text((*s).into()))
        .chain([
            Cell::Float(f64::NAN),
            Cell::Float(f64::INFINITY),
            Cell::Float(-1e300),
            Cell::Float(1e300),
            Cell::Int(i64::MIN),
            Cell::Int(i64::MAX),
            Cell::Duration(-5.0),
            Cell::NoCache,
        ])
        .collect();
    for c in &cells {
        for order in [
            DateOrder::YearFirst,
            DateOrder::MonthFirst,
            DateOrder::DayFirst,
        ] {
            for is_1904 in [false, true] {
                let ctx = Ctx {
                    is_1904,
                    date_order: order,
                };
                let _ = normalise::date(c, ctx);
                let _ = normalise::datetime(c, ctx);
                let _ = normalise::month(c, ctx);
                let _ = normalise::period(c, ctx);
            }
        }
        let _ = normalise::money(c);
        let _ = normalise::int(c);
        let _ = normalise::boolean(c);
        let _ = normalise::id(c);
        let _ = normalise::text(c);
        if let Cell::Text(s) = c {
            let _ = kebiao::ingest::header::normalise_header(s);
            let _ = kebiao::ingest::header::name_key(s);
        }
    }
}
