//! Hostile and broken input files, all generated here (no hand-made binaries): each goes through
//! `kebiao check` and `kebiao pack` as the binary, which must say which file (and sheet/cell) is
//! wrong, exit 1 or 2 (never panic), write nothing on exit 2, and finish quickly in bounded memory.

mod common;

use assert_cmd::Command;
use common::{put, N, S};
use rust_xlsxwriter::Workbook;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Wall-clock bound for one command on a small hostile file. Generous for a loaded 2-core CI box;
/// a quadratic blow-up or a dense million-column grid takes far longer.
const LIMIT: Duration = Duration::from_secs(90);
/// Peak resident memory bound (KiB) where /usr/bin/time can measure it: the typst engine with the
/// bundled CJK fonts uses a few hundred MB; a dense grid of a million columns would need gigabytes.
const MAX_RSS_KIB: u64 = 1_500_000;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("kebiao")
}

/// The outcome of one run of the binary.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    secs: f64,
    max_rss_kib: Option<u64>,
}

/// Run the binary with `args`, under GNU time when it is installed (peak RSS), with a timeout.
fn run(args: &[&std::ffi::OsStr]) -> Run {
    let time = Path::new("/usr/bin/time");
    let rss_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(rss_file.path());
        c.arg(bin());
        c
    } else {
        Command::new(bin())
    };
    cmd.args(args).timeout(LIMIT);
    let t0 = Instant::now();
    let out = cmd.output().unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let max_rss_kib = std::fs::read_to_string(rss_file.path())
        .ok()
        .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok()));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        secs,
        max_rss_kib,
    }
}

/// Every file (recursively) under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// What a case must show.
struct Expect {
    /// Allowed exit codes of `check`.
    check: &'static [i32],
    /// Allowed exit codes of `pack`.
    pack: &'static [i32],
    /// Text that must appear in the combined output of both commands (besides the file name).
    says: &'static [&'static str],
}

const UNREADABLE: Expect = Expect {
    check: &[2],
    pack: &[2],
    says: &[],
};

/// Run `check` and `pack` on one file and hold them to the rules of the suite.
fn case(path: &Path, expect: &Expect) -> (Run, Run) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let check = run(&["check".as_ref(), path.as_os_str()]);
    let out = tempfile::tempdir().unwrap();
    let pack = run(&[
        "pack".as_ref(),
        "--input".as_ref(),
        path.as_os_str(),
        "--out".as_ref(),
        out.path().as_os_str(),
    ]);
    for (what, r, allowed) in [
        ("check", &check, expect.check),
        ("pack", &pack, expect.pack),
    ] {
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(
            !all.contains("panicked"),
            "{what} {name} panicked:\n{}",
            r.stderr
        );
        assert!(
            allowed.contains(&r.code),
            "{what} {name}: exit {} (want {allowed:?})\nstdout:\n{}\nstderr:\n{}",
            r.code,
            r.stdout,
            r.stderr
        );
        // A run that did not go cleanly says which file; check always lists what it read.
        if r.code != 0 || what == "check" {
            assert!(
                all.contains(&name),
                "{what} {name}: the output names the file\nstdout:\n{}\nstderr:\n{}",
                r.stdout,
                r.stderr
            );
        }
        assert!(
            r.secs < LIMIT.as_secs_f64(),
            "{what} {name} took {:.1}s",
            r.secs
        );
        if let Some(kib) = r.max_rss_kib {
            assert!(kib < MAX_RSS_KIB, "{what} {name}: peak RSS {kib} KiB");
        }
    }
    let said = format!(
        "{}{}{}{}",
        check.stdout, check.stderr, pack.stdout, pack.stderr
    );
    for s in expect.says {
        assert!(said.contains(s), "{name}: output lacks {s:?}:\n{said}");
    }
    let written = files_under(out.path());
    if pack.code == 2 {
        assert!(
            written.is_empty(),
            "pack {name} failed but wrote {written:?}"
        );
    } else {
        assert_eq!(
            written
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "pdf" || e == "xlsx"))
                .count(),
            2,
            "pack {name} exit {} wrote the PDF and the workbook: {written:?}",
            pack.code
        );
    }
    (check, pack)
}

