//! `kebiao pack` (under construction in this commit).

use crate::cli::{Cli, PackArgs};

pub fn run(_cli: &Cli, _args: &PackArgs) -> anyhow::Result<u8> {
    anyhow::bail!("kebiao pack: not built yet")
}
