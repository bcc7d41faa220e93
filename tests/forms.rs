//! `kebiao forms` and `kebiao templates`: blank PDFs and Excel entry templates from the
//! definitions, filled forms from the sample, company overrides, and the template round trip.

use assert_cmd::Command;
use calamine::{open_workbook, Reader, Xlsx};
use kebiao::error::Lang;
use kebiao::forms;
use kebiao::render::pdf::{page_texts, Engine};
use std::collections::HashMap;
use std::io::Read;

fn kebiao() -> Command {
    Command::cargo_bin("kebiao").unwrap()
}

fn form_text(id: &str, records: &[serde_json::Value]) -> Vec<String> {
    let spec = forms::find(id).unwrap();
    let data = forms::render_data(&spec, records, "测试公司", Lang::Zh);
    let files = HashMap::from([("/data.json".to_string(), serde_json::to_vec(&data).unwrap())]);
    let engine = Engine::new(None, &[]).unwrap();
    let doc = engine
        .compile("form.typ", files, "2024-01-01".parse().unwrap())
        .unwrap();
    page_texts(&doc)
}

#[test]
fn blank_credit_survey_prints_the_seed_fields_and_signatures() {
    let text = form_text("credit_survey", &[]).join("\n");
    for s in [
        "客户信用调查表",
        "付款态度",
        "爽快",
        "嗜欠尾款",
        "总经理",
        "调查人",
        "第 1 页",
    ] {
        assert!(text.contains(s), "blank form lacks {s}: {text}");
    }
}

#[test]
fn filled_form_shows_customer_text_literally() {
    let rec = serde_json::json!({"name": "#read(\"/etc/passwd\") *粗* $x$", "customer_id": "C001"});
    let text = form_text("customer_info", &[rec]).join("\n");
    assert!(text.contains("#read(\"/etc/passwd\") *粗* $x$"), "{text}");
}

#[test]
fn list_blank_and_xlsx_template() {
    let out = kebiao().args(["forms", "list", "--json"]).output().unwrap();
    assert!(out.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), forms::catalogue().len());
    assert!(list
        .iter()
        .any(|f| f["id"] == "credit_survey" && f["title"] == "客户信用调查表"));

    let dir = tempfile::tempdir().unwrap();
    kebiao()
        .args([
            "forms",
            "blank",
            "credit_survey",
            "--format",
            "xlsx",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let path = dir.path().join("credit_survey_客户信用调查表.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert!(wb.sheet_names().contains(&"填写说明".to_string()));
    let first = wb.sheet_names()[0].clone();
    assert_eq!(
        first, "信用调查",
        "the sheet name is the input table's, so check recognises it"
    );
    let r = wb.worksheet_range(&first).unwrap();
    let headers: Vec<String> = r
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(headers.contains(&"付款态度".to_string()), "{headers:?}");
    // Drop-downs are in the sheet XML as data validations.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains("<dataValidation") && xml.contains("爽快"),
        "drop-down for 付款态度"
    );

    // Same command, same bytes.
    let again = tempfile::tempdir().unwrap();
    kebiao()
        .args([
            "forms",
            "blank",
            "credit_survey",
            "--format",
            "xlsx",
            "--out",
        ])
        .arg(again.path())
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(again.path().join("credit_survey_客户信用调查表.xlsx")).unwrap()
    );
}