/// A small valid sales workbook (one sales sheet of 20 lines), as bytes.
fn small_book() -> Vec<u8> {
    let ids: Vec<String> = (1..=20).map(|i| format!("SO{i}")).collect();
    let dates: Vec<String> = (1..=20)
        .map(|i| format!("2024-03-{:02}", (i % 28) + 1))
        .collect();
    let mut rows = vec![vec![
        S("订单号"),
        S("订货日期"),
        S("客户编号"),
        S("客户名称"),
        S("业务员"),
        S("数量"),
        S("金额"),
    ]];
    for i in 0..20 {
        rows.push(vec![
            S(&ids[i]),
            S(&dates[i]),
            S("C001"),
            S("上海某某科技有限公司"),
            S("张三"),
            N(1.0),
            N(1001.0 + i as f64),
        ]);
    }
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("销售明细").unwrap();
    put(ws, &rows);
    wb.save_to_buffer().unwrap()
}

/// Build a zip from (name, bytes) entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// A minimal xlsx around one sheet's XML (and optional shared strings), written by hand so the
/// sheet can claim whatever it likes.
fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="销售明细" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wb_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    zip_of(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", wb_rels.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet_xml.as_bytes()),
    ])
}

fn inline(r: &str, s: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{s}</t></is></c>"#)
}

fn num(r: &str, v: f64) -> String {
    format!(r#"<c r="{r}"><v>{v}</v></c>"#)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn zero_byte_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "空文件.xlsx", b"");
    let (check, _) = case(
        &p,
        &Expect {
            check: &[2],
            pack: &[2],
            says: &[],
        },
    );
    let said = format!("{}{}", check.stdout, check.stderr);
    assert!(said.contains("文件为空"), "says the file is empty: {said}");
}

#[test]
fn truncated_zip() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = small_book();
    b.truncate(b.len() / 2);
    let p = write(dir.path(), "截断.xlsx", &b);
    case(&p, &UNREADABLE);
}

#[test]
fn zip_that_is_not_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let b = zip_of(&[
        ("readme.txt", "这不是表格".as_bytes()),
        ("a/b.bin", &[0u8; 64]),
    ]);
    let p = write(dir.path(), "压缩包.xlsx", &b);
    case(
        &p,
        &Expect {
            says: &["zip"],
            ..UNREADABLE
        },
    );
}

#[test]
fn xlsx_named_xls_is_read_by_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "改名.xls", &small_book());
    let (check, _) = case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &[".xls", "xlsx"],
        },
    );
    assert!(check.stdout.contains("数据 20 行"), "{}", check.stdout);
}

#[test]
fn xls_named_xlsx_is_read_by_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let xls = std::fs::read("tests/fixtures/corpus/calamine/merge_cells.xls").unwrap();
    let p = write(dir.path(), "老格式.xlsx", &xls);
    let check = run(&["check".as_ref(), p.as_os_str()]);
    assert!(!check.stderr.contains("panicked"), "{}", check.stderr);
    assert!([0, 1].contains(&check.code), "{}", check.stderr);
    let said = format!("{}{}", check.stdout, check.stderr);
    assert!(
        said.contains("老格式.xlsx") && said.contains("xls 格式"),
        "the notice says what the file really is: {said}"
    );
}

#[test]
fn encrypted_workbook() {
    // tests/fixtures/corpus/calamine/pass_protected.xlsx: from calamine's test suite (see the
    // corpus MANIFEST.md), a workbook saved by Excel with a password.
    let dir = tempfile::tempdir().unwrap();
    let b = std::fs::read("tests/fixtures/corpus/calamine/pass_protected.xlsx").unwrap();
    let p = write(dir.path(), "有密码.xlsx", &b);
    case(
        &p,
        &Expect {
            says: &["密码"],
            ..UNREADABLE
        },
    );
}

#[test]
fn html_saved_as_xls() {
    let dir = tempfile::tempdir().unwrap();
    let mut html = String::from(
        "<html><head><meta charset=\"utf-8\"></head><body><table>\
         <tr><td>订单号</td><td>订货日期</td><td>客户编号</td><td>数量</td><td>金额</td></tr>",
    );
    for i in 1..=5 {
        html.push_str(&format!(
            "<tr><td>SO{i}</td><td>2024-03-0{i}</td><td>C00{i}</td><td>1</td><td>{}</td></tr>",
            i * 100
        ));
    }
    html.push_str("</table></body></html>");
    let p = write(dir.path(), "网页导出.xls", html.as_bytes());
    case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &["HTML"],
        },
    );
    // A web page without a table cannot be read at all.
    let p = write(
        dir.path(),
        "网页无表.xls",
        b"<html><body><p>Session expired</p></body></html>",
    );
    case(
        &p,
        &Expect {
            says: &["HTML"],
            ..UNREADABLE
        },
    );
}

