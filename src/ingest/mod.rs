//! Reading clerks' workbooks: sniff bytes, open, find tables and headers, normalise cells.
