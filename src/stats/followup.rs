//! Contact and follow-up discipline (DOMAIN §2.3): 录入及时率 (M25), 跟进逾期 (M26), 重要客户双人联系
//! and 离职交接 (M27), 拜访/联络次数 (M28), 接待费用 (M30). The 客户跟进统计表 of section 08.

use super::HashMap;
use super::{grading, missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Customer, Interaction};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

const SHEET: &str = "客户互动记录";

fn cid(i: &Interaction) -> String {
    cid_ref(i).to_owned()
}

/// [`cid`] borrowed, for the loops over every interaction that gather by customer.
fn cid_ref(i: &Interaction) -> &str {
    i.customer_id
        .as_deref()
        .or(i.customer_name.as_deref())
        .unwrap_or_default()
}

/// M25: on time when 录入时间 − 接触时间 ≤ `max_hours`. Returns (on time, measurable, all).
pub fn entry_timeliness(items: &[&Interaction], max_hours: i64) -> (i64, i64, i64) {
    let mut on_time = 0;
    let mut measurable = 0;
    for i in items {
        if let Some(e) = i.entry_time {
            measurable += 1;
            if e - i.contact_time <= Duration::hours(max_hours) {
                on_time += 1;
            }
        }
    }
    (on_time, measurable, items.len() as i64)
}

/// M26: last follow-up = max(latest interaction, T01 最后跟进时间); overdue when older than the
/// grade's cycle at `at`. Returns (customer id, grade, last follow-up, days since, cycle).
pub fn overdue_followups(
    customers: &[Customer],
    items: &[Interaction],
    grades: &BTreeMap<String, String>,
    cycles: &BTreeMap<String, i64>,
    at: NaiveDate,
) -> Vec<(String, String, Option<NaiveDate>, Option<i64>, i64)> {
    // Under borrowed keys: only looked up by customer, so a hash map and no String per item.
    let mut last: HashMap<&str, NaiveDate> = HashMap::default();
    for i in items.iter().filter(|i| i.contact_time.date() <= at) {
        let d = last.entry(cid_ref(i)).or_insert(i.contact_time.date());
        *d = (*d).max(i.contact_time.date());
    }
    let mut out = Vec::new();
    for c in customers {
        if c.status.as_deref().is_some_and(|s| s.contains("流失")) {
            continue;
        }
        let grade = grades.get(&c.customer_id).cloned().unwrap_or_else(|| {
            if c.status.as_deref().is_some_and(|s| s.contains("意向")) {
                "意向".into()
            } else {
                "潜在".into()
            }
        });
        let Some(cycle) = cycles.get(&grade).copied() else {
            continue;
        };
        let lf = [
            last.get(c.customer_id.as_str()).copied(),
            c.last_followup_date.filter(|d| *d <= at),
        ]
        .into_iter()
        .flatten()
        .max();
        let days = lf.map(|d| (at - d).num_days());
        if days.is_none_or(|d| d > cycle) {
            out.push((c.customer_id.clone(), grade, lf, days, cycle));
        }
    }
    out
}

/// The family's tables for the report month.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let month = ctx.month;
    let title =
        |zh: &str, en: &str| Msg::new(format!("{} {zh}", month.zh()), format!("{en}, {month}"));
    let Some(items) = ctx.ds.interactions.as_deref() else {
        return vec![
            missing_table(
                "followup-stats",
                title("客户跟进统计表", "Follow-up statistics"),
                SHEET,
            ),
            missing_table(
                "followup-overdue",
                title("跟进逾期客户", "Overdue follow-ups"),
                SHEET,
            ),
        ];
    };
    let in_month: Vec<&Interaction> = items
        .iter()
        .filter(|i| month.contains(i.contact_time.date()))
        .collect();
    let mut out = vec![stats_table(
        ctx,
        &in_month,
        title("客户跟进统计表", "Follow-up statistics"),
    )];
    let grades = grading::grades(ctx);
    let customers = ctx.ds.customers.as_deref().unwrap_or(&[]);
    let names: BTreeMap<&str, &Customer> = customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c))
        .collect();
    let overdue = overdue_followups(
        customers,
        items,
        &grades,
        &ctx.cfg.contact_cycle_days,
        month.last_day(),
    );
    let rank = |g: &str| {
        ["A", "B", "C", "D", "意向", "潜在"]
            .iter()
            .position(|x| *x == g)
            .unwrap_or(9)
    };
    let mut overdue = overdue;
    overdue.sort_by(|a, b| {
        rank(&a.1)
            .cmp(&rank(&b.1))
            .then(b.3.unwrap_or(i64::MAX).cmp(&a.3.unwrap_or(i64::MAX)))
            .then(a.0.cmp(&b.0))
    });
    out.push(Table {
        id: "followup-overdue".into(),
        title: title("跟进逾期客户", "Overdue follow-ups"),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("owner", "负责人", "Owner", Kind::Text),
            Column::new("last", "最后跟进", "Last follow-up", Kind::Date),
            Column::new("days", "间隔天数", "Days since", Kind::Int),
            Column::new("cycle", "规定周期(天)", "Cycle (days)", Kind::Int),
        ],
        rows: overdue
            .iter()
            .map(|(id, g, last, days, cycle)| {
                let c = names.get(id.as_str());
                vec![
                    Value::Text(id.clone()),
                    Value::Text(c.map(|c| c.name.clone()).unwrap_or_default()),
                    Value::Text(g.clone()),
                    Value::Text(c.and_then(|c| c.owner.clone()).unwrap_or_default()),
                    last.map_or(Value::Text("从未跟进".into()), Value::Date),
                    days.map_or(Value::NotApplicable, Value::Int),
                    Value::Int(*cycle),
                ]
            })
            .collect(),
        totals: None,
        notes: vec![Msg::new(
            "最后跟进 = 最近一次互动记录与客户信息表“最后跟进时间”中较晚者; 流失客户不列入。周期: 见 kebiao.yaml contact_cycle_days。",
            "Last follow-up = the later of the latest interaction and T01's last follow-up; lost customers excluded.",
        )],
    });
    out.push(two_contacts_table(
        ctx,
        items,
        &grades,
        customers,
        title(
            "重要客户联系人与离职交接",
            "Key-customer contacts and hand-overs",
        ),
    ));
    out
}

