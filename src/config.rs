//! kebiao.yaml → [`Config`]. The only module that knows YAML (DESIGN §4: serde_yaml is frozen
//! upstream, so a swap must touch one file). Every PROPOSED default of DOMAIN §2/§3.3 lives here.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// 公司名称, printed on the cover and in running headers.
    pub company_name: String,
    /// 企业简称 used in 客户编号 (R05).
    pub company_abbr: String,
    /// 编制部门 on the cover (数据部门 / 客户服务部).
    pub department: String,
    pub grading: Grading,
    pub key_customer_grades: Vec<String>,
    pub churn_days: i64,
    pub contact_cycle_days: BTreeMap<String, i64>,
    pub entry: Entry,
    pub complaint: ComplaintCfg,
    pub credit: Credit,
    pub note_interest_rate: Decimal,
    /// `symmetric` or `loss_only` (M40).
    pub note_pl_mode: String,
    pub danger: Danger,
    pub report: ReportCfg,
    pub bonus_rate: Option<Decimal>,
    /// Months ("YYYY-MM") whose figures are closed (M41).
    pub closed_periods: Vec<String>,
    /// M30: the monthly budget for 客户接待/招待费用 (元), when the company sets one (S4 "控制客户
    /// 接待费用"). PROPOSED key; without it the section shows the spending with no budget table.
    pub hospitality_budget: Option<Decimal>,
    pub perf_bands: PerfBands,
    pub auto_create_customers: bool,
    pub fonts: Fonts,
    pub privacy: Privacy,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Grading {
    /// T12M (default), or `month`, `quarter`, `year`.
    pub window: String,
    pub weights: Weights,
    /// Percent of graded customers per grade; A+B = 20 (S2).
    pub quota: BTreeMap<String, u32>,
    /// 合同额 lower bounds per grade; when set, grading is by threshold instead of quota.
    pub thresholds: Option<BTreeMap<String, Decimal>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub contract: u32,
    pub profit: u32,
    pub frequency: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Entry {
    pub max_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintCfg {
    pub response_hours: i64,
    pub target_handle_hours: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Credit {
    pub default_days: i64,
    /// Lower score bound per credit grade (M60).
    pub grade_bands: BTreeMap<String, i64>,
    /// 系数 per credit grade (M62).
    pub limit_factor: BTreeMap<String, Decimal>,
    /// M59 points per answer of each enumerated survey item (付款态度, 银行信用 …). An item named
    /// in kebiao.yaml replaces that item's whole default table; 资本额 and 往来年限 bands are fixed.
    pub points: BTreeMap<String, BTreeMap<String, i64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Danger {
    pub overdue_days: i64,
    pub high_overdue_days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportCfg {
    /// Day of month M+1 by which month M's pack is due (R01).
    pub due_day: u32,
    /// At most this many rows of one table are printed in the PDF; every row is in the workbook,
    /// and the PDF says so under the table. PROPOSED: 100 keeps the printed pack readable (and
    /// quick to typeset) when a list has thousands of customers.
    pub print_rows: usize,
    /// R01: when each department handed in its data, per report month ("YYYY-MM" → department →
    /// date), for the 各部门提交情况 annex. The inputs carry no such date, so the clerk who
    /// collects the submissions writes them here; a department without a date shows blank.
    pub submitted: BTreeMap<String, BTreeMap<String, NaiveDate>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerfBands {
    pub excellent: u32,
    pub good: u32,
    pub fair: u32,
}

/// Fonts. The bundled Noto Sans CJK SC is always available; a company that wants SimSun or
/// Microsoft YaHei names the font files here (by path) and the family first in `families`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Fonts {
    /// Extra font files to load (e.g. C:/Windows/Fonts/simsun.ttc).
    pub files: Vec<String>,
    /// Family names tried before the bundled ones, e.g. ["SimSun"].
    pub families: Vec<String>,
}

/// 客户资料保密制度: mask personal data in printed outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Privacy {
    /// Mask phone numbers, ID numbers and bank accounts (138****1234).
    pub mask: bool,
    /// Leave the accepted input rows (data sheets) out of the workbook.
    pub omit_data_sheets: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            company_name: "示例商贸有限公司".into(),
            company_abbr: "SLSM".into(),
            department: "数据部门".into(),
            grading: Grading::default(),
            key_customer_grades: vec!["A".into(), "B".into()],
            churn_days: 180,
            contact_cycle_days: [
                ("A", 30),
                ("B", 60),
                ("C", 90),
                ("D", 180),
                ("潜在", 30),
                ("意向", 30),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            entry: Entry { max_hours: 24 },
            complaint: ComplaintCfg {
                response_hours: 48,
                target_handle_hours: 24,
            },
            credit: Credit::default(),
            note_interest_rate: dec!(0.06),
            note_pl_mode: "symmetric".into(),
            danger: Danger {
                overdue_days: 90,
                high_overdue_days: 180,
            },
            report: ReportCfg::default(),
            bonus_rate: None,
            closed_periods: vec![],
            hospitality_budget: None,
            perf_bands: PerfBands::default(),
            auto_create_customers: false,
            fonts: Fonts::default(),
            privacy: Privacy::default(),
        }
    }
}

impl Default for Grading {
    fn default() -> Self {
        Grading {
            window: "T12M".into(),
            weights: Weights::default(),
            quota: [("A", 5), ("B", 15), ("C", 30), ("D", 50)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            thresholds: None,
        }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            contract: 40,
            profit: 40,
            frequency: 20,
        }
    }
}

impl Default for Entry {
    fn default() -> Self {
        Entry { max_hours: 24 }
    }
}

impl Default for ComplaintCfg {
    fn default() -> Self {
        ComplaintCfg {
            response_hours: 48,
            target_handle_hours: 24,
        }
    }
}

impl Default for Credit {
    fn default() -> Self {
        Credit {
            default_days: 60,
            grade_bands: [("AAA", 90), ("AA", 80), ("A", 70), ("B", 60), ("C", 0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            limit_factor: [
                ("AAA", dec!(1.2)),
                ("AA", dec!(1.0)),
                ("A", dec!(0.8)),
                ("B", dec!(0.5)),
                ("C", dec!(0)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            points: default_credit_points(),
        }
    }
}

/// The M59 point table (DOMAIN §2.5).
fn default_credit_points() -> BTreeMap<String, BTreeMap<String, i64>> {
    let table: [(&str, &[(&str, i64)]); 8] = [
        (
            "付款态度",
            &[
                ("爽快", 20),
                ("普通", 15),
                ("尚可", 12),
                ("迟延", 6),
                ("为难", 3),
                ("嗜欠尾款", 0),
            ],
        ),
        (
            "银行信用",
            &[
                ("很好", 15),
                ("好", 12),
                ("普通", 9),
                ("差", 4),
                ("很差", 0),
            ],
        ),
        (
            "同业者评价",
            &[("很好", 10), ("好", 8), ("普通", 6), ("差", 3), ("很差", 0)],
        ),
        (
            "近邻评价",
            &[("很好", 5), ("好", 4), ("普通", 3), ("差", 1), ("很差", 0)],
        ),
        ("账务体系", &[("完备", 5), ("不完备", 0)]),
        (
            "业务趋势",
            &[
                ("兴隆", 10),
                ("成长", 8),
                ("稳定", 6),
                ("不定", 3),
                ("衰退", 0),
            ],
        ),
        (
            "场所",
            &[("处于繁华区", 5), ("一般商业区", 3), ("偏僻地区", 1)],
        ),
        ("场所产权", &[("自有", 5), ("租用", 2)]),
    ];
    table
        .into_iter()
        .map(|(item, answers)| {
            let m = answers.iter().map(|(a, p)| (a.to_string(), *p)).collect();
            (item.to_string(), m)
        })
        .collect()
}

impl Default for Danger {
    fn default() -> Self {
        Danger {
            overdue_days: 90,
            high_overdue_days: 180,
        }
    }
}

impl Default for ReportCfg {
    fn default() -> Self {
        ReportCfg {
            due_day: 5,
            print_rows: 100,
            submitted: BTreeMap::new(),
        }
    }
}

impl Default for PerfBands {
    fn default() -> Self {
        PerfBands {
            excellent: 120,
            good: 100,
            fair: 80,
        }
    }
}

impl Config {
    /// Read kebiao.yaml. A missing `--config` means the built-in defaults.
    ///
    /// # Errors
    /// The file cannot be read, is not YAML, or names a key kebiao does not know (the message
    /// gives the line and column, so a typo is found at once).
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Self::from_yaml(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    pub fn from_yaml(text: &str) -> std::result::Result<Config, String> {
        let cfg: Config = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        let total: u32 = self.grading.quota.values().sum();
        if total != 100 {
            return Err(format!(
                "grading.quota 合计应为 100, 实为 {total} (quota must sum to 100)"
            ));
        }
        let w = &self.grading.weights;
        let weights = w.contract + w.profit + w.frequency;
        if weights != 100 {
            return Err(format!(
                "grading.weights 合计应为 100, 实为 {weights} (weights must sum to 100)"
            ));
        }
        if self.churn_days <= 0 {
            return Err("churn_days 必须大于 0 (must be positive)".into());
        }
        // A map key is not checked by deny_unknown_fields: a misspelt item would be silently ignored.
        let known = default_credit_points();
        if let Some(item) = self.credit.points.keys().find(|k| !known.contains_key(*k)) {
            return Err(format!(
                "credit.points 中的 {item:?} 不是可评分的调查项目 (not a scored survey item); 可用: {}",
                known.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(m) = self
            .report
            .submitted
            .keys()
            .find(|m| m.parse::<crate::stats::Month>().is_err())
        {
            return Err(format!(
                "report.submitted 的键 {m:?} 应为报告月份 YYYY-MM (a report month, e.g. 2026-10)"
            ));
        }
        if !matches!(self.note_pl_mode.as_str(), "symmetric" | "loss_only") {
            return Err(format!(
                "note_pl_mode 只能是 symmetric 或 loss_only, 实为 {:?}",
                self.note_pl_mode
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_domain_defaults() {
        let c = Config::default();
        assert_eq!(c.churn_days, 180);
        assert_eq!(c.grading.quota["A"] + c.grading.quota["B"], 20);
        assert_eq!(c.complaint.response_hours, 48);
        assert_eq!(c.credit.default_days, 60);
    }

    #[test]
    fn unknown_key_is_an_error_with_its_position() {
        let err = Config::from_yaml("company_name: 甲\nchurn_dayz: 90\n").unwrap_err();
        assert!(err.contains("churn_dayz"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn partial_file_keeps_other_defaults() {
        let c = Config::from_yaml("company_name: 杭州某某贸易有限公司\ngrading:\n  window: year\n")
            .unwrap();
        assert_eq!(c.company_name, "杭州某某贸易有限公司");
        assert_eq!(c.grading.window, "year");
        assert_eq!(c.grading.weights.contract, 40);
    }

    #[test]
    fn credit_points_default_and_unknown_item() {
        let c = Config::default();
        assert_eq!(c.credit.points["付款态度"]["爽快"], 20);
        assert_eq!(c.credit.points.len(), 8);
        let err = Config::from_yaml("credit:\n  points:\n    付款态: {爽快: 10}\n").unwrap_err();
        assert!(err.contains("付款态"), "{err}");
    }

    #[test]
    fn weights_must_sum_to_100() {
        let err =
            Config::from_yaml("grading:\n  weights: {contract: 50, profit: 40, frequency: 20}\n")
                .unwrap_err();
        assert!(err.contains("weights"), "{err}");
        let ok =
            Config::from_yaml("grading:\n  weights: {contract: 50, profit: 30, frequency: 20}\n");
        assert!(ok.is_ok());
    }

    #[test]
    fn quota_must_sum_to_100() {
        let err =
            Config::from_yaml("grading:\n  quota: {A: 10, B: 10, C: 10, D: 10}\n").unwrap_err();
        assert!(err.contains("100"));
    }
}
