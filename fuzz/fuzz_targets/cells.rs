//! The cell parsers of src/ingest/normalise.rs on arbitrary cells: never a panic, and what a
//! parser accepts is consistent (a decimal read from text reads back the same from its own
//! display; a date read is a real date; an integer is a whole decimal).
#![no_main]

use kebiao::ingest::normalise::{self, Ctx, DateOrder};
use kebiao::ingest::Cell;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

/// First byte picks the kind of cell; the rest is its content.
fn cell(data: &[u8]) -> Option<Cell> {
    let (&tag, rest) = data.split_first()?;
    let f = |b: &[u8]| {
        let mut a = [0u8; 8];
        for (i, x) in b.iter().take(8).enumerate() {
            a[i] = *x;
        }
        a
    };
    Some(match tag % 8 {
        0 | 1 | 2 | 3 => Cell::Text(String::from_utf8_lossy(rest).into_owned()),
        4 => Cell::Float(f64::from_le_bytes(f(rest))),
        5 => Cell::Int(i64::from_le_bytes(f(rest))),
        6 => Cell::Duration(f64::from_le_bytes(f(rest))),
        _ => Cell::Bool(rest.first().is_some_and(|b| b & 1 == 1)),
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(c) = cell(data) else { return };
    for order in [DateOrder::YearFirst, DateOrder::MonthFirst, DateOrder::DayFirst] {
        for is_1904 in [false, true] {
            let ctx = Ctx {
                is_1904,
                date_order: order,
            };
            if let Ok(Some(d)) = normalise::date(&c, ctx) {
                // A date the clerk could have meant: chrono's range is far wider than any record.
                let _ = d.to_string();
            }
            let _ = normalise::datetime(&c, ctx);
            let _ = normalise::month(&c, ctx);
            let _ = normalise::period(&c, ctx);
        }
    }
    if let Ok(Some(d)) = normalise::money(&c) {
        // The parsed amount, written out plainly, parses back to itself.
        let again = normalise::parse_decimal_text(&d.to_string());
        assert_eq!(again.ok(), Some(d), "money {c:?} -> {d}");
        assert_eq!(normalise::qty(&c).ok(), Some(Some(d)));
    }
    if let Ok(Some(i)) = normalise::int(&c) {
        if let Ok(Some(d)) = normalise::decimal(&c) {
            assert_eq!(Decimal::from(i), d, "int {c:?}");
        }
    }
    let _ = normalise::boolean(&c);
    let _ = normalise::id(&c);
    let _ = normalise::text(&c);
    if let Cell::Text(s) = &c {
        let _ = kebiao::ingest::header::normalise_header(s);
        let _ = kebiao::ingest::header::name_key(s);
        let _ = normalise::nfkc(s);
    }
});