fn stats_table(ctx: &Ctx, in_month: &[&Interaction], title: Msg) -> Table {
    const METHODS: [&str; 9] = [
        "拜访",
        "电话",
        "短信",
        "微信",
        "邮件",
        "接待来访",
        "活动",
        "节假日走访",
        "其他",
    ];
    let mut by_staff: BTreeMap<String, Vec<&Interaction>> = BTreeMap::new();
    for i in in_month {
        by_staff.entry(i.staff.clone()).or_default().push(i);
    }
    let method_of = |i: &Interaction| {
        let m = i.method.as_deref().unwrap_or("其他");
        METHODS.iter().find(|x| **x == m).copied().unwrap_or("其他")
    };
    let row = |name: String, list: &[&Interaction]| {
        let mut r = vec![Value::Text(name)];
        for m in METHODS {
            r.push(Value::Int(
                list.iter().filter(|i| method_of(i) == m).count() as i64,
            ));
        }
        r.push(Value::Int(list.len() as i64));
        let visited: BTreeSet<String> = list
            .iter()
            .filter(|i| method_of(i) == "拜访")
            .map(|i| cid(i))
            .collect();
        r.push(Value::Int(visited.len() as i64));
        let (ok, measurable, _) = entry_timeliness(list, ctx.cfg.entry.max_hours);
        r.push(ratio(Decimal::from(ok), Decimal::from(measurable)));
        r.push(Value::Money(list.iter().filter_map(|i| i.expense).sum()));
        r
    };
    let rows: Vec<Vec<Value>> = by_staff.iter().map(|(s, l)| row(s.clone(), l)).collect();
    let totals = row("合计".into(), in_month);
    let mut columns = vec![Column::new("staff", "业务员", "Staff", Kind::Text)];
    for m in METHODS {
        columns.push(Column::new(m, m, m, Kind::Int));
    }
    columns.push(Column::new("total", "合计次数", "Total", Kind::Int));
    columns.push(Column::new(
        "visited",
        "拜访客户数",
        "Customers visited",
        Kind::Int,
    ));
    columns.push(Column::new(
        "on_time",
        "录入及时率",
        "Entered within 24h",
        Kind::Percent,
    ));
    columns.push(Column::new("expense", "费用(元)", "Expense", Kind::Money));
    let (ok, measurable, all) = entry_timeliness(in_month, ctx.cfg.entry.max_hours);
    Table {
        id: "followup-stats".into(),
        title,
        columns,
        rows,
        totals: Some(totals),
        notes: {
            let mut n = vec![Msg::new(
                format!("录入及时: 接触后{}小时内录入 (S3)。可计算 {measurable} 条 / 共 {all} 条, 及时 {ok} 条。", ctx.cfg.entry.max_hours),
                format!("On time: entered within {}h. Measurable {measurable} of {all}, on time {ok}.", ctx.cfg.entry.max_hours),
            )];
            // M30 prefers T11 费用: this column is only the visit costs typed on the interactions.
            if ctx.ds.expenses.is_some() {
                n.push(Msg::new(
                    "费用列为互动记录中填写的拜访费用; 接待/招待费用以费用表为准, 见“客户接待/招待费用”",
                    "The expense column is the visit cost typed on the interactions; hospitality expenses come from the expense sheet (see Hospitality expenses)",
                ));
            }
            n
        },
    }
}