/// A clerk fills the 客户信息表 template (same sheet, same headers) and hands it to `check`.
#[test]
fn filled_template_round_trips_through_check() {
    let dir = tempfile::tempdir().unwrap();
    kebiao()
        .args([
            "forms",
            "blank",
            "customer_info",
            "--format",
            "xlsx",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let mut wb: Xlsx<_> = open_workbook(dir.path().join("customer_info_客户信息表.xlsx")).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let headers: Vec<String> = wb
        .worksheet_range(&sheet)
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let value = |h: &str| match h {
        "客户编号" => "ABC2023001",
        "客户名称" => "杭州某某科技有限公司",
        "客户类型" => "企业客户",
        "联系方式" => "13800000000",
        "首次接触时间" => "2023-05-15",
        "客户状态" => "意向客户",
        _ => "",
    };
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    ws.set_name(&sheet).unwrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
        if !value(h).is_empty() {
            ws.write_string(1, c as u16, value(h)).unwrap();
        }
    }
    let filled = dir.path().join("filled.xlsx");
    out.save(&filled).unwrap();
    let o = kebiao().arg("check").arg(&filled).output().unwrap();
    let stdout =
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{stdout}"
    );
    assert!(stdout.contains("客户信息表"), "{stdout}");
    let ds = kebiao::model::load(&[filled], None, &kebiao::config::Config::default()).unwrap();
    let customers = ds.customers.unwrap();
    assert_eq!(customers.len(), 1, "{:?}", ds.problems);
    assert_eq!(customers[0].customer_id, "ABC2023001");
    assert_eq!(customers[0].phone.as_deref(), Some("13800000000"));
}

