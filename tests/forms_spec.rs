//! The form catalogue as data: every built-in definition loads, the count and ids match DOMAIN §1,
//! and the 9 forms whose fields the seeds give (DOMAIN §1.A) carry those fields verbatim.

use kebiao::forms::{self, FormSpec, Kind, Paper, RowLabel, Rows, Status, GRID};
use std::collections::BTreeSet;
use std::path::Path;

fn form(id: &str) -> FormSpec {
    forms::find(id).unwrap_or_else(|| panic!("form {id} missing or invalid"))
}

/// Grid fields in print order (row by row).
fn labels(f: &FormSpec) -> Vec<String> {
    f.fields().map(|x| x.label.clone()).collect()
}

fn field<'a>(f: &'a FormSpec, key: &str) -> &'a forms::Field {
    f.fields()
        .find(|x| x.key.as_deref() == Some(key))
        .unwrap_or_else(|| panic!("{}: no field with key {key}", f.id))
}

fn options(f: &FormSpec, key: &str) -> Vec<String> {
    field(f, key).options.clone()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn catalogue_has_171_valid_forms_with_unique_ids() {
    let all = forms::try_catalogue().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.len(), 171);
    let ids: BTreeSet<&str> = all.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), 171, "duplicate ids");
    let titles: BTreeSet<&str> = all.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(titles.len(), 171, "duplicate titles");
    // DOMAIN §7: forms per area.
    let count = |area: &str| all.iter().filter(|f| f.area == area).count();
    assert_eq!(count("客户信息"), 29);
    assert_eq!(count("客户调查"), 10);
    assert_eq!(count("客户分级"), 7);
    assert_eq!(count("关系维护"), 25);
    assert_eq!(count("客户提案"), 8);
    assert_eq!(count("信用"), 1);
    assert_eq!(count("货款"), 1);
    assert_eq!(count("开发与销售业绩"), 18);
    assert_eq!(count("大客户"), 13);
    assert_eq!(count("服务质量"), 10);
    assert_eq!(count("售后"), 9);
    assert_eq!(count("投诉"), 18);
    assert_eq!(count("呼叫中心"), 4);
    assert_eq!(count("客服人员管理"), 18);
    // English titles for `--lang en` listings.
    for f in &all {
        assert!(
            f.title_en.as_deref().is_some_and(|t| !t.is_empty()),
            "{}: no title_en",
            f.id
        );
    }
    // The catalogue() convenience drops nothing when every file is valid.
    assert_eq!(forms::catalogue().len(), 171);
}

/// `--lang en` prints each form's English title: a translation of the Chinese title in title
/// case (客户投诉登记表 is “Customer Complaint Register”, not the id spelled out).
#[test]
fn english_titles_are_translations_in_title_case() {
    let all = forms::try_catalogue().expect("catalogue loads");
    let small = ["and", "of", "by", "for", "the", "a", "to", "in", "on"];
    for f in &all {
        let t = f.title_en.as_deref().unwrap_or_default();
        for word in t
            .split([' ', '-', '(', ')', ':', ','])
            .filter(|w| !w.is_empty())
        {
            let first = word.chars().next().unwrap_or(' ');
            assert!(
                first.is_uppercase() || small.contains(&word) || !first.is_alphabetic(),
                "{}: {t:?}: {word:?} not capitalised",
                f.id
            );
        }
    }
    // Two forms never share an English title (as no two share a Chinese one).
    let mut seen = std::collections::BTreeSet::new();
    for f in &all {
        let t = f.title_en.as_deref().unwrap_or_default();
        assert!(seen.insert(t), "{}: English title {t:?} used twice", f.id);
    }
    let title = |id: &str| {
        all.iter()
            .find(|f| f.id == id)
            .and_then(|f| f.title_en.clone())
            .unwrap_or_default()
    };
    assert_eq!(title("complaint_register"), "Customer Complaint Register");
    assert_eq!(title("customer_data_card"), "Customer Data Card");
    assert_eq!(
        title("cs_staff_leave_request"),
        "Customer Service Staff Leave Request"
    );
    assert_eq!(
        title("customer_past_present_future_analysis"),
        "Customer Analysis: Past, Present and Future"
    );
}

