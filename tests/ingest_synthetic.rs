//! Synthetic fixtures (generated here, or once by tests/fixtures/synthetic/make_*.py) for the
//! clerk habits no real corpus file covers.

use kebiao::config::Config;
use kebiao::error::Severity;
use kebiao::ingest::open::{read_book, Kind};
use kebiao::model::{load, Dataset};
use rust_decimal_macros::dec;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use std::path::Path;

mod common;
use common::*;

fn load1(p: &Path) -> Dataset {
    load(&[p.to_path_buf()], None, &Config::default()).unwrap()
}

fn find<'a>(ds: &'a Dataset, cell: &str, part: &str) -> Option<&'a kebiao::error::Problem> {
    ds.problems
        .iter()
        .find(|p| p.location.cell == cell && p.problem.zh.contains(part))
}

fn dump(ds: &Dataset) -> String {
    ds.problems
        .iter()
        .map(|p| format!("{:?} {}", p.severity, p.line(kebiao::error::Lang::Zh)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// synthetic: title row, merged two-row header, (万元) unit, merged 区域 cells, 合计 row,
/// Traditional headers, full-width digits, a 1.1E+17 id, text dates and amounts.
#[test]
fn synthetic_clerk_habits_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_habits.xlsx");
    let mut wb = Workbook::new();
    let center = Format::new().set_align(FormatAlign::Center);
    {
        let ws = wb.add_worksheet();
        ws.set_name("客戶資料").unwrap();
        put(
            ws,
            &[
                vec![S("客戶編號"), S("客戶名稱"), S("聯繫電話"), S("建檔日期")],
                vec![
                    S("C001"),
                    S("甲公司"),
                    S("１３８００００００００"),
                    S("2023年5月15日"),
                ],
                vec![S("C002"), S("乙公司"), S("0571-88888888"), S("2023.05.16")],
                vec![N(1.1e17), S("丙公司"), E, S("20230517")],
                vec![S("1.10101E+17"), S("丁公司"), E, E],
            ],
        );
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("2023年5月销售").unwrap();
        ws.merge_range(0, 0, 0, 6, "某某公司2023年5月销售明细", &center)
            .unwrap();
        ws.merge_range(2, 0, 3, 0, "订单号", &center).unwrap();
        ws.merge_range(2, 1, 3, 1, "订货日期", &center).unwrap();
        ws.merge_range(2, 2, 2, 3, "客户", &center).unwrap();
        ws.merge_range(2, 4, 2, 5, "销售", &center).unwrap();
        ws.merge_range(2, 6, 3, 6, "区域", &center).unwrap();
        for (c, h) in [(2u16, "编号"), (3, "名称"), (4, "数量"), (5, "金额(万元)")] {
            ws.write_string(3, c, h).unwrap();
        }
        let rows: [[&str; 6]; 3] = [
            ["SO1", "2023年5月15日", "C001", "甲公司", "２", "1.2"],
            ["SO2", "2023-05-16 星期二", "C002", "", "3", "0.5"],
            ["SO3", "2023/5/17", "", "甲公司", "1", "0.25"],
        ];
        for (i, r) in rows.iter().enumerate() {
            for (c, v) in r.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(4 + i as u32, c as u16, *v).unwrap();
                }
            }
        }
        // 区域 merged over the first two lines: filled down.
        ws.merge_range(4, 6, 5, 6, "华东", &center).unwrap();
        ws.write_string(6, 6, "华北").unwrap();
        ws.write_string(7, 0, "合计").unwrap();
        ws.write_number(7, 4, 6.0).unwrap();
        ws.write_number(7, 5, 1.95).unwrap();
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("回款").unwrap();
        put(
            ws,
            &[
                vec![S("收款日期"), S("客户编号"), S("收款金额")],
                vec![S("2023-05-20"), S("C001"), S("¥1,234.50")],
                vec![S("2023-05-21"), S("C001"), S("1.2万")],
                vec![S("2023-05-22"), S("C002"), S("￥（500.00）")],
                vec![S("2023-05-23"), S("C002"), S("壹万元整")],
                vec![S("2023-05-24"), S("C002"), S("1，234")],
            ],
        );
    }
    wb.save(&p).unwrap();
    let ds = load1(&p);

    // Traditional headers and sheet name; full-width phone; text dates.
    let cs = ds.customers.as_ref().unwrap();
    assert_eq!(cs.len(), 2, "{}", dump(&ds));
    assert_eq!(cs[0].phone.as_deref(), Some("13800000000"));
    assert_eq!(
        cs[0].created_date,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 15)
    );
    assert_eq!(
        cs[1].created_date,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 16)
    );
    // Damaged ids: reported, never repaired, the row left out.
    let a4 = find(&ds, "A4", "已丢失").expect("1.1E+17 stored as a number");
    assert_eq!(a4.severity, Severity::Rejected);
    assert_eq!(a4.raw, "110000000000000000");
    assert_eq!(find(&ds, "A5", "已丢失").unwrap().raw, "1.10101E+17");

    // Two-row header joined, (万元) applied, merged 区域 filled down, 合计 row dropped.
    let r = ds
        .sheets
        .iter()
        .find(|s| s.sheet == "2023年5月销售")
        .unwrap();
    assert_eq!(r.header_row, Some(4), "{r:?}");
    assert!(
        r.mapped.contains(&("客户/编号".into(), "客户编号".into())),
        "{:?}",
        r.mapped
    );
    assert!(
        r.mapped
            .contains(&("销售/金额(万元)".into(), "金额".into())),
        "{:?}",
        r.mapped
    );
    let sales = ds.sales.as_ref().unwrap();
    assert_eq!(sales.len(), 3, "{}", dump(&ds));
    assert_eq!(sales[0].qty, dec!(2), "full-width digits");
    assert_eq!(sales[0].amount, dec!(12000));
    assert_eq!(sales[2].amount, dec!(2500));
    assert_eq!(
        sales[1].order_date,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 16).unwrap()
    );
    assert_eq!(sales[2].customer_id.as_deref(), Some("C001"), "by name");
    let regions: Vec<_> = sales.iter().map(|l| l.region.as_deref()).collect();
    assert_eq!(regions, [Some("华东"), Some("华东"), Some("华北")]);
    assert_eq!(find(&ds, "A8", "合计").unwrap().severity, Severity::Notice);

    // Text amounts.
    let rs = ds.receipts.as_ref().unwrap();
    let amts: Vec<_> = rs.iter().map(|r| r.amount).collect();
    assert_eq!(
        amts,
        [dec!(1234.50), dec!(12000), dec!(-500.00), dec!(1234)]
    );
    assert_eq!(
        find(&ds, "C5", "大写").unwrap().severity,
        Severity::Rejected
    );
    for c in &ds.counts {
        assert_eq!(c.accepted + c.rejected, c.data_rows, "{c:?}");
    }
}

