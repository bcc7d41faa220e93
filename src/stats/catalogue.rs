//! Every statistics table kebiao computes, and the one place that runs the families for a month
//! (`kebiao report`, the pack).

use super::{
    complaints, credit, expenses, followup, grading, receivables, retention, sales, salespeople,
    satisfaction, Ctx, Table,
};
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

/// All tables of the month, every family, in reading order.
pub fn all(ctx: &Ctx) -> Vec<Table> {
    FAMILIES
        .iter()
        .flat_map(|(name, f)| timed(&format!("  family {name}"), || f(ctx)))
        .collect()
}

/// One table by id, running the families only until the one that makes it (a clerk asking for
/// 各区域实销额 should not wait for the credit scoring).
pub fn one(ctx: &Ctx, id: &str) -> Option<Table> {
    FAMILIES
        .iter()
        .find_map(|(_, f)| f(ctx).into_iter().find(|t| t.id == id))
}
