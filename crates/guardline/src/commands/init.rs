//! `guardline init`: write the commented starter config.

use anyhow::bail;

use crate::args::InitArgs;
use crate::commands::write_file;

pub fn run(args: InitArgs) -> anyhow::Result<bool> {
    if args.path.exists() && !args.force {
        bail!("{} already exists; pass --force to overwrite it", args.path.display());
    }
    write_file(&args.path, guardline_config::starter_config())?;
    eprintln!("wrote {}; edit it, then run `guardline scan`", args.path.display());
    Ok(true)
}
