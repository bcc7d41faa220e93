//! Every statistics table kebiao can show on its own (`kebiao report --list`), and the one place
//! that runs the families for a month.

use super::{sales, Ctx, Table};
use crate::error::Msg;

/// id, 中文名, English name.
pub const TABLES: &[(&str, &str, &str)] =
    &[("sales-by-region", "各区域实销额", "Net sales by region")];

/// All tables of the month, in catalogue order.
pub fn all(ctx: &Ctx) -> Vec<Table> {
    let mut out = vec![sales::sales_by_region(&ctx.entries, ctx.month)];
    out.retain(|t| TABLES.iter().any(|(id, ..)| *id == t.id));
    out
}

/// One table by id, computing only the family it belongs to where that is cheaper.
pub fn one(ctx: &Ctx, id: &str) -> Option<Table> {
    all(ctx).into_iter().find(|t| t.id == id)
}

pub fn title(id: &str) -> Option<Msg> {
    TABLES
        .iter()
        .find(|(i, ..)| *i == id)
        .map(|(_, zh, en)| Msg::new(*zh, *en))
}