/// synthetic: an HTML page saved as .xls (web exports).
#[test]
fn synthetic_html_saved_as_xls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_export.xls");
    std::fs::write(
        &p,
        "<html><head><meta charset=\"utf-8\"><title>客户信息</title></head><body>\
        <table border=1><tr><td colspan=3>客户名单导出</td></tr>\
        <tr><th>客户编号</th><th>客户名称</th><th>区域</th></tr>\
        <tr><td>00123</td><td>甲&amp;乙公司</td><td>华东</td></tr>\
        <tr><td>00124</td><td>丙公司</td><td>华南</td></tr></table></body></html>",
    )
    .unwrap();
    assert_eq!(
        read_book(&p, &std::fs::read(&p).unwrap()).unwrap().kind,
        Kind::Html
    );
    let ds = load1(&p);
    let cs = ds.customers.as_ref().unwrap();
    assert_eq!(cs.len(), 2);
    assert_eq!(
        (cs[0].customer_id.as_str(), cs[0].name.as_str()),
        ("00123", "甲&乙公司")
    );
    assert_eq!(ds.sheets[0].header_row, Some(2));
    let named = ds
        .problems
        .iter()
        .find(|p| p.location.file == "synthetic_export.xls" && p.location.cell.is_empty())
        .unwrap();
    assert_eq!(named.problem.zh, "文件名是 .xls,内容实为 HTML 格式");
}

