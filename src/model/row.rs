//! Reading one [`RawRow`] into typed values. Every value that cannot be read becomes a
//! [`Problem`] naming its cell: a required field rejects the row, an optional one is left blank
//! (coerced). Nothing is dropped or changed silently.

use crate::error::{clip, Location, Msg, Problem, Severity};
use crate::ingest::header::Unit;
use crate::ingest::normalise::{self, Bad, EnumValue};
use crate::ingest::schema::{fields, FieldDef, Ty};
use crate::ingest::table::a1;
use crate::ingest::{Cell, RawRow, RawTable};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::Origin;

/// A field's definition and its position in the table's columns (`None`: no such column).
type Resolved = Option<(&'static FieldDef, Option<usize>)>;

/// The field lookups of one table's rows. The typing code asks for the same literal keys in
/// the same order on every row, so each key is resolved to its field and column once per table
/// and the next row's lookups are answered by comparing the key's address with the one expected
/// next (keys are `&'static str`: an address can never come to hold another key).
pub struct FieldMemo {
    table: crate::ingest::TableId,
    field_col: Vec<Option<usize>>,
    /// (key address, key length, what it resolves to) in the order first asked.
    seen: std::cell::RefCell<Vec<(usize, usize, Resolved)>>,
    next: std::cell::Cell<usize>,
}

impl FieldMemo {
    pub fn new(t: &RawTable) -> FieldMemo {
        FieldMemo {
            table: t.table,
            field_col: t.field_col.clone(),
            seen: std::cell::RefCell::new(Vec::new()),
            next: std::cell::Cell::new(0),
        }
    }

    /// The field `key` of the table and its column, as `schema::field_index` finds it.
    #[inline]
    fn get(&self, key: &'static str) -> Resolved {
        let id = (key.as_ptr() as usize, key.len());
        let n = self.next.get();
        let seen = self.seen.borrow();
        if let Some(&(a, l, r)) = seen.get(n) {
            if (a, l) == id {
                self.next.set(n + 1);
                return r;
            }
        }
        // The same key again (`money` asks for the unit, then the value).
        if let Some(&(a, l, r)) = n.checked_sub(1).and_then(|p| seen.get(p)) {
            if (a, l) == id {
                return r;
            }
        }
        drop(seen);
        self.get_slow(key)
    }

    #[cold]
    fn get_slow(&self, key: &'static str) -> Resolved {
        let id = (key.as_ptr() as usize, key.len());
        let mut seen = self.seen.borrow_mut();
        if let Some(i) = seen.iter().position(|&(a, l, _)| (a, l) == id) {
            self.next.set(i + 1);
            return seen[i].2;
        }
        let r = crate::ingest::schema::field_index(self.table, key).map(|fi| {
            (
                &fields(self.table)[fi],
                self.field_col.get(fi).copied().flatten(),
            )
        });
        seen.push((id.0, id.1, r));
        self.next.set(seen.len());
        r
    }
}

pub struct Row<'a> {
    pub t: &'a RawTable,
    pub r: &'a RawRow,
    pub probs: &'a mut Vec<Problem>,
    /// Set when any required value is missing or unreadable.
    pub reject: bool,
    /// Keys that already produced a problem (so "missing" is not reported twice).
    failed: Vec<&'static str>,
    memo: &'a FieldMemo,
}

impl<'a> Row<'a> {
    /// `memo` must be a memo of `t.table` (one per table, shared by its rows).
    pub fn new(
        t: &'a RawTable,
        r: &'a RawRow,
        probs: &'a mut Vec<Problem>,
        memo: &'a FieldMemo,
    ) -> Self {
        debug_assert!(memo.table == t.table && memo.field_col == t.field_col);
        Row {
            t,
            r,
            probs,
            reject: false,
            failed: Vec::new(),
            memo,
        }
    }

    pub fn origin(&self) -> Origin {
        Origin {
            file: self.t.file.clone(),
            sheet: self.t.sheet.clone(),
            row: self.r.row,
        }
    }

    #[inline]
    fn def(&self, key: &'static str) -> Resolved {
        self.memo.get(key)
    }

    /// 0-based sheet column of a field (the row's first mapped column when absent).
    pub fn col_of(&self, key: &'static str) -> u32 {
        self.def(key)
            .and_then(|(_, ci)| ci)
            .map(|ci| self.t.columns[ci].col)
            .or_else(|| self.t.columns.first().map(|c| c.col))
            .unwrap_or(0)
    }

    /// A1 reference of a field's cell in this row (the row's first mapped cell when the column
    /// is absent).
    pub fn cell_ref(&self, key: &'static str) -> String {
        let col = self
            .def(key)
            .and_then(|(_, ci)| ci)
            .map(|ci| self.t.columns[ci].col)
            .or_else(|| self.t.columns.first().map(|c| c.col))
            .unwrap_or(0);
        a1(col, self.r.row)
    }

