//! One file per subcommand. Each returns the exit code: 0 done, 1 done but with data problems.

pub mod check;
pub mod forms;
pub mod pack;
pub mod report;
pub mod sample;
pub mod templates;

use crate::cli::{Cli, Command};

pub fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Sample(args) => sample::run(cli, args),
        Command::Pack(args) => pack::run(cli, args),
        Command::Check(args) => check::run(cli, args),
        Command::Report(args) => report::run(cli, args),
        Command::Forms(c) => forms::run(cli, c),
        Command::Templates(c) => templates::run(cli, c),
    }
}