#[test]
fn spreadsheetml_2003_saved_as_xls() {
    let dir = tempfile::tempdir().unwrap();
    let mut x = String::from(
        r#"<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="销售明细"><Table>
<Row><Cell><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">订货日期</Data></Cell><Cell><Data ss:Type="String">客户编号</Data></Cell><Cell><Data ss:Type="String">数量</Data></Cell><Cell><Data ss:Type="String">金额</Data></Cell></Row>"#,
    );
    for i in 1..=5 {
        x.push_str(&format!(
            r#"<Row><Cell><Data ss:Type="String">SO{i}</Data></Cell><Cell><Data ss:Type="DateTime">2024-03-0{i}T00:00:00.000</Data></Cell><Cell><Data ss:Type="String">C00{i}</Data></Cell><Cell><Data ss:Type="Number">1</Data></Cell><Cell><Data ss:Type="Number">{}</Data></Cell></Row>"#,
            i * 100
        ));
    }
    // A cell index far beyond the sheet: must be refused or clipped, never allocated.
    x.push_str(r#"<Row><Cell ss:Index="99999999999"><Data ss:Type="String">x</Data></Cell></Row>"#);
    x.push_str("</Table></Worksheet></Workbook>");
    let p = write(dir.path(), "旧版XML.xls", x.as_bytes());
    case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &["SpreadsheetML"],
        },
    );
}

/// Inputs found by `fuzz/run.sh workbook` (2026-11-22), minimised by hand. Each made a debug
/// build panic on u32 overflow: a <Data> before any <Row> landed on row u32::MAX, where the
/// header search then looked at row u32::MAX + 1; a <Cell ss:Index="4294967295"> overflowed the
/// running column.
#[test]
fn spreadsheetml_found_by_fuzzing() {
    let dir = tempfile::tempdir().unwrap();
    let head = r#"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="销售明细">"#;
    let cases = [
        (
            "data_before_row.xml",
            r#"<Data ss:Type="String">订单号</Data></Cell><Data ss:Type="String">金额</Data></Cell><Table><Row><Cell><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">金额</Data></Cell></Row></Table>"#,
        ),
        (
            "last_column.xml",
            r#"<Table><Row><Cell ss:Index="4294967295" ss:MergeAcross="4"><Data ss:Type="String">订单号</Data></Cell><Cell><Data ss:Type="String">金额</Data></Cell></Row></Table>"#,
        ),
    ];
    for (name, body) in cases {
        let x = format!("{head}{body}</Worksheet></Workbook>");
        let p = write(dir.path(), name, x.as_bytes());
        case(
            &p,
            &Expect {
                check: &[0, 1, 2],
                pack: &[0, 1, 2],
                says: &[],
            },
        );
    }
}

#[test]
fn used_range_claims_a_million_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::new();
    rows.push_str(r#"<row r="1">"#);
    for (c, h) in
        ["A", "B", "C", "D", "E"]
            .iter()
            .zip(["订单号", "订货日期", "客户编号", "金额", "数量"])
    {
        rows.push_str(&inline(&format!("{c}1"), h));
    }
    // A stray cell in the last column of the first row and one in the sheet's last cell.
    rows.push_str(&inline("XFD1", "备注"));
    rows.push_str("</row>");
    for i in 2..=6 {
        rows.push_str(&format!(r#"<row r="{i}">"#));
        rows.push_str(&inline(&format!("A{i}"), &format!("SO{i}")));
        rows.push_str(&inline(&format!("B{i}"), &format!("2024-03-0{i}")));
        rows.push_str(&inline(&format!("C{i}"), "C001"));
        rows.push_str(&num(&format!("D{i}"), 100.0 * i as f64));
        rows.push_str(&num(&format!("E{i}"), 1.0));
        rows.push_str("</row>");
    }
    rows.push_str(r#"<row r="1048576">"#);
    rows.push_str(&inline("XFD1048576", "x"));
    rows.push_str("</row>");
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData></worksheet>"#
    );
    let p = write(dir.path(), "百万列.xlsx", &xlsx_with_sheet(&sheet));
    let (check, _) = case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &[],
        },
    );
    assert!(check.stdout.contains("销售明细"), "{}", check.stdout);
}