/// M27: A/B customers with fewer than two internal contacts in T12M, and customers whose 负责人 has left.
fn two_contacts_table(
    ctx: &Ctx,
    items: &[Interaction],
    grades: &BTreeMap<String, String>,
    customers: &[Customer],
    title: Msg,
) -> Table {
    let from: NaiveDateTime = ctx
        .month
        .plus(-11)
        .first_day()
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let to: NaiveDateTime = ctx
        .month
        .next()
        .first_day()
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let left: BTreeSet<&str> = ctx
        .ds
        .salespeople
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|s| s.status.as_deref() == Some("离职"))
        .flat_map(|s| [s.staff_id.as_str(), s.name.as_str()])
        .collect();
    // Staff who contacted each customer in T12M, indexed once (customers × interactions would be
    // quadratic on a real book).
    let mut contacted: HashMap<&str, BTreeSet<&str>> = HashMap::default();
    for i in items
        .iter()
        .filter(|i| i.contact_time >= from && i.contact_time < to)
    {
        contacted
            .entry(cid_ref(i))
            .or_default()
            .insert(i.staff.as_str());
    }
    let mut rows = Vec::new();
    for c in customers {
        let grade = grades.get(&c.customer_id).map(String::as_str).unwrap_or("");
        let owner_left = c.owner.as_deref().is_some_and(|o| left.contains(o));
        let mut staff: BTreeSet<&str> = [c.owner.as_deref(), c.co_owner.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if let Some(s) = contacted.get(c.customer_id.as_str()) {
            staff.extend(s.iter().copied());
        }
        let few = matches!(grade, "A" | "B") && staff.len() < 2;
        if few || owner_left {
            let mut why = Vec::new();
            if few {
                why.push(format!("重要客户联系人仅 {} 人", staff.len()));
            }
            if owner_left {
                why.push("负责人已离职, 待重新指派".to_string());
            }
            rows.push(vec![
                Value::Text(c.customer_id.clone()),
                Value::Text(c.name.clone()),
                Value::Text(grade.to_string()),
                Value::Text(c.owner.clone().unwrap_or_default()),
                Value::Int(staff.len() as i64),
                Value::Text(why.join("; ")),
            ]);
        }
    }
    Table {
        id: "followup-contacts".into(),
        title,
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("owner", "负责人", "Owner", Kind::Text),
            Column::new("contacts", "联系人数", "Contacts", Kind::Int),
            Column::new("reason", "问题", "Issue", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "较重要的客户应有两个以上的人员与之联系; 负责人调离时应指派其他员工与客户建立联系 (S2)。",
            "Important customers need two or more contacts; reassign customers of staff who left (S2).",
        )],
    }
}

/// Month arithmetic used in tests.
#[allow(dead_code)]
fn month(s: &str) -> Month {
    s.parse().expect("valid month")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// DOMAIN M25 test: contact 2024-03-01 15:00, entered 2024-03-02 16:00 → 25h → late.
    #[test]
    fn m25_worked_case() {
        let i = Interaction {
            contact_time: at("2024-03-01 15:00"),
            entry_time: Some(at("2024-03-02 16:00")),
            ..Default::default()
        };
        assert_eq!(entry_timeliness(&[&i], 24), (0, 1, 1));
        let j = Interaction {
            contact_time: at("2024-03-01 15:00"),
            entry_time: Some(at("2024-03-02 15:00")),
            ..Default::default()
        };
        let k = Interaction {
            contact_time: at("2024-03-01 15:00"),
            entry_time: None,
            ..Default::default()
        };
        assert_eq!(entry_timeliness(&[&j, &k], 24), (1, 1, 2));
    }

    #[test]
    fn m26_overdue_by_grade_cycle() {
        let c = |id: &str| Customer {
            customer_id: id.into(),
            name: id.into(),
            ..Default::default()
        };
        let customers = vec![
            c("A1"),
            c("D1"),
            Customer {
                status: Some("流失客户".into()),
                ..c("X")
            },
        ];
        let items = vec![
            Interaction {
                contact_time: at("2024-02-20 10:00"),
                customer_id: Some("A1".into()),
                ..Default::default()
            },
            Interaction {
                contact_time: at("2024-01-10 10:00"),
                customer_id: Some("D1".into()),
                ..Default::default()
            },
        ];
        let grades: BTreeMap<String, String> =
            [("A1".into(), "A".into()), ("D1".into(), "D".into())]
                .into_iter()
                .collect();
        let cycles = crate::config::Config::default().contact_cycle_days;
        let end = month("2024-03").last_day();
        let o = overdue_followups(&customers, &items, &grades, &cycles, end);
        // A1: 40 days > 30 → overdue; D1: 81 days ≤ 180 → fine; X is lost → excluded.
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].0, "A1");
        assert_eq!(o[0].3, Some(40));
    }
}