#[test]
fn builtin_list_matches_directory() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/forms");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("templates/forms")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = forms::builtin_files()
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(
        embedded, on_disk,
        "src/forms/builtin.rs is stale: run scripts/gen-forms.py (or add the include_str! line)"
    );
    // And the embedded text is the file's text, not an old copy.
    for (name, text) in forms::builtin_files() {
        let disk = std::fs::read_to_string(dir.join(name)).expect("read");
        assert_eq!(*text, disk, "{name}");
    }
}

#[test]
fn every_grid_row_fills_twelve_columns_and_every_table_has_rows() {
    for f in forms::catalogue() {
        for (si, s) in f.sections.iter().enumerate() {
            let mut held = vec![0u8; s.rows.len()];
            for (ri, row) in s.rows.iter().enumerate() {
                let mut sum = held[ri];
                for x in row {
                    let span = x.span.expect("resolved span");
                    let ls = x.label_span.expect("resolved label span");
                    assert!(ls <= span, "{} {si}/{ri} {}", f.id, x.label);
                    if x.kind != Kind::Label {
                        assert!(ls < span, "{} {}: no room for the blank", f.id, x.label);
                    }
                    if let Some(rs) = x.rowspan {
                        for h in held.iter_mut().skip(ri + 1).take(rs as usize - 1) {
                            *h += span;
                        }
                    }
                    sum += span;
                }
                assert_eq!(sum, GRID, "{} section {si} row {ri}", f.id);
            }
            if let Some(t) = &s.table {
                assert!(!t.columns.is_empty(), "{}", f.id);
                match t.rows {
                    Some(Rows::Count(n)) => assert!(n >= 1, "{}", f.id),
                    Some(Rows::Word(_)) => assert!(t.min_rows.unwrap_or(0) >= 1, "{}", f.id),
                    None => panic!("{}: unresolved rows", f.id),
                }
                // Wide registers go landscape rather than squeezing 10+ columns into A4 portrait.
                if t.columns.len() > 9 {
                    assert_eq!(
                        f.paper,
                        Paper::A4Landscape,
                        "{} has {} columns",
                        f.id,
                        t.columns.len()
                    );
                }
            }
        }
        // Every form has a header line (default 编号/填表日期) or a signature line of its own.
        assert!(f.header.is_some(), "{}", f.id);
    }
}