    pub fn raw_of(&self, key: &'static str) -> String {
        self.cell(key).map(|c| c.raw()).unwrap_or_default()
    }

    pub fn cell(&self, key: &'static str) -> Option<&'a Cell> {
        let (_, ci) = self.def(key)?;
        ci.map(|ci| &self.r.cells[ci])
    }

    pub fn failed_on(&self, key: &'static str) -> bool {
        self.failed.contains(&key)
    }

    pub fn has_column(&self, key: &'static str) -> bool {
        self.def(key).is_some_and(|(_, ci)| ci.is_some())
    }

    fn unit(&self, key: &'static str) -> Option<Unit> {
        let (_, ci) = self.def(key)?;
        ci.and_then(|ci| self.t.columns[ci].unit)
    }

    /// Record a problem about `key` in this row.
    pub fn problem(&mut self, key: &'static str, severity: Severity, problem: Msg, action: Msg) {
        let loc = Location::new(&self.t.file, &self.t.sheet, self.cell_ref(key));
        let raw = clip(&self.raw_of(key));
        if severity == Severity::Rejected {
            self.reject = true;
        }
        self.probs.push(Problem {
            location: loc,
            table: self.t.table.zh().to_string(),
            raw,
            problem,
            action,
            severity,
        });
    }

    /// Reject the row because of `key`.
    pub fn reject_for(&mut self, key: &'static str, problem: Msg) {
        self.problem(
            key,
            Severity::Rejected,
            problem,
            Msg::new("整行未计入", "row left out"),
        );
    }

    fn bad(&mut self, key: &'static str, def: &FieldDef, b: Bad) {
        self.failed.push(key);
        let problem = Msg::new(
            format!("{}: {}", def.header, b.0.zh),
            format!("{}: {}", def.key, b.0.en),
        );
        // A damaged customer id cannot be linked to anything: the row is left out too.
        if def.req || key == "customer_id" {
            self.reject_for(key, problem);
        } else {
            self.problem(
                key,
                Severity::Coerced,
                problem,
                Msg::new("已留空", "left blank"),
            );
        }
    }

    fn read<T>(
        &mut self,
        key: &'static str,
        f: impl FnOnce(&Cell, normalise::Ctx) -> Result<Option<T>, Bad>,
    ) -> Option<T> {
        let (def, ci) = self.def(key)?;
        let ci = ci?;
        let cell = &self.r.cells[ci];
        match f(cell, self.t.ctx) {
            Ok(v) => v,
            Err(b) => {
                self.bad(key, def, b);
                None
            }
        }
    }

    /// Required: a missing value rejects the row (once per field).
    pub fn require<T>(&mut self, key: &'static str, v: Option<T>) -> Option<T> {
        if v.is_none() && !self.failed.contains(&key) {
            self.failed.push(key);
            let header = self.def(key).map(|(d, _)| d.header).unwrap_or(key);
            let (zh, en) = if self.has_column(key) {
                (
                    format!("缺少必填项“{header}”"),
                    format!("required value {key} is empty"),
                )
            } else {
                (
                    format!("缺少必填列“{header}”"),
                    format!("required column {key} is missing"),
                )
            };
            self.reject_for(key, Msg::new(zh, en));
        }
        v
    }

    pub fn text(&mut self, key: &'static str) -> Option<String> {
        self.read(key, |c, _| normalise::text(c))
    }

    pub fn id(&mut self, key: &'static str) -> Option<String> {
        self.read(key, |c, _| normalise::id(c))
    }

    pub fn date(&mut self, key: &'static str) -> Option<NaiveDate> {
        self.read(key, normalise::date)
    }

    pub fn datetime(&mut self, key: &'static str) -> Option<NaiveDateTime> {
        self.read(key, normalise::datetime)
    }

    pub fn period(&mut self, key: &'static str) -> Option<String> {
        self.read(key, normalise::period)
    }

    /// Money, with a (万元) header unit applied.
    pub fn money(&mut self, key: &'static str) -> Option<Decimal> {
        let wan = self.unit(key) == Some(Unit::WanYuan);
        self.read(key, |c, _| {
            let v = normalise::money(c)?;
            match v {
                // Checked: a 29-digit amount under a (万元) header must not overflow.
                Some(v) if wan => v
                    .checked_mul(Decimal::from(10_000))
                    .map(Some)
                    .ok_or_else(|| Bad(Msg::new("金额过大", "amount too large"))),
                other => Ok(other),
            }
        })
    }

    pub fn qty(&mut self, key: &'static str) -> Option<Decimal> {
        self.read(key, |c, _| normalise::qty(c))
    }

    pub fn int(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, |c, _| normalise::int(c))
    }

