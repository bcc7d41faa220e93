//! Opening a workbook from bytes, as `kebiao check` does: sniff, open (xlsx/xlsb/ods/xls/HTML/
//! SpreadsheetML/CSV), find tables and headers, type the rows. Never a panic in kebiao's own
//! code, and every row is accounted for (accepted + rejected == data rows).
//!
//! The third-party readers run under catch_unwind in production (src/ingest/mod.rs), so a panic
//! inside calamine is caught here too and counted, not reported as a crash; set
//! KEBIAO_FUZZ_STRICT=1 to let those abort as well and find them.
#![no_main]

use kebiao::config::Config;
use kebiao::ingest::{open, table, Ingested};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn strict() -> bool {
    static S: OnceLock<bool> = OnceLock::new();
    *S.get_or_init(|| std::env::var_os("KEBIAO_FUZZ_STRICT").is_some())
}

fuzz_target!(|data: &[u8]| {
    // The name's extension does not matter: the bytes decide (open::sniff).
    let path = Path::new("fuzz.xlsx");
    let book = if strict() {
        open::read_book(path, data)
    } else {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = std::panic::catch_unwind(|| open::read_book(path, data));
        std::panic::set_hook(hook);
        match r {
            Ok(b) => b,
            Err(_) => return,
        }
    };
    let Ok(book) = book else { return };
    let mut found = table::Found::default();
    for mut sheet in book.sheets {
        table::find_tables("fuzz.xlsx", &mut sheet, None, &mut found);
    }
    let ds = kebiao::model::load::build(
        Ingested {
            tables: found.tables,
            reports: found.reports,
            problems: found.problems,
        },
        &Config::default(),
    );
    for c in &ds.counts {
        assert_eq!(c.accepted + c.rejected, c.data_rows, "{c:?}");
    }
});
