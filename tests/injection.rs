//! Text from the clerk's cells is data, never code: typst markup, spreadsheet formulas and control
//! characters in customer names, regions and products come out literally in the PDF (page text
//! read from the typst document), as strings in the xlsx (quote-prefixed when formula-like), as
//! neutralised cells in CSV, and verbatim in JSON.

mod common;

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use common::{put, N, S};
use kebiao::config::Config;
use kebiao::error::{Lang, Msg};
use kebiao::render::pdf::{page_texts, Engine};
use kebiao::report;
use kebiao::stats::{Column, Kind, Month, Table, Value};
use rust_xlsxwriter::Workbook;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// Hostile cell texts. Leading tab/CR variants are tested at the renderer level below: ingest
/// trims surrounding whitespace from text cells, so they never reach the output with the prefix.
const HOSTILE: [&str; 15] = [
    "#read(\"/etc/passwd\")",
    "#panic()",
    "$x$",
    "<l>",
    "@r",
    "*b*",
    "=HYPERLINK(\"http://x\",\"y\")",
    "+1",
    "-1",
    "@SUM(1)",
    "=1+1",
    "#set page(width: 1pt)",
    "]) #panic() //",
    "控制\u{7}字符",
    "\u{1b}[31m红字",
];

fn formula_like(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
    )
}

/// One customer per hostile string: its name is the string, its region the string three places
/// on, its product the string five places on; each buys once in 2024-03.
fn hostile_book(dir: &Path) -> PathBuf {
    let n = HOSTILE.len();
    let ids: Vec<String> = (0..n).map(|i| format!("C{i:03}")).collect();
    let orders: Vec<String> = (0..n).map(|i| format!("SO{i}")).collect();
    let mut cust = vec![vec![S("客户编号"), S("客户名称"), S("区域"), S("负责人")]];
    let mut sales = vec![vec![
        S("订单号"),
        S("订货日期"),
        S("客户编号"),
        S("业务员"),
        S("产品名称"),
        S("数量"),
        S("单价"),
        S("金额"),
    ]];
    for i in 0..n {
        cust.push(vec![
            S(&ids[i]),
            S(HOSTILE[i]),
            S(HOSTILE[(i + 3) % n]),
            S(HOSTILE[(i + 7) % n]),
        ]);
        sales.push(vec![
            S(&orders[i]),
            S("2024-03-15"),
            S(&ids[i]),
            S(HOSTILE[(i + 7) % n]),
            S(HOSTILE[(i + 5) % n]),
            N(1.0),
            N(100.0 + i as f64),
            N(100.0 + i as f64),
        ]);
    }
    let p = dir.join("恶意文本.xlsx");
    let mut wb = Workbook::new();
    for (name, rows) in [("客户信息表", &cust), ("销售明细", &sales)] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        put(ws, rows);
    }
    wb.save(&p).unwrap();
    p
}

fn march() -> Month {
    "2024-03".parse().unwrap()
}

/// Text without whitespace, the zero-width breaks typst's forms put into long unbroken values,
/// and control characters, so wrapped cells compare equal to the one-line original.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control() && *c != '\u{200b}')
        .collect()
}

/// The printable part of a string, as a reader of the PDF would see it.
fn printable(s: &str) -> String {
    squash(&s.chars().filter(|c| !c.is_control()).collect::<String>())
}

fn kebiao() -> Command {
    Command::cargo_bin("kebiao").unwrap()
}

#[test]
fn ingest_keeps_hostile_text_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let ds = kebiao::model::load(&[hostile_book(dir.path())], None, &Config::default()).unwrap();
    let names: Vec<&str> = ds
        .customers
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    for h in HOSTILE {
        assert!(
            names.iter().any(|n| printable(n) == printable(h)),
            "customer {h:?} kept: {names:?}"
        );
    }
    assert_eq!(ds.sales.as_ref().unwrap().len(), HOSTILE.len());
}

