//! `guardline collect`: write an account's inventory snapshot for later offline evaluation.

use crate::args::CollectArgs;
use crate::commands::{collect, config_path, load_config, write_file};

pub fn run(args: CollectArgs) -> anyhow::Result<bool> {
    let config = load_config(config_path(args.config.as_deref()).as_deref())?;
    let output = collect(&args.aws, &config)?;
    write_file(&args.output, &output.snapshot.to_json())?;
    let calls: u32 = output.calls.values().sum();
    crate::console::note!(
        "collected account {} in {} region(s) with {calls} API calls into {}",
        output.snapshot.account.id,
        output.snapshot.regions.len(),
        args.output.display()
    );
    Ok(true)
}
