//! Every statistics table kebiao computes, and the one place that runs the families for a month
//! (`kebiao report`, the pack).

use super::{
    complaints, credit, followup, grading, receivables, retention, sales, salespeople, Ctx, Table,
};

/// All tables of the month, every family, in reading order. Each family decides for itself what
/// a missing sheet means ("—, 缺少数据", never 0).
pub fn all(ctx: &Ctx) -> Vec<Table> {
    let mut out = vec![sales::sales_by_region(&ctx.entries, ctx.month)];
    out.extend(grading::tables(ctx));
    out.extend(retention::tables(ctx));
    out.extend(salespeople::tables(ctx));
    out.extend(receivables::tables(ctx));
    out.extend(credit::tables(ctx));
    out.extend(followup::tables(ctx));
    let grades = grading::grades(ctx);
    out.extend(complaints::tables(ctx, &grades));
    out
}

/// One table by id.
pub fn one(ctx: &Ctx, id: &str) -> Option<Table> {
    all(ctx).into_iter().find(|t| t.id == id)
}