#[test]
fn cells_of_100000_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Excel itself stops at 32,767 characters a cell; other writers do not, so the XML is ours.
    let long_name: String = "很长的客户名称".chars().cycle().take(100_000).collect();
    let long_amount: String = "9".repeat(100_000);
    let long_date: String = "2024-03-01".repeat(10_000);
    let mut rows = String::from(r#"<row r="1">"#);
    for (c, h) in ["A", "B", "C", "D", "E", "F"].iter().zip([
        "订单号",
        "订货日期",
        "客户编号",
        "客户名称",
        "金额",
        "数量",
    ]) {
        rows.push_str(&inline(&format!("{c}1"), h));
    }
    rows.push_str("</row>");
    let data = [
        ["SO1", "2024-03-05", "C001", long_name.as_str(), "100"],
        ["SO2", long_date.as_str(), "C002", "正常客户", "200"],
        [
            "SO3",
            "2024-03-06",
            "C003",
            "正常客户",
            long_amount.as_str(),
        ],
    ];
    for (i, r) in data.iter().enumerate() {
        let n = i + 2;
        rows.push_str(&format!(r#"<row r="{n}">"#));
        for (c, v) in ["A", "B", "C", "D", "E"].iter().zip(r) {
            rows.push_str(&inline(&format!("{c}{n}"), v));
        }
        rows.push_str(&num(&format!("F{n}"), 1.0));
        rows.push_str("</row>");
    }
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    let p = write(dir.path(), "超长单元格.xlsx", &xlsx_with_sheet(&sheet));
    let (check, _) = case(
        &p,
        &Expect {
            check: &[1],
            pack: &[1],
            says: &["B3", "E4"],
        },
    );
    // The problem list quotes the raw value clipped, not 100,000 characters of it.
    let longest = check.stdout.lines().map(|l| l.chars().count()).max();
    assert!(longest.unwrap_or(0) < 2_000, "a line of {longest:?} chars");

    // The same as CSV, which has no cell limit at all (one long cell: each costs seconds in
    // ingest's header search, see the harden report).
    let csv = format!(
        "订单号,订货日期,客户编号,客户名称,金额,数量\nSO1,2024-03-05,C001,{long_name},100,1\nSO2,2024-03-06,C002,x,200,1\nSO3,2024-03-06,C003,x,n/a,1\n"
    );
    let p = write(dir.path(), "超长单元格.csv", csv.as_bytes());
    case(
        &p,
        &Expect {
            check: &[1],
            pack: &[1],
            says: &["E4"],
        },
    );
}

#[test]
fn many_merged_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("销售明细").unwrap();
    let heads = ["订单号", "订货日期", "客户编号", "金额", "数量", "备注"];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let fmt = rust_xlsxwriter::Format::new();
    for i in 1..=3000u32 {
        ws.write_string(i, 0, format!("SO{i}")).unwrap();
        ws.write_string(i, 1, format!("2024-03-{:02}", i % 28 + 1))
            .unwrap();
        ws.write_string(i, 2, format!("C{:03}", i % 50)).unwrap();
        ws.write_number(i, 3, 10.0).unwrap();
        ws.write_number(i, 4, 1.0).unwrap();
        // One merge per row over the remark and four columns to its right.
        ws.merge_range(i, 5, i, 9, "备注", &fmt).unwrap();
    }
    let p = write(dir.path(), "合并很多.xlsx", &wb.save_to_buffer().unwrap());
    let (check, _) = case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &[],
        },
    );
    assert!(check.stdout.contains("数据 3000 行"), "{}", check.stdout);
}

#[test]
fn wrong_types_in_every_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("销售明细").unwrap();
    put(
        ws,
        &[
            vec![
                S("订单号"),
                S("订货日期"),
                S("客户编号"),
                S("数量"),
                S("单价"),
                S("金额"),
                S("折扣"),
            ],
            vec![
                N(1.5),
                S("下周二"),
                N(3.0),
                S("很多"),
                S("贵"),
                S("n/a"),
                S("八折"),
            ],
            vec![
                S("SO2"),
                S("2024-13-45"),
                S("C002"),
                S("2"),
                S("x"),
                S("#VALUE!"),
                S("?"),
            ],
            vec![
                S("SO3"),
                S("2024-03-07"),
                S("C003"),
                N(1.0),
                N(10.0),
                N(10.0),
                N(0.0),
            ],
        ],
    );
    let p = write(dir.path(), "类型全错.xlsx", &wb.save_to_buffer().unwrap());
    let (check, _) = case(
        &p,
        &Expect {
            check: &[1],
            pack: &[1],
            says: &["B2", "B3", "拒绝"],
        },
    );
    assert!(
        check.stdout.contains("类型全错.xlsx › 销售明细 › B2"),
        "problems name file › sheet › cell: {}",
        check.stdout
    );
}

