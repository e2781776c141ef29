//! `guardline init`: write the commented starter config.

use anyhow::bail;

use crate::args::InitArgs;
use crate::commands::files;

pub fn run(args: InitArgs) -> anyhow::Result<bool> {
    if args.path.exists() && !args.force {
        bail!("{} already exists; pass --force to overwrite it", args.path.display());
    }
    // The config holds no secrets (they are referenced, never written in it): readable like any config.
    files::write(&args.path, guardline_config::starter_config(), 0o644)?;
    eprintln!("wrote {}; edit it, then run `guardline scan`", args.path.display());
    Ok(true)
}
