//! The baseline for `kebiao check`'s speed target: calamine alone loading every sheet of the given
//! workbooks into ranges, nothing else (scripts/bench compares the two).

use calamine::{open_workbook_auto, Reader};

fn main() {
    let mut cells = 0usize;
    for path in std::env::args().skip(1) {
        let mut wb = open_workbook_auto(&path).expect("readable workbook");
        for name in wb.sheet_names() {
            if let Ok(r) = wb.worksheet_range(&name) {
                cells += r.get_size().0 * r.get_size().1;
            }
        }
    }
    println!("{cells} cells");
}
