//! Every statistics table kebiao computes, and the one place that runs the families for a month
//! (`kebiao report`, the pack).

use super::{
    complaints, credit, expenses, followup, grading, receivables, retention, sales, salespeople,
    satisfaction, Ctx, Table,
};

type Family = fn(&Ctx) -> Vec<Table>;

/// The families in reading order. Each decides for itself what a missing sheet means
/// ("—, 缺少数据", never 0).
const FAMILIES: &[Family] = &[
    |ctx| vec![sales::sales_by_region(&ctx.entries, ctx.month)],
    grading::tables,
    retention::tables,
    satisfaction::tables,
    salespeople::tables,
    expenses::tables,
    receivables::tables,
    credit::tables,
    followup::tables,
    |ctx| complaints::tables(ctx, &grading::grades(ctx)),
];

/// All tables of the month, every family, in reading order.
pub fn all(ctx: &Ctx) -> Vec<Table> {
    FAMILIES.iter().flat_map(|f| f(ctx)).collect()
}

/// One table by id, running the families only until the one that makes it (a clerk asking for
/// 各区域实销额 should not wait for the credit scoring).
pub fn one(ctx: &Ctx, id: &str) -> Option<Table> {
    FAMILIES
        .iter()
        .find_map(|f| f(ctx).into_iter().find(|t| t.id == id))
}
