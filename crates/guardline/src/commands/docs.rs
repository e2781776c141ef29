//! `guardline completions`, `guardline man` and `guardline schema`: the shell completion scripts and man pages
//! generated from the clap definitions in [`crate::args`], and guardline.toml's JSON Schema generated from the
//! config crate's serde structs ([`guardline_config::schema`]).

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use clap::CommandFactory as _;

use crate::args::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for `args.shell`.
pub fn completions(args: &CompletionsArgs) -> anyhow::Result<bool> {
    // Rendered into memory first: clap_complete panics on a failed write, and a closed pipe is no failure.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "guardline", &mut script);
    print(&script)?;
    Ok(true)
}

/// Prints the top-level man page, or writes every command's page into `--out-dir`.
pub fn man(args: &ManArgs) -> anyhow::Result<bool> {
    match &args.out_dir {
        Some(dir) => write_pages(dir)?,
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page).context("rendering the man page")?;
            print(&page)?;
        }
    }
    Ok(true)
}

/// `guardline.1`, `guardline-scan.1`, `guardline-schedule-apply.1`, ... in `dir` (created if missing).
fn write_pages(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("writing the man pages into {}", dir.display()))?;
    crate::console::note!("wrote the man pages into {}", dir.display());
    Ok(())
}

/// Prints guardline.toml's JSON Schema.
pub fn schema() -> anyhow::Result<bool> {
    print(guardline_config::schema::json().as_bytes())?;
    Ok(true)
}

fn print(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).context("writing to stdout")
}