#[test]
fn statuses_follow_domain() {
    let all = forms::catalogue();
    let given: BTreeSet<&str> = all
        .iter()
        .filter(|f| f.status == Status::Given)
        .map(|f| f.id.as_str())
        .collect();
    let expect: BTreeSet<&str> = [
        "customer_info",
        "survey_plan",
        "customer_info_survey",
        "credit_survey",
        "survey_analysis_report",
        "salesperson_sales_performance",
        "salesperson_gross_profit",
    ]
    .into_iter()
    .collect();
    assert_eq!(given, expect);
    let partial: BTreeSet<&str> = all
        .iter()
        .filter(|f| f.status == Status::Partial)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        partial,
        [
            "customer_classification_grading",
            "customer_relationship_card",
            "key_customer_data_card"
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(
        all.iter().filter(|f| f.status == Status::Derived).count(),
        25
    );
}

#[test]
fn customer_info_has_s3s_eleven_fields_in_order() {
    let f = form("customer_info");
    assert_eq!(
        labels(&f),
        strs(&[
            "客户编号",
            "客户名称",
            "客户类型",
            "所属行业",
            "联系人",
            "联系方式",
            "客户需求",
            "首次接触时间",
            "客户状态",
            "负责人",
            "最后跟进时间"
        ])
    );
    let keys: Vec<&str> = f.fields().filter_map(|x| x.key.as_deref()).collect();
    assert_eq!(
        keys,
        [
            "customer_id",
            "name",
            "customer_type",
            "industry",
            "contact_name",
            "phone",
            "needs",
            "first_contact_date",
            "status",
            "owner",
            "last_followup_date"
        ]
    );
    assert_eq!(
        options(&f, "status"),
        strs(&["潜在客户", "意向客户", "成交客户", "流失客户"])
    );
    assert_eq!(f.source.as_deref(), Some("customers"));
    assert_eq!(
        f.purpose.as_deref(),
        Some("统一存储客户基础信息及关键动态,作为客户管理的基础数据源。")
    );
    let id = field(&f, "customer_id");
    assert_eq!(id.example.as_deref(), Some("ABC2023001"));
    assert_eq!(field(&f, "first_contact_date").kind, Kind::Date);
}

#[test]
fn survey_plan_rows_in_seed_order() {
    let f = form("survey_plan");
    assert_eq!(
        labels(&f),
        strs(&[
            "调查目标",
            "调查对象",
            "重点客户",
            "其他客户",
            "调查内容与调查项目说明",
            "调查实施进度安排",
            "调查方法",
            "调查负责人及调查人员",
            "调查费用预算",
            "备注"
        ])
    );
    assert_eq!(f.title_hant.as_deref(), Some("客戶調查計劃表"));
}

#[test]
fn customer_info_survey_options_verbatim() {
    let f = form("customer_info_survey");
    let header: Vec<&str> = f
        .header
        .as_ref()
        .expect("header")
        .iter()
        .map(|h| h.label.as_str())
        .collect();
    assert_eq!(header, ["客户负责人", "审核", "调查员"]);
    assert_eq!(
        options(&f, "mgmt_style"),
        strs(&["积极", "保守", "踏实", "不定", "投机"])
    );
    assert_eq!(
        options(&f, "business_trend"),
        strs(&["兴隆", "成长", "稳定", "衰退", "不定"])
    );
    assert_eq!(
        options(&f, "price_level"),
        strs(&["合理", "偏高", "偏低", "削价"])
    );
    assert_eq!(
        options(&f, "ownership"),
        strs(&["国有企业", "股份有限公司", "合伙店铺", "合资", "其他"])
    );
    assert_eq!(
        options(&f, "industry_position"),
        strs(&["领导者", "具影响", "一级", "二级", "三级"])
    );
    let peak = field(&f, "peak_from");
    assert_eq!(peak.kind, Kind::MonthRange);
    assert_eq!(peak.key_to.as_deref(), Some("peak_to"));
    for k in ["staff_count", "mgmt_count", "total_count"] {
        assert_eq!(field(&f, k).unit.as_deref(), Some("人"));
    }
    assert_eq!(field(&f, "total_amt").kind, Kind::Money);
    // The seed's sign line is at the top; no footer line under the grid.
    assert!(f.signature_roles().is_empty());
}

#[test]
fn credit_survey_matches_seed() {
    let f = form("credit_survey");
    assert_eq!(f.title_hant.as_deref(), Some("客戶信用調查表"));
    assert_eq!(f.variant, 1);
    assert_eq!(f.source.as_deref(), Some("credit_surveys"));
    assert_eq!(
        options(&f, "pay_attitude"),
        strs(&["爽快", "普通", "尚可", "迟延", "为难", "嗜欠尾款"])
    );
    assert_eq!(
        f.footer.signatures.as_deref(),
        Some(&strs(&["总经理", "经理", "调查人"])[..])
    );
    assert_eq!(f.signature_roles(), strs(&["总经理", "经理", "调查人"]));
    for k in ["bank_credit", "peer_rating", "neighbour_rating"] {
        assert_eq!(
            options(&f, k),
            strs(&["很好", "好", "普通", "差", "很差"]),
            "{k}"
        );
    }
    assert_eq!(options(&f, "legal_form"), strs(&["独资", "合伙", "其他"]));
    assert_eq!(
        options(&f, "location_type"),
        strs(&["市场", "住宅", "郊外"])
    );
    assert_eq!(options(&f, "head_eloquence"), strs(&["佳", "普通", "口拙"]));
    assert_eq!(options(&f, "head_drinks"), strs(&["饮", "不饮"]));
    assert_eq!(options(&f, "head_smokes"), strs(&["抽", "不抽"]));
    assert_eq!(
        options(&f, "head_technical"),
        strs(&["熟练", "略懂", "不懂"])
    );
    assert_eq!(options(&f, "bookkeeping"), strs(&["完备", "不完备"]));
    assert_eq!(
        options(&f, "org_type"),
        strs(&["国有企业", "个人经营", "股份企业", "合资企业"])
    );
    assert_eq!(
        options(&f, "premises_area"),
        strs(&["处于繁华区", "一般商业区", "偏僻地区"])
    );
    assert_eq!(options(&f, "decoration"), strs(&["精装", "普通", "差"]));
    let ins = field(&f, "insured");
    assert_eq!(ins.kind, Kind::OptionAmount);
    assert_eq!(ins.options, strs(&["有", "无"]));
    assert_eq!(ins.amounts[0].option, "有");
    assert_eq!(ins.amounts[0].key, "insured_amount");
    assert_eq!(ins.unit.as_deref(), Some("元"));
    let capital = field(&f, "capital");
    assert_eq!(
        (capital.kind, capital.unit.as_deref()),
        (Kind::Money, Some("元"))
    );
    assert_eq!(field(&f, "cars_owned").unit.as_deref(), Some("辆"));
    assert_eq!(field(&f, "founded_date").kind, Kind::Date);
    assert_eq!(field(&f, "first_trade_date").kind, Kind::Date);
    // 交易品种: the seed's seven columns, as many rows as fit, at least 5 (DOMAIN §5.4).
    let t = f
        .sections
        .iter()
        .find_map(|s| s.table.as_ref())
        .expect("trade table");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        cols,
        [
            "品种",
            "品牌",
            "月销售量",
            "金额",
            "年销售量",
            "金额",
            "备注"
        ]
    );
    assert_eq!(t.key.as_deref(), Some("trade_lines"));
    assert_eq!(t.rows, Some(Rows::Word(forms::RowsWord::Fill)));
    assert_eq!(t.min_rows, Some(5));
    // 信用评定 block: the T10 result keys in the seed's order.
    let last = f.sections.last().expect("sections");
    assert_eq!(last.title.as_deref(), Some("信用评定"));
    let keys: Vec<&str> = last
        .rows
        .iter()
        .flatten()
        .filter_map(|x| x.key.as_deref())
        .collect();
    assert_eq!(
        keys,
        [
            "credit_grade",
            "credit_score",
            "payment_terms",
            "credit_limit",
            "guaranteed",
            "credit_note"
        ]
    );
    // Every T10 key the credit form can be filled from is present.
    let all: BTreeSet<&str> = f.keys().into_iter().collect();
    for k in [
        "customer_id",
        "name",
        "founded_date",
        "first_trade_date",
        "legal_form",
        "location_type",
        "bank",
        "bank_credit",
        "bookkeeping",
        "peer_rating",
        "neighbour_rating",
        "org_type",
        "capital",
        "pay_attitude",
        "license_no",
        "cars_owned",
        "cars_leased",
        "premises_area",
        "premises_tenure",
        "decoration",
        "insured",
        "insured_amount",
        "credit_score",
        "credit_grade",
        "payment_terms",
        "credit_limit",
        "guaranteed",
        "survey_date",
    ] {
        assert!(all.contains(k), "credit_survey lacks T10 key {k}");
    }
}