#[test]
fn pack_pdf_shows_markup_literally() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::default();
    let ds = kebiao::model::load(&[hostile_book(dir.path())], None, &cfg).unwrap();
    let engine = Engine::new(None, &[]).unwrap();
    let pack = report::build(&ds, march(), &cfg, Lang::Zh);
    let (pdf, doc) = kebiao::render::pack::pdf(&engine, &pack, Lang::Zh, &cfg).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = page_texts(&doc).join("\n");
    let flat = squash(&text);
    // Every string is a region of one customer, so the region table prints each of them.
    for h in HOSTILE {
        assert!(
            flat.contains(&printable(h)),
            "PDF lacks {h:?} literally:\n{text}"
        );
    }
    // Nothing was executed: no file content, no page resized to 1pt (many pages of one glyph).
    assert!(!text.contains("root:"), "read(/etc/passwd) ran");
    assert!(doc.pages().len() < 200, "{} pages", doc.pages().len());
    // 100 + … + 114 = 1,605.00 of 实销额 in March, whatever the regions are called.
    assert!(text.contains("1,605.00"), "{text}");
}

#[test]
fn pack_xlsx_stores_strings_and_quote_prefixes_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::default();
    let ds = kebiao::model::load(&[hostile_book(dir.path())], None, &cfg).unwrap();
    let pack = report::build(&ds, march(), &cfg, Lang::Zh);
    let bytes = kebiao::render::xlsx::pack(&pack, Lang::Zh, Some(&ds)).unwrap();
    let found = strings_in_xlsx(&bytes);
    for h in HOSTILE {
        let hit = found.iter().find(|(_, _, s)| printable(s) == printable(h));
        let Some((sheet, cell, _)) = hit else {
            panic!("xlsx lacks {h:?} as a string");
        };
        if formula_like(h) {
            assert!(
                quote_prefixed(&bytes, sheet, cell),
                "{h:?} at {sheet}!{cell} is not quote-prefixed"
            );
        }
    }
    assert_no_formula_from_text(&bytes);
}

#[test]
fn report_text_csv_json_xlsx_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let book = hostile_book(dir.path());
    let report = |format: &str| {
        let out = kebiao()
            .args([
                "report",
                "sales-by-region",
                "--month",
                "2024-03",
                "--format",
                format,
                "--input",
            ])
            .arg(&book)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        assert!(matches!(out.status.code(), Some(0 | 1)), "{format}: {err}");
        out.stdout
    };

    let text = String::from_utf8(report("text")).unwrap();
    for h in HOSTILE {
        assert!(
            squash(&text).contains(&squash(h)),
            "text lacks {h:?}:\n{text}"
        );
    }

    let csv_bytes = report("csv");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(&csv_bytes[..]);
    let cells: Vec<String> = rdr
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect();
    for h in HOSTILE {
        let want = if formula_like(h) {
            format!("'{h}")
        } else {
            h.to_string()
        };
        assert!(
            cells.iter().any(|c| c == &want),
            "csv lacks {want:?}: {cells:?}"
        );
    }
    for c in &cells {
        assert!(
            !formula_like(c) || c.parse::<f64>().is_ok(),
            "a csv cell a spreadsheet would run: {c:?}"
        );
    }

    let json: serde_json::Value = serde_json::from_slice(&report("json")).unwrap();
    let regions: Vec<String> = json["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r[0]["value"].as_str().map(str::to_string))
        .collect();
    for h in HOSTILE {
        assert!(
            regions.iter().any(|r| r == h),
            "json lacks {h:?} verbatim: {regions:?}"
        );
    }

    let xlsx = dir.path().join("地区.xlsx");
    let out = kebiao()
        .args([
            "report",
            "sales-by-region",
            "--month",
            "2024-03",
            "--format",
            "xlsx",
            "--input",
        ])
        .arg(&book)
        .arg("--out")
        .arg(&xlsx)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let bytes = std::fs::read(&xlsx).unwrap();
    let found = strings_in_xlsx(&bytes);
    for h in HOSTILE {
        let Some((sheet, cell, _)) = found.iter().find(|(_, _, s)| s == h) else {
            panic!("xlsx report lacks {h:?}");
        };
        if formula_like(h) {
            assert!(quote_prefixed(&bytes, sheet, cell), "{h:?} at {cell}");
        }
    }
    assert_no_formula_from_text(&bytes);
}