/// synthetic: an HTML file with no table is named for what it is.
#[test]
fn synthetic_html_without_a_table_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_page.xls");
    std::fs::write(
        &p,
        "<!DOCTYPE html><html><body><p>登录已过期</p></body></html>",
    )
    .unwrap();
    let e = load(&[p], None, &Config::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("synthetic_page.xls") && e.contains("HTML"),
        "{e}"
    );
}

/// synthetic: Excel 2003 XML Spreadsheet saved as .xls.
#[test]
fn synthetic_spreadsheetml_2003_xls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_2003.xls");
    std::fs::write(&p, r#"<?xml version="1.0"?>
<?mso-application progid="Excel.Sheet"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="收款记录"><Table>
  <Row><Cell><Data ss:Type="String">收款日期</Data></Cell><Cell><Data ss:Type="String">客户名称</Data></Cell><Cell><Data ss:Type="String">收款金额</Data></Cell></Row>
  <Row><Cell><Data ss:Type="DateTime">2024-03-05T00:00:00.000</Data></Cell><Cell><Data ss:Type="String">甲公司</Data></Cell><Cell><Data ss:Type="Number">1234.5</Data></Cell></Row>
  <Row><Cell ss:Index="2"><Data ss:Type="String">甲公司</Data></Cell><Cell ss:Formula="=1+1"/></Row>
 </Table></Worksheet>
 <Worksheet ss:Name="客户信息"><Table>
  <Row><Cell><Data ss:Type="String">客户编号</Data></Cell><Cell><Data ss:Type="String">客户名称</Data></Cell></Row>
  <Row><Cell><Data ss:Type="String">C1</Data></Cell><Cell><Data ss:Type="String">甲公司</Data></Cell></Row>
 </Table></Worksheet>
</Workbook>"#).unwrap();
    assert_eq!(
        read_book(&p, &std::fs::read(&p).unwrap()).unwrap().kind,
        Kind::SpreadsheetMl
    );
    let ds = load1(&p);
    let rs = ds.receipts.as_ref().unwrap();
    assert_eq!(rs.len(), 1, "{}", dump(&ds));
    assert_eq!(rs[0].amount, dec!(1234.5));
    assert_eq!(rs[0].customer_id.as_deref(), Some("C1"));
    assert_eq!(
        rs[0].receipt_date,
        chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()
    );
    assert_eq!(
        find(&ds, "C3", "公式").unwrap().severity,
        Severity::Rejected
    );
}

/// synthetic: a GBK-encoded CSV with a quoted field holding a line break.
#[test]
fn synthetic_gbk_csv() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_客户.csv");
    let text = "客户编号,客户名称,地址,赊销限额\r\n001,上海某某有限公司,\"上海市\r\n某路1号\",\"1,000\"\r\n002,杭州某某,,5万\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(&p, &gbk).unwrap();
    let ds = load1(&p);
    let cs = ds.customers.as_ref().unwrap();
    assert_eq!(cs.len(), 2, "{}", dump(&ds));
    assert_eq!(cs[0].customer_id, "001");
    assert_eq!(cs[0].name, "上海某某有限公司");
    assert_eq!(cs[0].address.as_deref(), Some("上海市\r\n某路1号"));
    assert_eq!(cs[0].credit_limit, Some(dec!(1000)));
    assert_eq!(cs[1].credit_limit, Some(dec!(50000)));
    assert_eq!(ds.sheets[0].sheet, "synthetic_客户");
}

/// synthetic: a stray cell at XFD1048576 does not make a 17-billion-cell grid.
#[test]
fn synthetic_stray_far_cell() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_stray.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("客户信息").unwrap();
    put(
        ws,
        &[vec![S("客户编号"), S("客户名称")], vec![S("C1"), S("甲")]],
    );
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&p).unwrap();
    let t = std::time::Instant::now();
    let ds = load1(&p);
    assert!(t.elapsed().as_secs() < 5);
    assert_eq!(ds.customers.as_ref().unwrap().len(), 1);
    assert!(
        find(&ds, "XFD1048576", "未识别的列").is_some(),
        "{}",
        dump(&ds)
    );
}