#[test]
fn fill_from_the_sample_one_page_per_record_with_filter_and_mask() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("kebiao.yaml");
    std::fs::write(&cfg, "privacy: {mask: true}\n").unwrap();
    kebiao()
        .args(["--config"])
        .arg(&cfg)
        .args([
            "forms",
            "fill",
            "customer_info",
            "--where",
            "region=华东",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let pdf = dir.path().join("customer_info_客户信息表_已填.pdf");
    assert!(pdf.exists());
    // One record (page) per 华东 customer of the sample, phones masked.
    let (ds, n) = sample_east();
    let spec = forms::find("customer_info").unwrap();
    let recs =
        kebiao::cmd::forms::records_for(&spec, &ds, &[("region".into(), "华东".into())], true)
            .unwrap();
    assert_eq!(recs.len(), n);
    assert!(n > 10);
    let phone = recs[0]["phone"].as_str().unwrap();
    assert!(phone.contains("****"), "masked: {phone}");
}

#[test]
fn company_templates_override_and_broken_definitions_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    kebiao()
        .args(["templates", "export"])
        .arg(dir.path())
        .assert()
        .success();
    assert!(dir.path().join("report.typ").exists());
    let yaml = dir.path().join("forms/customer_info.yaml");
    let text = std::fs::read_to_string(&yaml)
        .unwrap()
        .replace("title: 客户信息表", "title: 本公司客户信息表");
    std::fs::write(&yaml, text).unwrap();
    let out = kebiao()
        .arg("--templates")
        .arg(dir.path())
        .args(["forms", "list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("本公司客户信息表"));

    std::fs::write(dir.path().join("forms/broken.yaml"), "id: broken\ntitle: 坏表\narea: 客户信息\nsections:\n  - rows:\n      - [{label: 甲, kind: nonsense}]\n").unwrap();
    let out = kebiao()
        .arg("--templates")
        .arg(dir.path())
        .args(["forms", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml") && err.contains(":6"), "{err}");
}

#[test]
fn every_form_definition_compiles() {
    let engine = Engine::new(None, &[]).unwrap();
    for spec in forms::catalogue() {
        let data = forms::render_data(&spec, &[], "测试公司", Lang::Zh);
        let files = HashMap::from([("/data.json".to_string(), serde_json::to_vec(&data).unwrap())]);
        let doc = engine.compile("form.typ", files, "2024-01-01".parse().unwrap());
        assert!(doc.is_ok(), "{}: {:?}", spec.id, doc.err());
    }
}

/// The text of each page of a batch laid out the way `forms fill` does it, without spaces.
fn batch_pages(id: &str, records: &[serde_json::Value], lang: Lang) -> Vec<String> {
    let spec = forms::find(id).unwrap();
    let engine = Engine::new(None, &[]).unwrap();
    let doc = kebiao::render::form::document(
        &engine,
        &spec,
        records,
        "测试公司",
        lang,
        "2024-01-01".parse().unwrap(),
    )
    .unwrap();
    page_texts(&doc)
        .into_iter()
        .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
}

#[test]
fn batch_numbers_pages_within_each_record() {
    // One-page records: the first layout's fixed footers stand.
    let recs: Vec<_> = (1..=3)
        .map(|i| serde_json::json!({"customer_id": format!("C00{i}"), "name": format!("客户{i}")}))
        .collect();
    let pages = batch_pages("customer_data_card", &recs, Lang::Zh);
    assert_eq!(pages.len(), 3);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains(&format!("C00{}", i + 1)), "{p}");
        assert!(p.contains("第1页共1页"), "{p}");
    }
    // A record whose update table runs over a page, between two one-page records: its two
    // pages read 1 of 2 and 2 of 2, the others 1 of 1 (the batch is laid out again).
    let rows: Vec<_> = (0..40)
        .map(|i| serde_json::json!({"date": "2024年01月02日", "content": format!("第{i}次更新"), "update": "王"}))
        .collect();
    let long = serde_json::json!({"customer_id": "C100", "name": "长客户", "update_record": rows});
    let pages = batch_pages(
        "customer_data_card",
        &[recs[0].clone(), long, recs[1].clone()],
        Lang::Zh,
    );
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert!(pages[0].contains("C001") && pages[0].contains("第1页共1页"));
    assert!(
        pages[1].contains("C100") && pages[1].contains("第1页共2页"),
        "{}",
        pages[1]
    );
    assert!(
        pages[2].contains("第39次更新") && pages[2].contains("第2页共2页"),
        "{}",
        pages[2]
    );
    assert!(
        pages[3].contains("C002") && pages[3].contains("第1页共1页"),
        "{}",
        pages[3]
    );
}

#[test]
fn english_output_prints_the_english_title() {
    let pages = batch_pages("complaint_register", &[], Lang::En);
    assert!(
        pages[0].contains("CustomerComplaintRegister"),
        "{}",
        pages[0]
    );
    // The Chinese title stays under it: the labels of the form are Chinese.
    assert!(pages[0].contains("客户投诉登记表"), "{}", pages[0]);
    assert!(pages[0].contains("Page1of1"), "{}", pages[0]);
    let zh = batch_pages("complaint_register", &[], Lang::Zh);
    assert!(!zh[0].contains("CustomerComplaintRegister"), "{}", zh[0]);
}

#[test]
fn fill_in_batches_writes_every_batch_the_same_each_run() {
    let run = || {
        let dir = tempfile::tempdir().unwrap();
        kebiao()
            .args([
                "forms",
                "fill",
                "customer_data_card",
                "--where",
                "region=华东",
                "--batch",
                "7",
                "--out",
            ])
            .arg(dir.path())
            .assert()
            .success();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let a = run();
    let (_, n) = sample_east();
    assert!(n > 14, "{n}");
    // ceil(n / 7) PDFs, numbered from 001, nothing else (no leftover temporary files).
    assert_eq!(
        a.len(),
        n.div_ceil(7),
        "{:?}",
        a.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(a[0].0, "customer_data_card_客户资料卡_已填_001.pdf");
    assert!(a.iter().all(|f| f.1.starts_with(b"%PDF")));
    // Batches made on several threads: the same bytes every run.
    let b = run();
    assert!(a == b, "second run differs");
}

/// The bundled sample, loaded, and how many of its customers are in 华东 (the `--where` filter
/// these tests fill forms with).
fn sample_east() -> (kebiao::model::Dataset, usize) {
    let ds = kebiao::model::load(
        &["data/sample".into()],
        None,
        &kebiao::config::Config::default(),
    )
    .unwrap();
    let n = ds
        .customers
        .as_ref()
        .unwrap()
        .iter()
        .filter(|c| c.region.as_deref() == Some("华东"))
        .count();
    (ds, n)
}