#[test]
fn forms_fill_shows_hostile_names_literally() {
    let dir = tempfile::tempdir().unwrap();
    let book = hostile_book(dir.path());
    let out_dir = dir.path().join("forms");
    let out = kebiao()
        .args(["forms", "fill", "customer_info", "--input"])
        .arg(&book)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{err}");
    let pdfs: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 1, "one filled PDF");

    // The same records through the library, to read the page text.
    let cfg = Config::default();
    let ds = kebiao::model::load(&[book], None, &cfg).unwrap();
    let spec = kebiao::forms::find("customer_info").unwrap();
    let records = kebiao::cmd::forms::records_for(&spec, &ds, &[], false).unwrap();
    assert_eq!(records.len(), HOSTILE.len());
    let data = kebiao::forms::render_data(&spec, &records, "测试公司", Lang::Zh);
    let files = HashMap::from([("/data.json".to_string(), serde_json::to_vec(&data).unwrap())]);
    let engine = Engine::new(None, &[]).unwrap();
    let doc = engine
        .compile("form.typ", files, "2024-03-31".parse().unwrap())
        .unwrap();
    let pages = page_texts(&doc);
    let flat = squash(&pages.join("\n"));
    for h in HOSTILE {
        assert!(
            flat.contains(&printable(h)),
            "filled form lacks {h:?}: {pages:?}"
        );
    }
    assert!(!flat.contains("root:"));
}

/// A table whose text cells carry every formula prefix, including the tab- and CR-led ones that
/// ingest would have trimmed: the renderers alone must neutralise them.
fn prefixed_table() -> Table {
    let texts = [
        "=1+1",
        "+1",
        "-1",
        "@SUM(1)",
        "\t=1+1",
        "\r=1+1",
        "=HYPERLINK(\"http://x\",\"y\")",
        "普通文本",
    ];
    Table {
        id: "t".into(),
        title: Msg::new("测试", "test"),
        columns: vec![
            Column::new("name", "名称", "Name", Kind::Text),
            Column::new("amt", "金额", "Amount", Kind::Money),
        ],
        rows: texts
            .iter()
            .map(|t| {
                vec![
                    Value::Text((*t).into()),
                    Value::Money(rust_decimal::Decimal::new(-150, 2)),
                ]
            })
            .collect(),
        totals: None,
        notes: vec![],
    }
}

#[test]
fn csv_neutralises_every_formula_prefix_but_keeps_numbers() {
    let t = prefixed_table();
    let out = kebiao::cmd::report::csv(&t, Lang::Zh);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    for (row, want) in rdr.records().zip(&t.rows) {
        let row = row.unwrap();
        let Value::Text(s) = &want[0] else {
            unreachable!()
        };
        let cell = &row[0];
        if formula_like(s) {
            assert_eq!(cell, format!("'{s}"), "neutralised");
        } else {
            assert_eq!(cell, s);
        }
        // Negative money stays a plain number for the spreadsheet.
        assert_eq!(&row[1], "-1.50");
    }
}

#[test]
fn xlsx_quote_prefixes_every_formula_prefix() {
    let t = prefixed_table();
    let pack = report::Pack {
        month: march(),
        report_date: "2024-04-01".parse().unwrap(),
        company: "=公司".into(),
        department: "+部门".into(),
        sections: vec![report::Section {
            sheet: "01".into(),
            title: Msg::new("测试", "test"),
            blocks: vec![report::Block::Table(t.clone())],
        }],
    };
    let bytes = kebiao::render::xlsx::pack(&pack, Lang::Zh, None).unwrap();
    let found = strings_in_xlsx(&bytes);
    for r in &t.rows {
        let Value::Text(s) = &r[0] else {
            unreachable!()
        };
        let Some((sheet, cell, _)) = found.iter().find(|(_, _, x)| x == s) else {
            panic!("xlsx lacks {s:?} as a string: {found:?}");
        };
        assert_eq!(
            quote_prefixed(&bytes, sheet, cell),
            formula_like(s),
            "{s:?} at {cell}"
        );
    }
    assert_no_formula_from_text(&bytes);
}