#[test]
fn survey_analysis_report_parts() {
    let f = form("survey_analysis_report");
    let l = labels(&f);
    for x in [
        "客户调查背景",
        "客户调查目的",
        "客户调查方式",
        "实施部门",
        "客户调查对象",
        "年龄结构",
        "性别比例",
        "收入水平",
        "客户调查时间",
    ] {
        assert!(l.iter().any(|y| y == x), "{x}");
    }
    let pos = |x: &str| l.iter().position(|y| y == x).expect(x);
    assert!(pos("客户调查对象") < pos("年龄结构"));
    assert!(pos("年龄结构") < pos("性别比例") && pos("性别比例") < pos("收入水平"));
    let titles: Vec<&str> = f
        .sections
        .iter()
        .filter_map(|s| s.title.as_deref())
        .collect();
    assert_eq!(
        titles,
        [
            "一、客户需求分析调查结果统计",
            "二、客户意见或建议",
            "三、(客户服务部)提出的相关建议或措施"
        ]
    );
    assert!(l.iter().any(|y| y == "1 客户选择产品或服务看重的因素"));
    assert!(l.iter().any(|y| y == "2 价格承受能力"));
    assert!(l.iter().any(|y| y == "3 期望得到的相关服务"));
    // The seed's last row 报告部门 · 报告部门经理.
    let last_row: Vec<&str> = f
        .sections
        .last()
        .unwrap()
        .rows
        .last()
        .unwrap()
        .iter()
        .map(|x| x.label.as_str())
        .collect();
    assert_eq!(last_row, ["报告部门", "报告部门经理"]);
}