#[test]
fn duplicate_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("销售明细").unwrap();
    put(
        ws,
        &[
            vec![
                S("订单号"),
                S("订货日期"),
                S("客户编号"),
                S("金额"),
                S("金额"),
                S("订货日期"),
                S("数量"),
            ],
            vec![
                S("SO1"),
                S("2024-03-05"),
                S("C001"),
                N(100.0),
                N(999.0),
                S("2020-01-01"),
                N(1.0),
            ],
        ],
    );
    let p = write(dir.path(), "重复表头.xlsx", &wb.save_to_buffer().unwrap());
    let (check, _) = case(
        &p,
        &Expect {
            check: &[0, 1],
            pack: &[0, 1],
            says: &["金额"],
        },
    );
    // The second 金额 is not silently summed or preferred: the check lists it as not read.
    assert!(
        check.stdout.contains("未读取列") || check.stdout.contains("重复"),
        "{}",
        check.stdout
    );
}

#[test]
fn empty_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    wb.add_worksheet();
    let p = write(dir.path(), "空工作簿.xlsx", &wb.save_to_buffer().unwrap());
    case(
        &p,
        &Expect {
            check: &[1, 2],
            pack: &[2],
            says: &[],
        },
    );
}

#[test]
fn csv_in_an_unknown_encoding() {
    let dir = tempfile::tempdir().unwrap();
    // UTF-16LE without a BOM: every other byte is zero, and no decoder guess makes it a table.
    let text = "订单号,订货日期,客户编号,金额\nSO1,2024-03-05,C001,100\n";
    let utf16: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let p = write(dir.path(), "未知编码.csv", &utf16);
    case(
        &p,
        &Expect {
            check: &[1, 2],
            pack: &[2],
            says: &[],
        },
    );
    // Shift_JIS-like high bytes decode (as GB18030) to nonsense headers: nothing recognised,
    // and the check says so instead of inventing a table.
    let sjis: Vec<u8> = [
        0x83u8, 0x65, 0x83, 0x58, 0x83, 0x67, b',', 0x82, 0xa0, b'\n',
    ]
    .iter()
    .copied()
    .cycle()
    .take(400)
    .collect();
    let p = write(dir.path(), "日文编码.csv", &sjis);
    case(
        &p,
        &Expect {
            check: &[1, 2],
            pack: &[2],
            says: &[],
        },
    );
}

/// Found by fuzzing (`fuzz/run.sh workbook`, session 3): a 7 KB .xls whose FAT chains loop back
/// on themselves. calamine follows the directory chain "to the end" with no bound, so it appended
/// the same sectors until 24 GB and the kernel killed it; kebiao now refuses the file as damaged
/// before calamine sees it (exit 2, in milliseconds).
/// The second file's FAT is in a sector cut short by the end of the file, which calamine reads
/// as far as it goes (the guard first dropped such a FAT, and with it the loop).
#[test]
fn xls_with_a_looping_sector_chain_found_by_fuzzing() {
    for f in [
        "fuzz_xls_fat_loop.xls",
        "fuzz_xls_fat_loop_short_sector.xls",
    ] {
        let p = Path::new("tests/fixtures/synthetic").join(f);
        let t = std::time::Instant::now();
        case(
            &p,
            &Expect {
                check: &[2],
                pack: &[2],
                says: &["扇区链首尾相接", "loops back on itself"],
            },
        );
        assert!(t.elapsed().as_secs() < 30, "{f} took {:?}", t.elapsed());
    }
}

/// Found by fuzzing (session 3): a .xls whose Workbook stream is under 4,096 bytes (so it lives in
/// the mini stream, where calamine looks for it whatever the header's cutoff says) and whose sheet
/// claims 4 billion rows in DIMENSIONS: calamine reserved 43 TB and the process aborted. The guard
/// now finds the stream as calamine does and refuses the sheet by name.
#[test]
fn xls_small_stream_with_huge_dimensions_found_by_fuzzing() {
    let p = Path::new("tests/fixtures/synthetic/fuzz_xls_small_stream_dimensions.xls");
    case(
        p,
        &Expect {
            check: &[2],
            pack: &[2],
            says: &["DIMENSIONS", "客户信息"],
        },
    );
}