/// synthetic (tests/fixtures/synthetic/make_formula_no_cache.py): a formula saved without its
/// result is reported, never read as 0.
#[test]
fn synthetic_formula_without_cached_value() {
    let ds = load1(Path::new("tests/fixtures/synthetic/formula_no_cache.xlsx"));
    let c = ds.counts.iter().find(|c| c.table == "销售明细").unwrap();
    assert_eq!((c.data_rows, c.rejected), (2, 1), "{}", dump(&ds));
    let p = find(&ds, "E3", "公式没有保存计算结果").unwrap();
    assert_eq!(p.severity, Severity::Rejected);
}

const FIX: &str = "tests/fixtures/synthetic";

/// (金额, 区域) of each accepted sales line, in order.
fn amounts_and_regions(ds: &kebiao::model::Dataset) -> Vec<(rust_decimal::Decimal, Option<&str>)> {
    let sales = ds.sales.as_deref().unwrap_or(&[]);
    sales
        .iter()
        .map(|l| (l.amount, l.region.as_deref()))
        .collect()
}

/// The 销售明细 sheet of ods_merged_formula.ods and xls_merged_formula.xls: 区域 merged over the
/// first two lines (filled down) and E3 a formula saved without a result (reported, never 0).
fn merged_and_uncached(file: &str) {
    let ds = load1(&Path::new(FIX).join(file));
    let c = ds.counts.iter().find(|c| c.table == "销售明细").unwrap();
    assert_eq!((c.data_rows, c.rejected), (4, 1), "{}", dump(&ds));
    let p = find(&ds, "E3", "公式没有保存计算结果").expect(file);
    assert_eq!(p.severity, Severity::Rejected);
    assert_eq!(p.raw, "=…");
    assert_eq!(
        amounts_and_regions(&ds),
        [
            (dec!(20), Some("华东")),
            (dec!(10), Some("华北")),
            (dec!(40), Some("华北"))
        ],
        "{}",
        dump(&ds)
    );
    // The merge's covered cell is filled, not reported as a blank.
    assert!(find(&ds, "F3", "").is_none(), "{}", dump(&ds));
}

/// synthetic (make_ods_xls.py): .ods merged 区域 and an uncached formula (with LibreOffice's
/// trailing empty row repeated 1,048,571 times, which must cost nothing).
#[test]
fn synthetic_ods_merged_cells_and_uncached_formula() {
    let t = std::time::Instant::now();
    merged_and_uncached("ods_merged_formula.ods");
    assert!(t.elapsed().as_secs() < 5);
    let p = Path::new(FIX).join("ods_merged_formula.ods");
    let book = read_book(&p, &std::fs::read(&p).unwrap()).unwrap();
    assert_eq!(book.sheets[0].merges, vec![(1, 5, 2, 5)]);
}

/// synthetic (make_ods_xls.py): the same sheet as a .xls (xlwt, E3's result patched out).
#[test]
fn synthetic_xls_merged_cells_and_uncached_formula() {
    merged_and_uncached("xls_merged_formula.xls");
}

/// synthetic (make_ods_xls.py): a hand-written .xlsb whose 区域 is merged over the first two
/// lines: the BrtMergeCell records (which calamine 0.38 does not read) fill it down.
#[test]
fn synthetic_xlsb_merged_cells_filled_down() {
    let p = Path::new(FIX).join("xlsb_merged.xlsb");
    let book = read_book(&p, &std::fs::read(&p).unwrap()).unwrap();
    assert_eq!(book.kind, Kind::Xlsb);
    assert_eq!(book.sheets[0].merges, vec![(1, 5, 2, 5)]);
    let ds = load1(&p);
    assert_eq!(
        amounts_and_regions(&ds),
        [
            (dec!(20), Some("华东")),
            (dec!(30), Some("华东")),
            (dec!(10), Some("华北")),
            (dec!(40), Some("华北"))
        ],
        "{}",
        dump(&ds)
    );
}

