//! Renderers: typed tables and forms in, bytes out. Only `pdf` knows typst.

pub mod book_zip;
pub mod chart;
pub mod data_sheet;
pub mod form;
pub mod format;
pub mod pack;
pub mod pdf;
pub mod xlsx;