#[test]
fn classification_grading_partial_completion() {
    let f = form("customer_classification_grading");
    assert_eq!(
        f.purpose.as_deref(),
        Some("根据客户价值及潜力,实施差异化运营策略,优化资源配置。")
    );
    let t = f.sections[0].table.as_ref().expect("table");
    assert_eq!(t.columns[0].label, "分类维度");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        cols,
        [
            "分类维度",
            "类别/等级",
            "划分标准",
            "客户数",
            "占比%",
            "实销额占比%",
            "运营策略"
        ]
    );
    let first = match &t.row_labels[0] {
        RowLabel::Many(v) => v.clone(),
        RowLabel::One(s) => vec![Some(s.clone())],
    };
    assert_eq!(first[1].as_deref(), Some("A 重要客户"));
    assert!(first[6]
        .as_deref()
        .unwrap_or("")
        .contains("投诉处理优先级、定期拜访、节假日走访、组织活动"));
}

#[test]
fn key_customer_card_blocks() {
    let f = form("key_customer_data_card");
    for k in [
        "customer_id",
        "name",
        "grade",
        "owner",
        "co_owner",
        "org_structure",
        "purchase_process",
        "credit_grade",
        "purchasing_power",
        "brand_preference",
    ] {
        field(&f, k);
    }
    let t = f
        .sections
        .iter()
        .find_map(|s| {
            s.table
                .as_ref()
                .filter(|t| t.key.as_deref() == Some("decision_makers"))
        })
        .expect("C block");
    let cols: Vec<&str> = t.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        cols,
        [
            "姓名",
            "工作单位",
            "职位",
            "住址",
            "固定电话",
            "手机",
            "微信/QQ",
            "邮箱",
            "兴趣爱好",
            "生活习惯",
            "家庭状况"
        ]
    );
}

