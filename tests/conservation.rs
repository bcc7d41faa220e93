//! Conservation, on random small workbooks of valid and invalid cells (proptest):
//! - every row is accounted for: for every table, accepted + rejected == data rows, and the data
//!   rows are exactly the rows written;
//! - every breakdown of 实销额 (by region, by salesperson, by customer, and any other table of the
//!   catalogue with a 实销额 column) sums to the company total, which is itself the sum of the
//!   accepted records.

mod common;

use common::{put, D, E, N, S, V};
use kebiao::config::Config;
use kebiao::stats::{catalogue, sales, Ctx, Kind, Month, Value};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_xlsxwriter::Workbook;

const REGIONS: [&str; 4] = ["华东", "华南", "西北", "未知区"];
const STAFF: [&str; 3] = ["张三", "李四", "王五"];

/// One generated cell, valid or not, owning its text.
#[derive(Debug, Clone)]
enum Gen {
    Text(String),
    Num(f64),
    Date(u16, u8, u8),
    Empty,
}

impl Gen {
    fn v(&self) -> V<'_> {
        match self {
            Gen::Text(s) => S(s),
            Gen::Num(n) => N(*n),
            Gen::Date(y, m, d) => D(*y, *m, *d),
            Gen::Empty => E,
        }
    }
}

fn text(s: &str) -> Gen {
    Gen::Text(s.to_string())
}

/// An order date: mostly in Feb–Mar 2024 (as a date cell or as text), sometimes broken or empty.
fn date_cell() -> impl Strategy<Value = Gen> {
    prop_oneof![
        6 => (2u8..=3, 1u8..=28).prop_map(|(m, d)| Gen::Date(2024, m, d)),
        2 => (2u8..=3, 1u8..=28).prop_map(|(m, d)| Gen::Text(format!("2024-{m:02}-{d:02}"))),
        1 => Just(text("下周二")),
        1 => Just(text("2024-02-30")),
        1 => Just(Gen::Empty),
    ]
}

/// A money cell: cents as a number or as text with ¥ and separators, or garbage.
fn money_cell() -> impl Strategy<Value = Gen> {
    prop_oneof![
        6 => (-50_000i64..500_000).prop_map(|c| Gen::Num(c as f64 / 100.0)),
        2 => (0i64..500_000).prop_map(|c| Gen::Text(format!("¥{}.{:02}", c / 100, c % 100))),
        1 => Just(text("n/a")),
        1 => Just(text("#VALUE!")),
        1 => Just(Gen::Empty),
    ]
}

fn maybe(s: impl Strategy<Value = Gen>) -> impl Strategy<Value = Gen> {
    prop_oneof![3 => s, 1 => Just(Gen::Empty)]
}

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = Gen> {
    (0..list.len()).prop_map(move |i| text(list[i]))
}

/// 客户编号 of a line: a known customer, an unknown one, or none.
fn customer_ref(n: usize) -> impl Strategy<Value = Gen> {
    prop_oneof![
        6 => (0..n).prop_map(|i| Gen::Text(format!("C{i:02}"))),
        1 => Just(text("C99")),
        1 => Just(Gen::Empty),
    ]
}

#[derive(Debug, Clone)]
struct Book {
    customers: Vec<Vec<Gen>>,
    sales: Vec<Vec<Gen>>,
    returns: Vec<Vec<Gen>>,
}

fn book() -> impl Strategy<Value = Book> {
    (1usize..6).prop_flat_map(|n| {
        let customer = (maybe(pick(&REGIONS)), maybe(pick(&STAFF)));
        let customers = proptest::collection::vec(customer, n..=n).prop_map(|cs| {
            cs.into_iter()
                .enumerate()
                .map(|(i, (region, owner))| {
                    vec![
                        Gen::Text(format!("C{i:02}")),
                        Gen::Text(format!("客户{i}有限公司")),
                        region,
                        owner,
                    ]
                })
                .collect::<Vec<_>>()
        });
        let line = (
            date_cell(),
            customer_ref(n),
            maybe(pick(&STAFF)),
            maybe(pick(&REGIONS)),
            money_cell(),
            prop_oneof![4 => Just(Gen::Empty), 1 => (0i64..5000).prop_map(|c| Gen::Num(c as f64 / 100.0)), 1 => Just(text("八折"))],
            prop_oneof![6 => Just(Gen::Empty), 1 => Just(text("已取消")), 1 => Just(text("正常"))],
        );
        let sales = proptest::collection::vec(line, 0..25).prop_map(|ls| {
            ls.into_iter()
                .enumerate()
                .map(|(i, (d, c, s, r, a, disc, st))| {
                    // The order number is always there, so every generated row is a data row.
                    vec![Gen::Text(format!("SO{i}")), d, c, s, r, a, disc, st, Gen::Num(1.0)]
                })
                .collect::<Vec<_>>()
        });
        let ret = (
            date_cell(),
            0usize..30,
            customer_ref(n),
            money_cell(),
            prop_oneof![4 => Just(text("退货")), 1 => Just(text("换货")), 1 => Just(Gen::Empty)],
        );
        let returns = proptest::collection::vec(ret, 0..6).prop_map(|rs| {
            rs.into_iter()
                .enumerate()
                .map(|(i, (d, orig, c, a, kind))| {
                    vec![
                        Gen::Text(format!("TH{i}")),
                        d,
                        Gen::Text(format!("SO{orig}")),
                        c,
                        a,
                        kind,
                        Gen::Num(1.0),
                    ]
                })
                .collect::<Vec<_>>()
        });
        (customers, sales, returns).prop_map(|(customers, sales, returns)| Book {
            customers,
            sales,
            returns,
        })
    })
}

