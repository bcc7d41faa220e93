//! Placeholder until the ingest branch is merged (replaced there).
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::Dataset;
use std::path::{Path, PathBuf};

pub fn load(_inputs: &[PathBuf], _map: Option<&Path>, _cfg: &Config) -> Result<Dataset> {
    Err(Error::NoData("ingest not merged yet".into()))
}
