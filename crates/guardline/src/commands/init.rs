//! `guardline init`: write the commented starter config, and beside it the JSON Schema its first line
//! (`#:schema ./guardline.schema.json`) points editors at, of this build, so it matches this parser.

use anyhow::bail;

use crate::args::InitArgs;
use crate::commands::files;

/// The schema's file name, as the starter config's `#:schema` line names it.
const SCHEMA_FILE: &str = "guardline.schema.json";

pub fn run(args: InitArgs) -> anyhow::Result<bool> {
    if args.path.exists() && !args.force {
        bail!("{} already exists; pass --force to overwrite it", args.path.display());
    }
    // The config holds no secrets (they are referenced, never written in it): readable like any config.
    files::write(&args.path, guardline_config::starter_config(), 0o644)?;
    // Guardline's own file name: replaced (a symlink there is replaced, never written through).
    let schema = args.path.with_file_name(SCHEMA_FILE);
    files::replace(&schema, 0o644, |out| out.write_all(guardline_config::schema::json().as_bytes()))?;
    crate::console::note!(
        "wrote {} and {}; edit the config, then run `guardline scan`",
        args.path.display(),
        schema.display()
    );
    Ok(true)
}