fn write_book(b: &Book, path: &std::path::Path) {
    let sheets: [(&str, &[&str], &Vec<Vec<Gen>>); 3] = [
        (
            "客户信息表",
            &["客户编号", "客户名称", "区域", "负责人"],
            &b.customers,
        ),
        (
            "销售明细",
            &[
                "订单号",
                "订货日期",
                "客户编号",
                "业务员",
                "区域",
                "金额",
                "折扣",
                "状态",
                "数量",
            ],
            &b.sales,
        ),
        (
            "退货记录",
            &[
                "退货单号",
                "退货日期",
                "原订单号",
                "客户编号",
                "退货金额",
                "退/换",
                "退货数量",
            ],
            &b.returns,
        ),
    ];
    let mut wb = Workbook::new();
    for (name, heads, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        let mut all: Vec<Vec<V>> = vec![heads.iter().map(|h| S(h)).collect()];
        all.extend(rows.iter().map(|r| r.iter().map(Gen::v).collect()));
        put(ws, &all);
    }
    wb.save(path).unwrap();
}

/// Σ of a Money column over the rows, and the totals' value there.
fn column_sum(t: &kebiao::stats::Table, key: &str) -> Option<(Decimal, Option<Decimal>)> {
    let c = t
        .columns
        .iter()
        .position(|c| c.key == key && c.kind == Kind::Money)?;
    let sum = t.rows.iter().filter_map(|r| r[c].money()).sum();
    let total = t.totals.as_ref().and_then(|r| r[c].money());
    Some((sum, total))
}

fn check_book(b: &Book) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("随机.xlsx");
    write_book(b, &path);
    let cfg = Config::default();
    let ds = kebiao::model::load(&[path], None, &cfg)
        .map_err(|e| TestCaseError::fail(format!("load failed: {e}")))?;

    // Rows: nothing lost, nothing counted twice.
    for c in &ds.counts {
        prop_assert_eq!(c.accepted + c.rejected, c.data_rows, "{:?}", c);
    }
    let rows_of = |t: &str| ds.counts.iter().find(|c| c.table == t).map(|c| c.data_rows);
    prop_assert_eq!(rows_of("客户信息表"), Some(b.customers.len()));
    if !b.sales.is_empty() {
        prop_assert_eq!(rows_of("销售明细"), Some(b.sales.len()));
        prop_assert_eq!(
            ds.sales.as_ref().map_or(0, Vec::len),
            ds.counts
                .iter()
                .find(|c| c.table == "销售明细")
                .unwrap()
                .accepted
        );
    }

    for month in ["2024-02", "2024-03"] {
        let month: Month = month.parse().unwrap();
        let ctx = Ctx::new(&ds, month, &cfg);
        // The company total, straight from the accepted records.
        let lines: Decimal = ds
            .sales
            .iter()
            .flatten()
            .filter(|l| !l.cancelled && month.contains(l.order_date))
            .map(|l| l.amount - l.discount - l.rebate)
            .sum();
        let returned: Decimal = ds
            .returns
            .iter()
            .flatten()
            .filter(|r| !r.exchange && month.contains(r.return_date))
            .map(|r| r.amount)
            .sum();
        let total = lines - returned;
        prop_assert_eq!(sales::net_sales(&ctx.entries, month), total);

        let tables = catalogue::all(&ctx);
        let mut seen = Vec::new();
        // The breakdowns of the month's 实销额 (monthly-sales also has a 实销额 column, but its
        // rows are months, not parts of this month).
        const BREAKDOWNS: [&str; 4] = [
            "sales-by-region",
            "sales-performance",
            "customer-ytd",
            "sales-by-category",
        ];
        for t in tables
            .iter()
            .filter(|t| BREAKDOWNS.contains(&t.id.as_str()))
        {
            let Some((sum, tot)) = column_sum(t, "net_sales") else {
                continue;
            };
            seen.push(t.id.clone());
            prop_assert_eq!(sum, total, "{}: rows sum to the total", t.id);
            if let Some(tot) = tot {
                prop_assert_eq!(tot, total, "{}: 合计 row", t.id);
            }
        }
        for id in ["sales-by-region", "sales-performance", "customer-ytd"] {
            prop_assert!(seen.iter().any(|s| s == id), "{id} has a 实销额 column");
        }
        // The per-salesperson and per-customer breakdowns by their own keys, from the entries.
        let by_staff = sales::sum_by(&ctx.entries, month, |e| e.staff);
        prop_assert_eq!(by_staff.values().copied().sum::<Decimal>(), total);
        let by_cust = sales::sum_by(&ctx.entries, month, |e| e.customer_id);
        prop_assert_eq!(by_cust.values().copied().sum::<Decimal>(), total);
        // The region table's rows are the regions of the entries, each once.
        let region = tables.iter().find(|t| t.id == "sales-by-region").unwrap();
        let by_region = sales::sum_by(&ctx.entries, month, |e| e.region);
        for (r, amt) in &by_region {
            let row = region
                .rows
                .iter()
                .find(|row| row[0] == Value::Text(r.to_string()));
            prop_assert!(row.is_some(), "region {r} has a row");
            prop_assert_eq!(row.unwrap()[1].money(), Some(*amt));
        }
    }
    Ok(())
}

proptest! {
    // Each case writes and reads a workbook and runs every statistic for two months; 48 cases
    // keep the whole file to a few seconds on CI's 2 cores.
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rows_and_money_are_conserved(b in book()) {
        check_book(&b)?;
    }
}
