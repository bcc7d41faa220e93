//! `kebiao check` (under construction in this commit).

use crate::cli::{CheckArgs, Cli};

pub fn run(_cli: &Cli, _args: &CheckArgs) -> anyhow::Result<u8> {
    anyhow::bail!("kebiao check: not built yet")
}