    pub fn boolean(&mut self, key: &'static str) -> Option<bool> {
        self.read(key, |c, _| normalise::boolean(c))
    }

    /// An option-list value; an unmatched value becomes the list's fallback (其他) with a
    /// coerced problem.
    pub fn enumv(&mut self, key: &'static str) -> Option<String> {
        let (def, _) = self.def(key)?;
        let Ty::Enum(ed) = def.ty else {
            return self.text(key);
        };
        match self.read(key, |c, _| normalise::enumv(c, ed))? {
            EnumValue::Matched(v) => Some(v.to_string()),
            EnumValue::Fallback(v, raw) => {
                let allowed = ed.values.join("/");
                self.problem(
                    key,
                    Severity::Coerced,
                    Msg::new(
                        format!("{}“{raw}”不在选项中 ({allowed})", def.header),
                        format!("{} “{raw}” is not one of {allowed}", def.key),
                    ),
                    Msg::new(format!("记为“{v}”"), format!("recorded as “{v}”")),
                );
                Some(v.to_string())
            }
        }
    }

    /// Seconds (T15 通话时长): a number, `mm:ss`, `h:mm:ss`, or an Excel time.
    pub fn seconds(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, |c, _| normalise::seconds(c))
    }

    /// A T12 survey answer: 1–5, or 非常满意 5 / 满意 4 / 一般 3 / 不满意 2 / 非常不满意 1
    /// (§3.1 T12; note 满意 is 4 here, where T09's three-word scale makes it 5).
    pub fn survey5(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, |c, _| {
            if let Cell::Text(s) = c {
                let w = match s.trim() {
                    "非常满意" | "很满意" => Some(5),
                    "满意" | "比较满意" => Some(4),
                    "一般" | "基本满意" => Some(3),
                    "不满意" | "不太满意" => Some(2),
                    "非常不满意" | "很不满意" => Some(1),
                    _ => None,
                };
                if w.is_some() {
                    return Ok(w);
                }
            }
            one_to_five(c, ("评分", "score"))
        })
    }

    /// 1–5 score, or 满意 5 / 基本满意 3 / 不满意 1 (T09 客户满意度).
    pub fn score5(&mut self, key: &'static str) -> Option<i64> {
        self.read(key, |c, _| {
            if let Cell::Text(s) = c {
                let t = s.trim();
                let w = match t {
                    "非常满意" | "很满意" => Some(5),
                    "满意" => Some(5),
                    "比较满意" => Some(4),
                    "基本满意" | "一般" => Some(3),
                    "不太满意" => Some(2),
                    "不满意" | "非常不满意" | "很不满意" => Some(1),
                    _ => None,
                };
                if w.is_some() {
                    return Ok(w);
                }
            }
            one_to_five(c, ("满意度", "satisfaction"))
        })
    }
}

/// A 1–5 score typed as a number; out of range is a problem naming what was scored.
fn one_to_five(c: &Cell, (zh, en): (&str, &str)) -> Result<Option<i64>, Bad> {
    match normalise::int(c)? {
        Some(v) if (1..=5).contains(&v) => Ok(Some(v)),
        Some(v) => Err(Bad(Msg::new(
            format!("{zh} {v} 不在 1–5 之间"),
            format!("{en} {v} is not between 1 and 5"),
        ))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::schema::field_index;
    use crate::ingest::TableId;

    /// The memo answers every lookup as `field_index` + the table's column map, whatever the
    /// order: in the same order each row, a key asked twice, out of order, or unknown.
    #[test]
    fn memo_answers_as_field_index() {
        let fs = fields(TableId::Sales);
        let field_col: Vec<Option<usize>> = (0..fs.len())
            .map(|i| (i % 3 != 0).then_some(i / 2))
            .collect();
        let t = RawTable {
            file: "f.xlsx".into(),
            sheet: "s".into(),
            table: TableId::Sales,
            header_row: 1,
            columns: Vec::new(),
            field_col: field_col.clone(),
            rows: Vec::new(),
            ctx: Default::default(),
            shared_sheet: false,
        };
        let memo = FieldMemo::new(&t);
        let k: Vec<&'static str> = fs.iter().map(|f| f.key).collect();
        let order = [
            k[0],
            k[1],
            k[1],
            k[2],
            k[0],
            "no_such_key",
            k[3],
            k[1],
            k[5],
            k[4],
        ];
        for round in 0..4 {
            // The last round asks in another order.
            let keys: Vec<&'static str> = if round < 3 {
                order.to_vec()
            } else {
                order.iter().rev().copied().collect()
            };
            for key in keys {
                let want = field_index(TableId::Sales, key).map(|fi| (fs[fi].key, field_col[fi]));
                let got = memo.get(key).map(|(d, c)| (d.key, c));
                assert_eq!(got, want, "{key} in round {round}");
            }
        }
    }
}
