//! `kebiao templates export DIR`: the built-in form definitions and typst files, written out as
//! the starting point of a company's own templates (`--templates DIR` then reads them back).

use crate::cli::{Cli, TemplatesCommand};
use crate::output::{self, Artifact};

pub fn run(_cli: &Cli, cmd: &TemplatesCommand) -> anyhow::Result<u8> {
    let TemplatesCommand::Export { dir } = cmd;
    let mut arts: Vec<Artifact> = crate::render::pdf::embedded_templates()
        .iter()
        .map(|(name, text)| Artifact {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    arts.extend(
        crate::forms::builtin_files()
            .iter()
            .map(|(name, text)| Artifact {
                name: format!("forms/{name}").into(),
                bytes: text.as_bytes().to_vec(),
            }),
    );
    let n = arts.len();
    output::write_all(dir, &arts)?;
    eprintln!("已导出 {n} 个模板文件到 {} (exported)", dir.display());
    Ok(0)
}