#[test]
fn salesperson_performance_items_verbatim() {
    let f = form("salesperson_sales_performance");
    let t = f.sections[0].table.as_ref().expect("table");
    let rows: Vec<Vec<Option<String>>> = t
        .row_labels
        .iter()
        .map(|r| {
            r.cells()
                .into_iter()
                .map(|c| c.map(str::to_string))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[0][0].as_deref(), Some("新客户订货数量统计"));
    assert_eq!(
        rows[0][1].as_deref(),
        Some("对新客户的订货数量进行统计汇总")
    );
    assert_eq!(
        rows[2][1].as_deref(),
        Some("2 通信订货数量统计:对客户开发人员所辖区域内客户来电或信件订货数量的统计")
    );
    assert_eq!(
        rows[7][1].as_deref(),
        Some("对客户开发人员已开具“售货清单”并记入统计表,在未送货前又被取消订单的货物数量的统计")
    );
    assert_eq!(rows[9][0].as_deref(), Some("实销额统计"));
    let t2 = f.sections[1].table.as_ref().expect("收款");
    assert_eq!(t2.row_labels.len(), 3);
    assert_eq!(
        t2.row_labels[0].cells()[0],
        Some("1 本月实收款额统计(含期票)")
    );
    field(&f, "visit_count");

    let g = form("salesperson_gross_profit");
    let t = g.sections[0].table.as_ref().expect("table");
    let items: Vec<Option<&str>> = t.row_labels.iter().map(|r| r.cells()[0]).collect();
    assert_eq!(
        items,
        [Some("边际成本"), Some("开发费用统计"), Some("其他费用统计")]
    );
    assert_eq!(
        t.row_labels[1].cells()[1],
        Some("对薪水、津贴、机车保险、油料和差旅费等费用的统计")
    );
}

#[test]
fn generic_footer_when_a_form_names_none() {
    let f = form("complaint_register");
    assert!(f.footer.signatures.is_none());
    assert_eq!(f.signature_roles(), strs(&["填表人", "审核", "日期"]));
    let h = f.header.as_ref().expect("default header");
    assert_eq!(h[0].label, "编号");
    assert_eq!(h.last().unwrap().kind, Kind::Date);
}

#[test]
fn canonical_keys_where_fields_correspond() {
    // T09 keys on the complaint register, T01 keys on the registration form.
    let f = form("complaint_register");
    for k in [
        "complaint_no",
        "received_at",
        "channel",
        "type",
        "content",
        "demand",
        "severity",
        "receiver",
    ] {
        field(&f, k);
    }
    assert_eq!(f.source.as_deref(), Some("complaints"));
    let g = form("customer_info_register");
    for k in [
        "customer_id",
        "name",
        "customer_type",
        "industry",
        "region",
        "address",
        "contact_name",
        "phone",
        "email",
        "im",
        "source",
        "needs",
        "first_contact_date",
        "owner",
    ] {
        field(&g, k);
    }
    // Option lists of §6 reach the forms verbatim.
    assert_eq!(
        options(&g, "source"),
        strs(&[
            "转介绍",
            "市场活动",
            "拜访开发",
            "来电来访",
            "网络",
            "展会",
            "其他"
        ])
    );
}

#[test]
fn broken_definitions_name_file_line_and_field() {
    let (_, text) = forms::builtin_files()
        .iter()
        .find(|(n, _)| *n == "credit_survey.yaml")
        .expect("credit_survey");
    // Too many columns in one row.
    let bad = text.replacen(
        "{label: 企业, key: name, span: 8}",
        "{label: 企业, key: name, span: 10}",
        1,
    );
    let e = FormSpec::from_yaml("credit_survey.yaml", &bad).expect_err("span overflow");
    let line = text
        .lines()
        .position(|l| l.contains("{label: 企业, key: name"))
        .unwrap()
        + 1;
    assert_eq!(e.file, "credit_survey.yaml");
    assert_eq!(e.line, Some(line), "{e}");
    assert!(e.field.contains("sections[0].rows[0]"), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("credit_survey.yaml:{line}")),
        "{e}"
    );
    // An unknown kind is a serde error with its own line and column.
    let bad = text.replacen("kind: option_amount", "kind: option_amont", 1);
    let e = FormSpec::from_yaml("credit_survey.yaml", &bad).expect_err("unknown kind");
    assert!(e.message.contains("option_amont"), "{e}");
    assert!(e.line.is_some() && e.column.is_some(), "{e}");
    // An empty option list.
    let bad = text.replacen(
        "options: [爽快, 普通, 尚可, 迟延, 为难, 嗜欠尾款]",
        "options: []",
        1,
    );
    let e = FormSpec::from_yaml("credit_survey.yaml", &bad).expect_err("empty options");
    assert!(e.field.contains("付款态度"), "{e}");
    // A duplicate key points at its second use.
    let bad = text.replacen("key: head_phone", "key: phone", 1);
    let e = FormSpec::from_yaml("credit_survey.yaml", &bad).expect_err("duplicate key");
    assert!(e.message.contains("duplicate key `phone`"), "{e}");
    let second = text
        .lines()
        .position(|l| l.contains("key: head_phone"))
        .unwrap()
        + 1;
    assert_eq!(e.line, Some(second), "{e}");
    // The Chinese-first error a clerk sees.
    let err: kebiao::error::Error = e.into();
    assert!(err.to_string().contains("表单定义错误"), "{err}");
}

