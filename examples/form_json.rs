//! Print the validated, span-resolved JSON of one form definition: the `form` part of the
//! typst layout engine's `/data.json`. Used by scripts/forms-preview.py so previews see exactly
//! what the Rust renderer will send.
//!
//! `cargo run --example form_json -- templates/forms/credit_survey.yaml [more.yaml ...]`
//! prints one JSON object per line.

use kebiao::forms::FormSpec;

fn main() {
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
                continue;
            }
        };
        match FormSpec::from_yaml(&name, &text) {
            Ok(spec) => match serde_json::to_string(&spec) {
                Ok(j) => println!("{j}"),
                Err(e) => {
                    eprintln!("{path}: {e}");
                    failed = true;
                }
            },
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
