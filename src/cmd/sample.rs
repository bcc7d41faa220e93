//! `kebiao sample` (under construction in this commit).

use crate::cli::{Cli, SampleArgs};

pub fn run(_cli: &Cli, _args: &SampleArgs) -> anyhow::Result<u8> {
    anyhow::bail!("kebiao sample: not built yet")
}
