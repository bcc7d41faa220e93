//! Calendar months (C1): a report month is one calendar month.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("month is valid by construction")
    }
    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("not the first day of the calendar")
    }
    #[inline]
    pub fn contains(self, date: NaiveDate) -> bool {
        Month::of(date) == self
    }
    pub fn next(self) -> Month {
        self.plus(1)
    }
    pub fn prev(self) -> Month {
        self.plus(-1)
    }
    /// The same month one year earlier (上年同期).
    pub fn year_ago(self) -> Month {
        Month {
            year: self.year - 1,
            month: self.month,
        }
    }
    pub fn plus(self, months: i32) -> Month {
        let idx = self.year * 12 + self.month as i32 - 1 + months;
        Month {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }
    /// 2024年03月
    pub fn zh(self) -> String {
        format!("{}年{:02}月", self.year, self.month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    /// `YYYY-MM` (also `YYYY/MM`, `YYYYMM`, `YYYY年M月`).
    fn from_str(s: &str) -> Result<Month, String> {
        let t = s.trim().trim_end_matches('月');
        let (y, m) = if let Some((y, m)) = t.split_once(['-', '/', '.', '年']) {
            (y, m)
        } else if t.len() == 6 && t.is_ascii() {
            t.split_at(4)
        } else {
            return Err(format!("月份 {s:?} 应为 YYYY-MM (month must be YYYY-MM)"));
        };
        let year: i32 = y
            .parse()
            .map_err(|_| format!("月份 {s:?} 的年份无效 (bad year)"))?;
        let month: u32 = m
            .parse()
            .map_err(|_| format!("月份 {s:?} 的月无效 (bad month)"))?;
        if !(1900..=9999).contains(&year) {
            return Err(format!("月份 {s:?} 的年份无效 (bad year)"));
        }
        Month::new(year, month).ok_or_else(|| format!("月份 {s:?} 的月无效 (bad month)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_crosses_years() {
        let m: Month = "2024-01".parse().unwrap();
        assert_eq!(m.prev().to_string(), "2023-12");
        assert_eq!(m.year_ago().to_string(), "2023-01");
        assert_eq!(m.plus(13).to_string(), "2025-02");
        assert_eq!(
            "2024-02".parse::<Month>().unwrap().last_day().to_string(),
            "2024-02-29"
        );
        assert_eq!("2024年3月".parse::<Month>().unwrap().to_string(), "2024-03");
        assert_eq!("202403".parse::<Month>().unwrap().to_string(), "2024-03");
        assert!("2024-13".parse::<Month>().is_err());
    }
}