#[test]
fn render_data_contract() {
    let f = form("credit_survey");
    let v = forms::render_data(&f, &[], "示例商贸有限公司", kebiao::error::Lang::Zh);
    assert_eq!(v["records"], serde_json::json!([{}]));
    assert_eq!(v["lang"], "zh");
    assert_eq!(v["company"], "示例商贸有限公司");
    assert_eq!(v["form"]["id"], "credit_survey");
    assert_eq!(v["form"]["paper"], "a4-portrait");
    // Spans arrive resolved, so the layout engine never guesses.
    assert_eq!(v["form"]["sections"][0]["rows"][0][0]["span"], 8);
    assert_eq!(v["form"]["sections"][0]["rows"][0][0]["label_span"], 2);
    // The JSON round-trips into the same spec.
    let back: FormSpec = serde_json::from_value(v["form"].clone()).expect("round trip");
    assert_eq!(back, f);
}

// ---------------------------------------------------------------- the layout engine, through the
// product's own typst World (typst 0.15.1), on every definition.

mod layout {
    use super::form;
    use chrono::NaiveDate;
    use kebiao::forms::{self, FormSpec};
    use kebiao::render::pdf::{page_texts, used_families, Engine};
    use serde_json::json;
    use std::collections::HashMap;

    fn compile(engine: &Engine, spec: &FormSpec, records: &[serde_json::Value]) -> Vec<String> {
        let data = forms::render_data(spec, records, "示例商贸有限公司", kebiao::error::Lang::Zh);
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&data).expect("json"),
        )]);
        let date = NaiveDate::from_ymd_opt(2024, 4, 1).expect("date");
        let doc = engine
            .compile("form.typ", files, date)
            .unwrap_or_else(|e| panic!("{}: {e}", spec.id));
        // Text runs are joined with spaces; compare without them.
        page_texts(&doc)
            .into_iter()
            .map(|p| p.chars().filter(|c| !c.is_whitespace()).collect())
            .collect()
    }

    /// Forms whose blank is two pages by design: credit_survey (the seed's long grid, then 交易品种
    /// filling page 2), the 31-day attendance card, the landscape key-customer card.
    const TWO_PAGES: [&str; 3] = [
        "credit_survey",
        "cs_staff_attendance_card",
        "key_customer_data_card",
    ];

    #[test]
    fn every_blank_form_compiles_with_title_footer_and_page_count() {
        let engine = Engine::new(None, &[]).expect("engine");
        for spec in forms::catalogue() {
            let pages = compile(&engine, &spec, &[]);
            let want = if TWO_PAGES.contains(&spec.id.as_str()) {
                2
            } else {
                1
            };
            assert_eq!(pages.len(), want, "{}: {} pages", spec.id, pages.len());
            let title: String = spec.title.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(pages[0].contains(&title), "{}: title missing", spec.id);
            assert!(
                pages[0].contains(&format!("第1页共{want}页")),
                "{}: {}",
                spec.id,
                pages[0]
            );
            assert!(
                pages[0].contains(&spec.id),
                "{}: form id in the footer",
                spec.id
            );
            let last = pages.last().expect("a page");
            for role in spec.signature_roles() {
                assert!(
                    last.contains(&format!("{role}:")),
                    "{}: signature {role}",
                    spec.id
                );
            }
            // Every label of the grid is printed (a label lost to overflow would not be).
            for f in spec.fields().filter(|f| !f.label.is_empty()) {
                let l: String = f.label.chars().filter(|c| !c.is_whitespace()).collect();
                let all: String = pages.concat();
                // Vertical group labels are set one character per line; each still appears.
                assert!(
                    all.contains(&l) || l.chars().all(|c| all.contains(c)),
                    "{}: label {l} not printed",
                    spec.id
                );
            }
        }
    }

    #[test]
    fn filled_credit_survey_prints_values_and_signatures() {
        let engine = Engine::new(None, &[]).expect("engine");
        let spec = form("credit_survey");
        let rec = json!({
            "name": "杭州某某贸易有限公司",
            "customer_id": "ABC2023001",
            "founded_date": "2010年06月01日",
            "capital": "¥2,000,000.00",
            "pay_attitude": "爽快",
            "insured": "有",
            "insured_amount": "500,000",
            "trade_lines": [
                {"variety": "A类原材料", "brand": "某牌", "monthly_qty": "10", "monthly_amount": "¥52,000.00"}
            ],
            "credit_grade": "AA",
            "credit_limit": "¥200,000.00",
            "signatures": {"总经理": "王五", "调查人": "李四"}
        });
        let pages = compile(&engine, &spec, &[rec.clone(), rec]);
        // Two records of two pages each, numbered per record.
        assert_eq!(pages.len(), 4);
        assert!(pages[2].contains("第1页共2页"), "{}", pages[2]);
        let first: String = pages[..2].concat();
        for want in [
            "杭州某某贸易有限公司",
            "ABC2023001",
            "2010年06月01日",
            "¥2,000,000.00",
            "A类原材料",
            "¥52,000.00",
            "¥200,000.00",
            "500,000",
            "王五",
            "李四",
        ] {
            assert!(first.contains(want), "{want} missing");
        }
        // A filled money value is not followed by a second 元.
        assert!(!first.contains("¥2,000,000.00元"));
    }

    #[test]
    fn cjk_text_uses_the_bundled_cjk_font() {
        let engine = Engine::new(None, &[]).expect("engine");
        let spec = form("customer_info_survey");
        let data = forms::render_data(&spec, &[], "", kebiao::error::Lang::Zh);
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&data).expect("json"),
        )]);
        let doc = engine
            .compile(
                "form.typ",
                files,
                NaiveDate::from_ymd_opt(2024, 4, 1).expect("date"),
            )
            .expect("compile");
        let fams = used_families(&doc);
        assert!(fams.iter().any(|f| f == "Noto Sans CJK SC"), "{fams:?}");
    }

    #[test]
    fn department_placeholder_is_replaced() {
        let engine = Engine::new(None, &[]).expect("engine");
        let spec = form("survey_analysis_report");
        let data = forms::render_data_for(&spec, &[], "", Some("市场部"), kebiao::error::Lang::Zh);
        assert_eq!(data["department"], "市场部");
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&data).expect("json"),
        )]);
        let doc = engine
            .compile(
                "form.typ",
                files,
                NaiveDate::from_ymd_opt(2024, 4, 1).expect("date"),
            )
            .expect("compile");
        let text: String = page_texts(&doc)
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(text.contains("三、(市场部)提出的相关建议或措施"), "{text}");
        assert!(!text.contains("客户服务部"), "{text}");
        // Without a department the seed's wording stays.
        let data = forms::render_data(&spec, &[], "", kebiao::error::Lang::Zh);
        assert!(data.get("department").is_none());
    }

    #[test]
    fn english_footer() {
        let engine = Engine::new(None, &[]).expect("engine");
        let spec = form("survey_plan");
        let data = forms::render_data(&spec, &[], "", kebiao::error::Lang::En);
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&data).expect("json"),
        )]);
        let doc = engine
            .compile(
                "form.typ",
                files,
                NaiveDate::from_ymd_opt(2024, 4, 1).expect("date"),
            )
            .expect("compile");
        let text: String = page_texts(&doc).concat();
        assert!(text.contains("Page 1 of 1"), "{text}");
        assert!(text.contains("Customer Survey Plan"), "{text}");
    }
}
