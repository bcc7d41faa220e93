//! kebiao (客表): a clerk's customer spreadsheets in, the month's report pack and the forms of
//! customer management out.
//!
//! ```text
//! files (xlsx xls xlsb ods csv) ──ingest──▶ RawTable ──model──▶ Parsed<T>{records, problems}
//!    ──stats──▶ Table (pure, typed, exact money) ──render──▶ Artifact{name, bytes} ──write──▶ output/
//!                                          │                 ├─ pdf  (embedded typst, templates/)
//!    templates/forms/*.yaml ──forms──▶ FormSpec ────────────┤  └─ xlsx (rust_xlsxwriter)
//! ```
//!
//! Every arrow is a plain function over owned data. Only `ingest` reads input files, only
//! `output` writes, only `render::pdf` knows typst, only `config` knows YAML.

pub mod cli;
pub mod cmd;
pub mod config;
pub mod error;
pub mod forms;
pub mod ingest;
pub mod model;
pub mod output;
pub mod par;
pub mod render;
pub mod report;
pub mod sample;
pub mod stats;
pub mod timing;