// ---- reading the xlsx back ---------------------------------------------------------------

/// Every string cell of every sheet: (sheet name, A1 cell, text), read with calamine.
fn strings_in_xlsx(bytes: &[u8]) -> Vec<(String, String, String)> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let Ok(range) = wb.worksheet_range(&name) else {
            continue;
        };
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, c, d) in range.used_cells() {
            if let Data::String(s) = d {
                out.push((name.clone(), a1(c0 + c as u32, r0 + r as u32), s.clone()));
            }
        }
    }
    out
}

fn a1(col0: u32, row0: u32) -> String {
    let mut n = col0 + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    format!("{}{}", String::from_utf8(s).unwrap(), row0 + 1)
}

fn zip_text(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The zip path of a sheet, from workbook.xml and its rels.
fn sheet_path(bytes: &[u8], sheet: &str) -> String {
    let wb = zip_text(bytes, "xl/workbook.xml");
    let rels = zip_text(bytes, "xl/_rels/workbook.xml.rels");
    let esc = sheet
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let at = wb
        .find(&format!("name=\"{esc}\""))
        .unwrap_or_else(|| panic!("sheet {sheet} in workbook.xml"));
    let tag_end = at + wb[at..].find("/>").unwrap();
    let tag = &wb[at..tag_end];
    let rid = attr(tag, "r:id").unwrap();
    let rel_at = rels.find(&format!("Id=\"{rid}\"")).unwrap();
    let rel_start = rels[..rel_at].rfind('<').unwrap();
    let rel_end = rel_at + rels[rel_at..].find("/>").unwrap();
    let target = attr(&rels[rel_start..rel_end], "Target").unwrap();
    format!("xl/{}", target.trim_start_matches("/xl/"))
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}

/// Whether the cell's style (cellXfs[s]) has quotePrefix="1".
fn quote_prefixed(bytes: &[u8], sheet: &str, cell: &str) -> bool {
    let xml = zip_text(bytes, &sheet_path(bytes, sheet));
    let Some(at) = xml.find(&format!("<c r=\"{cell}\"")) else {
        panic!("{cell} not in {sheet}");
    };
    let end = at + xml[at..].find('>').unwrap();
    let style: usize = attr(&xml[at..end], "s").map_or(0, |s| s.parse().unwrap());
    let styles = zip_text(bytes, "xl/styles.xml");
    let xfs_at = styles.find("<cellXfs").unwrap();
    let xfs_end = xfs_at + styles[xfs_at..].find("</cellXfs>").unwrap();
    let xfs = &styles[xfs_at..xfs_end];
    let xf = xfs
        .match_indices("<xf ")
        .nth(style)
        .map(|(i, _)| {
            let e = xfs[i..].find('>').unwrap();
            &xfs[i..i + e]
        })
        .unwrap_or_else(|| panic!("style {style}"));
    xf.contains("quotePrefix=\"1\"")
}

/// No formula in any sheet contains text that came from the data (formulas are our own SUMs).
fn assert_no_formula_from_text(bytes: &[u8]) {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let names: Vec<String> = (0..z.len())
        .filter_map(|i| {
            z.by_index(i)
                .ok()
                .and_then(|f| f.name().ok().map(|n| n.to_string()))
        })
        .collect();
    for n in names
        .iter()
        .filter(|n| n.starts_with("xl/worksheets/sheet"))
    {
        let mut s = String::new();
        z.by_name(n).unwrap().read_to_string(&mut s).unwrap();
        for (i, _) in s.match_indices("<f>") {
            let f = &s[i + 3..i + 3 + s[i + 3..].find("</f>").unwrap()];
            assert!(
                !f.contains("HYPERLINK") && !f.contains("1+1") && !f.contains("@SUM"),
                "{n}: formula {f}"
            );
        }
    }
}
