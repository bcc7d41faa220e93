//! kebiao: parse args → run → print the error chain → exit code (0 done, 1 done with data
//! problems, 2 could not run).

use clap::Parser;
use kebiao::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match kebiao::cmd::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("错误 (error): {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  原因 (caused by): {cause}");
            }
            ExitCode::from(2)
        }
    }
}
