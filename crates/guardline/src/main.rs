//! The `guardline` command line: parses arguments, runs one command, and maps the result to an exit code
//! (0: every adopted control passes; 1: an adopted control at level fail fails; 2: Guardline itself failed).

mod args;
mod commands;
mod console;
mod lang;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// Exit code when an adopted control at level fail fails.
const EXIT_FINDINGS: u8 = 1;
/// Exit code when Guardline itself failed (bad input, no credentials, IO).
const EXIT_ERROR: u8 = 2;

/// mimalloc instead of the system allocator: a large account's scan makes millions of small allocations
/// (inventory strings, findings, messages), and mimalloc makes them much faster than glibc's malloc does
/// (see the README's benchmark). Built without transparent huge pages (`no_thp`): with them a small scan
/// held twice the memory, and large runs' times swung with the kernel's page compaction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { ExitCode::from(EXIT_ERROR) } else { ExitCode::SUCCESS };
        }
    };
    console::set_quiet(cli.quiet);
    init_tracing(cli.verbose);
    match run(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(EXIT_FINDINGS),
        Err(err) => {
            // A closed pipe (e.g. `guardline rule | head`) is not a failure.
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Runs a command; `Ok(false)` means "ran fine, and the account fails the guideline".
fn run(command: Command) -> anyhow::Result<bool> {
    match command {
        Command::Scan(args) => commands::scan::run(*args),
        Command::Collect(args) => commands::collect::run(args),
        Command::Rule(args) => commands::rule::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::IamPolicy(args) => commands::iam_policy::run(args),
        Command::History(args) => commands::history::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Exceptions(args) => commands::exceptions::run(args),
        Command::Cost(args) => commands::cost::run(args),
        Command::Fix(args) => commands::fix::run(args),
        Command::Schedule(args) => commands::schedule::run(args),
        Command::Watch(args) => commands::watch::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Org(args) => commands::org::run(args),
        Command::Completions(args) => commands::docs::completions(&args),
        Command::Man(args) => commands::docs::man(&args),
        Command::Schema => commands::docs::schema(),
    }
}

/// Diagnostics go to stderr, coloured only as [`console::stderr_color`] says; `GUARDLINE_LOG` (e.g. `debug`)
/// or `-v` turns them up (warnings, the default, stay with `--quiet`).
fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GUARDLINE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(console::stderr_color())
        .with_target(false)
        .init();
}