fn refused(file: &str) -> String {
    let p = Path::new(FIX).join(file);
    match load(&[p], None, &Config::default()) {
        Ok(ds) => panic!("{file} was read: {}", dump(&ds)),
        Err(e) => e.to_string(),
    }
}

/// `file` is refused with a message holding every one of `needles`.
fn refused_with(file: &str, needles: &[&str]) {
    let e = refused(file);
    for n in needles {
        assert!(e.contains(n), "{file}: {n:?} not in {e}");
    }
}

/// synthetic (make_ods_xls.py): a 900-byte .ods whose last row is repeated 1,000,000 times with
/// a value in column 16,001 is refused by sheet name before calamine builds its grid.
#[test]
fn synthetic_ods_far_repeated_row_is_refused() {
    refused_with(
        "ods_far_repeat.ods",
        &[
            "ods_far_repeat.ods",
            "工作表“客户信息”的已用区域 A1:WQK1000002 有 16001032002 个单元格",
            "只写了 5 个有内容的单元格",
            "请删除远处的单元格 WQK1000002",
        ],
    );
}

/// synthetic: an .ods that repeats one full row of values 3,000 times (48 million real cells
/// from one written row, ~4 GB in calamine, under its own 100-million limit) is refused too.
#[test]
fn synthetic_ods_repeated_values_are_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("synthetic_repeat_bomb.ods");
    let content = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet><table:table table:name=\"炸弹\"><table:table-row table:number-rows-repeated=\"3000\"><table:table-cell table:number-columns-repeated=\"16000\" office:value-type=\"float\" office:value=\"1\"/></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>";
    {
        let f = std::fs::File::create(&p).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        z.start_file("mimetype", stored).unwrap();
        z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        // calamine checks the manifest for encryption before it reads a cell.
        z.start_file(
            "META-INF/manifest.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        z.write_all(b"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/></manifest:manifest>").unwrap();
        z.start_file("content.xml", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    let e = load(&[p], None, &Config::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("工作表“炸弹”的已用区域 A1:WQJ3000 有 48000000 个单元格")
            && e.contains("只写了 1 个"),
        "{e}"
    );
}

/// synthetic (make_ods_xls.py): a stray cell at IV65536 of a .xls (16.7 million cells of dense
/// grid, 1 GB in calamine) is refused by sheet and cell.
#[test]
fn synthetic_xls_far_cell_is_refused() {
    refused_with(
        "xls_far_cell.xls",
        &[
            "工作表“客户信息”的已用区域 A1:IV65536 有 16777216 个单元格",
            "请删除远处的单元格 IV65536",
        ],
    );
}

/// synthetic (make_ods_xls.py): a .xls cell at column 65,536 (the record's 16 bits allow it;
/// calamine's grid would be 4 billion cells and abort the process) is refused by sheet and cell.
#[test]
fn synthetic_xls_far_column_is_refused() {
    refused_with(
        "xls_far_column.xls",
        &[
            "工作表“客户信息”的已用区域 A1:CRXP65536 有 4294967296 个单元格",
            "请删除远处的单元格 CRXP65536",
        ],
    );
}

/// synthetic (make_ods_xls.py): a .xls whose DIMENSIONS record claims 4 billion rows (calamine
/// would reserve that many cells and abort the process) is refused by sheet name.
#[test]
fn synthetic_xls_huge_dimensions_is_refused() {
    refused_with(
        "xls_huge_dimensions.xls",
        &[
            "xls_huge_dimensions.xls",
            "工作表“客户信息”的尺寸记录 (DIMENSIONS)",
            "rows 0..4294967280",
        ],
    );
}

/// A mapping that names a field kebiao does not know is a configuration error.
#[test]
fn bad_mapping_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = canonical(dir.path());
    let map = dir.path().join("m.yaml");
    std::fs::write(&map, "tables:\n  sales:\n    columns:\n      X: amout\n").unwrap();
    let e = load(&[p], Some(&map), &Config::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("amout") && e.contains("m.yaml"), "{e}");
}
