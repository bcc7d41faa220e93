//! Every statistics table kebiao computes, and the one place that runs the families for a month
//! (`kebiao report`, the pack).

use super::{
    complaints, credit, expenses, followup, grading, receivables, retention, sales, salespeople,
    satisfaction, Ctx, Table,
};
use crate::par::{run_jobs, Job};
use crate::timing::timed;

type Family = (&'static str, fn(&Ctx) -> Vec<Table>);

/// The families in reading order. Each decides for itself what a missing sheet means
/// ("—, 缺少数据", never 0).
const FAMILIES: &[Family] = &[
    ("sales", |ctx| {
        vec![sales::sales_by_region(&ctx.entries, ctx.month)]
    }),
    ("grading", grading::tables),
    ("retention", retention::tables),
    ("satisfaction", satisfaction::tables),
    ("salespeople", salespeople::tables),
    ("expenses", expenses::tables),
    ("receivables", receivables::tables),
    ("credit", credit::tables),
    ("followup", followup::tables),
    ("complaints", |ctx| {
        complaints::tables(ctx, &grading::grades(ctx))
    }),
];

/// The families by the time they take at 100k–1M lines, longest first: [`all_and`] starts them
/// in this order so that two threads finish close together.
const LONGEST_FIRST: &[&str] = &[
    "salespeople",
    "grading",
    "retention",
    "receivables",
    "credit",
    "expenses",
    "followup",
    "complaints",
    "satisfaction",
    "sales",
];

/// All tables of the month, every family, in reading order.
pub fn all(ctx: &Ctx) -> Vec<Table> {
    all_and::<()>(ctx, Vec::new()).0
}

/// [`all`], with more jobs of the caller's (the pack's 摘要 KPIs) run in the same threads, after
/// the two longest families. The families run side by side ([`run_jobs`]); the tables come
/// back in reading order whatever thread made them.
pub fn all_and<'s, T: Send + 's>(ctx: &'s Ctx, extra: Vec<Job<'s, T>>) -> (Vec<Table>, Vec<T>) {
    enum Out<T> {
        Family(usize, Vec<Table>),
        Extra(T),
        Warm,
    }
    let family = |name: &str| -> Job<'s, Out<T>> {
        let i = FAMILIES.iter().position(|(n, _)| *n == name).unwrap_or(0);
        let (label, f) = FAMILIES[i];
        Box::new(move || Out::Family(i, timed(&format!("  family {label}"), || f(ctx))))
    };
    // The shared results most families start from come first, one per thread: built side by side
    // instead of one family building each while the other thread's family waits for it (the
    // customer numbers, then the cost entries and the ledgers, which start from the numbers).
    let mut jobs: Vec<Job<'s, Out<T>>> = vec![
        Box::new(move || {
            timed("  warm keys", || ctx.keys());
            Out::Warm
        }),
        Box::new(move || {
            timed("  warm costs", || ctx.costs());
            Out::Warm
        }),
        Box::new(move || {
            timed("  warm ledgers", || ctx.ledgers());
            Out::Warm
        }),
    ];
    jobs.extend(LONGEST_FIRST[..2].iter().map(|n| family(n)));
    jobs.extend(
        extra
            .into_iter()
            .map(|j| -> Job<'s, Out<T>> { Box::new(move || Out::Extra(j())) }),
    );
    jobs.extend(LONGEST_FIRST[2..].iter().map(|n| family(n)));
    let mut tables: Vec<(usize, Vec<Table>)> = Vec::new();
    let mut extras = Vec::new();
    for out in run_jobs(jobs) {
        match out {
            Out::Family(i, t) => tables.push((i, t)),
            Out::Extra(x) => extras.push(x),
            Out::Warm => {}
        }
    }
    tables.sort_by_key(|(i, _)| *i);
    (tables.into_iter().flat_map(|(_, t)| t).collect(), extras)
}

/// One table by id, running the families only until the one that makes it (a clerk asking for
/// 各区域实销额 should not wait for the credit scoring).
pub fn one(ctx: &Ctx, id: &str) -> Option<Table> {
    FAMILIES
        .iter()
        .find_map(|(_, f)| f(ctx).into_iter().find(|t| t.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_started_exactly_once() {
        let mut started: Vec<&str> = LONGEST_FIRST.to_vec();
        let mut families: Vec<&str> = FAMILIES.iter().map(|(n, _)| *n).collect();
        started.sort();
        families.sort();
        assert_eq!(started, families);
    }
}
