//! After-sales service (M74, T14) and call centre (M75, T15), DOMAIN §2.6. Both PROPOSED: the
//! seeds give only the table names.

use super::{missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{AfterSale, Call};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

pub const SHEET_AFTER_SALES: &str = "售后服务";
pub const SHEET_CALLS: &str = "呼叫记录";

const SERVICE_TYPES: [&str; 6] = ["安装", "维修", "保养", "咨询", "退换", "其他"];

/// Hours from 登记 to 完成 (M74 完成时长), to two decimals; None while open.
pub fn completion_hours(a: &AfterSale) -> Option<Decimal> {
    let done = a.completed_at?;
    let mins = (done - a.registered_at).num_minutes();
    Some(
        (Decimal::from(mins) / Decimal::from(60))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// M74 figures of one group of service orders: (count, completed, mean hours, in warranty,
/// out of warranty, Σ fee, mean satisfaction).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub count: i64,
    pub completed: i64,
    pub mean_hours: Value,
    pub in_warranty: i64,
    pub out_warranty: i64,
    pub fees: Decimal,
    pub mean_satisfaction: Value,
}

pub fn service_figures(list: &[&AfterSale]) -> ServiceFigures {
    let hours: Vec<Decimal> = list.iter().filter_map(|a| completion_hours(a)).collect();
    let sats: Vec<i64> = list.iter().filter_map(|a| a.satisfaction).collect();
    let mean = |sum: Decimal, n: usize| ratio(sum, Decimal::from(n as u64));
    ServiceFigures {
        count: list.len() as i64,
        completed: hours.len() as i64,
        mean_hours: match mean(hours.iter().copied().sum(), hours.len()) {
            Value::Ratio(v) => {
                Value::Qty(v.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
            }
            other => other,
        },
        in_warranty: list.iter().filter(|a| a.in_warranty == Some(true)).count() as i64,
        out_warranty: list.iter().filter(|a| a.in_warranty == Some(false)).count() as i64,
        fees: list.iter().filter_map(|a| a.fee).sum(),
        mean_satisfaction: match mean(Decimal::from(sats.iter().sum::<i64>()), sats.len()) {
            Value::Ratio(v) => {
                Value::Qty(v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
            }
            other => other,
        },
    }
}

/// M75 figures of one group of calls.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFigures {
    pub inbound: i64,
    pub outbound: i64,
    pub outbound_connected: i64,
    /// 接通率 = 接通 / 呼出 (DOMAIN M75).
    pub connect_rate: Value,
    /// Mean 通话时长 in seconds over the calls that give one (and were not marked 未接通).
    pub mean_duration: Value,
    pub mean_qa: Value,
}

pub fn call_figures(list: &[&Call]) -> CallFigures {
    let outbound: Vec<&&Call> = list.iter().filter(|c| c.direction == "呼出").collect();
    // A call without a 是否接通 answer counts as connected when it has a talk time.
    let connected = |c: &Call| {
        c.connected
            .unwrap_or_else(|| c.duration_s.is_some_and(|d| d > 0))
    };
    let oc = outbound.iter().filter(|c| connected(c)).count() as i64;
    let durs: Vec<i64> = list
        .iter()
        .filter(|c| c.connected != Some(false))
        .filter_map(|c| c.duration_s)
        .collect();
    let qa: Vec<i64> = list.iter().filter_map(|c| c.qa_score).collect();
    let mean = |v: &[i64]| {
        if v.is_empty() {
            Value::NotApplicable
        } else {
            Value::Qty(
                (Decimal::from(v.iter().sum::<i64>()) / Decimal::from(v.len() as u64))
                    .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero),
            )
        }
    };
    CallFigures {
        inbound: list.iter().filter(|c| c.direction == "呼入").count() as i64,
        outbound: outbound.len() as i64,
        outbound_connected: oc,
        connect_rate: ratio(Decimal::from(oc), Decimal::from(outbound.len() as u64)),
        mean_duration: mean(&durs),
        mean_qa: mean(&qa),
    }
}

/// The family's tables for the report month.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let m = ctx.month;
    let title = |zh: &str, en: &str| Msg::new(format!("{} {zh}", m.zh()), format!("{en}, {m}"));
    let mut out = Vec::new();
    match ctx.ds.after_sales.as_deref() {
        Some(list) => out.push(after_sales_table(
            m,
            list,
            title("售后服务统计", "After-sales service"),
        )),
        None => out.push(missing_table(
            "after-sales",
            title("售后服务统计", "After-sales service"),
            SHEET_AFTER_SALES,
        )),
    }
    match ctx.ds.calls.as_deref() {
        Some(list) => {
            out.push(call_table(m, list, title("呼叫中心统计", "Call centre")));
            out.push(call_type_table(
                m,
                list,
                title("呼叫业务类型统计", "Calls by type"),
            ));
        }
        None => {
            out.push(missing_table(
                "call-centre",
                title("呼叫中心统计", "Call centre"),
                SHEET_CALLS,
            ));
            out.push(missing_table(
                "calls-by-type",
                title("呼叫业务类型统计", "Calls by type"),
                SHEET_CALLS,
            ));
        }
    }
    out
}

/// M74: service orders registered in the month, by 服务类型.
fn after_sales_table(m: Month, list: &[AfterSale], title: Msg) -> Table {
    let in_month: Vec<&AfterSale> = list
        .iter()
        .filter(|a| m.contains(a.registered_at.date()))
        .collect();
    let mut by: BTreeMap<usize, Vec<&AfterSale>> = BTreeMap::new();
    for a in &in_month {
        let t = a.service_type.as_deref().unwrap_or("其他");
        let i = SERVICE_TYPES
            .iter()
            .position(|x| *x == t)
            .unwrap_or(SERVICE_TYPES.len() - 1);
        by.entry(i).or_default().push(a);
    }
    let row = |label: &str, f: ServiceFigures| {
        vec![
            Value::Text(label.into()),
            Value::Int(f.count),
            Value::Int(f.completed),
            f.mean_hours,
            Value::Int(f.in_warranty),
            Value::Int(f.out_warranty),
            Value::Money(f.fees),
            f.mean_satisfaction,
        ]
    };
    let rows = by
        .iter()
        .map(|(i, l)| row(SERVICE_TYPES[*i], service_figures(l)))
        .collect();
    Table {
        id: "after-sales".into(),
        title,
        columns: vec![
            Column::new("type", "服务类型", "Service type", Kind::Text),
            Column::new("count", "登记数", "Registered", Kind::Int),
            Column::new("completed", "已完成", "Completed", Kind::Int),
            Column::new("mean_hours", "平均完成时长(小时)", "Mean hours to complete", Kind::Qty),
            Column::new("in_warranty", "保修期内", "In warranty", Kind::Int),
            Column::new("out_warranty", "保修期外", "Out of warranty", Kind::Int),
            Column::new("fees", "费用(元)", "Fees", Kind::Money),
            Column::new("satisfaction", "平均满意度", "Mean satisfaction", Kind::Qty),
        ],
        rows,
        totals: Some(row("合计", service_figures(&in_month))),
        notes: vec![Msg::new(
            "本月登记的服务单; 完成时长 = 完成日期 − 登记日期 (日历小时), 只计已完成的单; 满意度 1–5",
            "Service orders registered this month; hours to complete = completed − registered (calendar hours), completed orders only; satisfaction 1–5",
        )],
    }
}

/// M75 by 座席员: 呼入量, 呼出量, 接通率 = 接通 / 呼出, 平均通话时长, 质检平均分.
fn call_table(m: Month, list: &[Call], title: Msg) -> Table {
    let in_month: Vec<&Call> = list
        .iter()
        .filter(|c| m.contains(c.call_time.date()))
        .collect();
    let mut by: BTreeMap<&str, Vec<&Call>> = BTreeMap::new();
    for c in &in_month {
        by.entry(c.agent.as_str()).or_default().push(c);
    }
    let row = |label: &str, f: CallFigures| {
        vec![
            Value::Text(label.into()),
            Value::Int(f.inbound),
            Value::Int(f.outbound),
            Value::Int(f.outbound_connected),
            f.connect_rate,
            f.mean_duration,
            f.mean_qa,
        ]
    };
    let rows = by.iter().map(|(a, l)| row(a, call_figures(l))).collect();
    Table {
        id: "call-centre".into(),
        title,
        columns: vec![
            Column::new("agent", "座席员", "Agent", Kind::Text),
            Column::new("inbound", "呼入量", "Inbound", Kind::Int),
            Column::new("outbound", "呼出量", "Outbound", Kind::Int),
            Column::new("connected", "呼出接通", "Outbound connected", Kind::Int),
            Column::new("connect_rate", "接通率", "Connect rate", Kind::Percent),
            Column::new("mean_duration", "平均通话时长(秒)", "Mean talk time (s)", Kind::Qty),
            Column::new("mean_qa", "质检平均分", "Mean QA score", Kind::Qty),
        ],
        rows,
        totals: Some(row("合计", call_figures(&in_month))),
        notes: vec![Msg::new(
            "接通率 = 呼出接通 / 呼出量; 未填是否接通时, 有通话时长即视为接通; 平均通话时长不计未接通的呼叫",
            "Connect rate = connected outbound / outbound; a call with no 接通 answer counts as connected when it has a talk time; unconnected calls are left out of the mean talk time",
        )],
    }
}

/// Calls of the month by 业务类型 and direction.
fn call_type_table(m: Month, list: &[Call], title: Msg) -> Table {
    let mut by: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for c in list.iter().filter(|c| m.contains(c.call_time.date())) {
        let e = by
            .entry(c.call_type.clone().unwrap_or_else(|| "未注明".into()))
            .or_default();
        if c.direction == "呼出" {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    let row = |k: &str, (i, o): (i64, i64)| {
        vec![
            Value::Text(k.into()),
            Value::Int(i),
            Value::Int(o),
            Value::Int(i + o),
        ]
    };
    let t = by.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    Table {
        id: "calls-by-type".into(),
        title,
        columns: vec![
            Column::new("type", "业务类型", "Call type", Kind::Text),
            Column::new("inbound", "呼入", "Inbound", Kind::Int),
            Column::new("outbound", "呼出及其他", "Outbound and other", Kind::Int),
            Column::new("total", "合计", "Total", Kind::Int),
        ],
        rows: by.iter().map(|(k, v)| row(k, *v)).collect(),
        totals: Some(row("合计", t)),
        notes: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Dataset;
    use chrono::NaiveDateTime;
    use rust_decimal_macros::dec;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    /// DOMAIN T14's example: registered 2024-03-05 10:00, completed 2024-03-06 16:00 → 30 h.
    #[test]
    fn m74_completion_hours_and_groups() {
        let a = AfterSale {
            service_no: "FW2024030007".into(),
            registered_at: t("2024-03-05 10:00"),
            completed_at: Some(t("2024-03-06 16:00")),
            service_type: Some("维修".into()),
            in_warranty: Some(true),
            fee: Some(dec!(0)),
            satisfaction: Some(5),
            ..Default::default()
        };
        assert_eq!(completion_hours(&a), Some(dec!(30)));
        let b = AfterSale {
            registered_at: t("2024-03-20 09:00"),
            completed_at: Some(t("2024-03-20 12:30")),
            service_type: Some("维修".into()),
            in_warranty: Some(false),
            fee: Some(dec!(380)),
            satisfaction: Some(4),
            ..Default::default()
        };
        let open = AfterSale {
            registered_at: t("2024-03-30 09:00"),
            service_type: Some("安装".into()),
            ..Default::default()
        };
        let f = service_figures(&[&a, &b, &open]);
        assert_eq!(f.count, 3);
        assert_eq!(f.completed, 2);
        // (30 + 3.5) / 2 = 16.75 → 16.8 shown to one decimal.
        assert_eq!(f.mean_hours, Value::Qty(dec!(16.8)));
        assert_eq!((f.in_warranty, f.out_warranty), (1, 1));
        assert_eq!(f.fees, dec!(380));
        assert_eq!(f.mean_satisfaction, Value::Qty(dec!(4.5)));
        let ds = Dataset {
            after_sales: Some(vec![a, b, open]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let tb = &tables(&ctx)[0];
        assert_eq!(tb.id, "after-sales");
        assert_eq!(tb.rows.len(), 2);
        assert_eq!(tb.rows[1][0], Value::Text("维修".into()));
        assert_eq!(tb.rows[1][1], Value::Int(2));
    }

    /// M75: 接通率 = 接通 / 呼出; means over what is given.
    #[test]
    fn m75_connect_rate_and_means() {
        let call = |dir: &str, conn: Option<bool>, dur: Option<i64>, qa: Option<i64>| Call {
            call_time: t("2024-03-05 09:12"),
            direction: dir.into(),
            agent: "A07".into(),
            connected: conn,
            duration_s: dur,
            qa_score: qa,
            ..Default::default()
        };
        let cs = [
            call("呼入", Some(true), Some(185), Some(88)),
            call("呼出", Some(true), Some(60), Some(90)),
            call("呼出", Some(false), None, None),
            call("呼出", None, Some(95), None),
            call("呼出", None, None, None),
        ];
        let refs: Vec<&Call> = cs.iter().collect();
        let f = call_figures(&refs);
        assert_eq!((f.inbound, f.outbound, f.outbound_connected), (1, 4, 2));
        assert_eq!(f.connect_rate, Value::Ratio(dec!(0.5)));
        // (185 + 60 + 95) / 3 = 113.33 → 113.3
        assert_eq!(f.mean_duration, Value::Qty(dec!(113.3)));
        assert_eq!(f.mean_qa, Value::Qty(dec!(89)));
        let none = call_figures(&[]);
        assert_eq!(none.connect_rate, Value::NotApplicable);
        assert_eq!(none.mean_qa, Value::NotApplicable);
    }

    #[test]
    fn missing_sheets_say_so() {
        let ds = Dataset::default();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let ts = tables(&ctx);
        assert_eq!(ts[0].rows[0][0], Value::Missing(SHEET_AFTER_SALES.into()));
        assert_eq!(ts[1].rows[0][0], Value::Missing(SHEET_CALLS.into()));
    }
}
