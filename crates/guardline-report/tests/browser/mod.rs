//! Headless Chromium for the HTML reports' browser tests: the `chromium` binary (`GUARDLINE_CHROMIUM`, else
//! `/usr/bin/chromium`; `scripts/test` installs it), a scratch directory per test, `--dump-dom` runs, and
//! picking tags out of the dumped DOM.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> PathBuf {
    let path = std::env::var_os("GUARDLINE_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "headless Chromium is needed for the HTML report's browser test and was not found at {}: install it \
         (`apt-get install -y chromium`, as scripts/test does) or set GUARDLINE_CHROMIUM",
        path.display()
    );
    path
}

/// A scratch directory for one test, under the target directory, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs headless Chromium on `url` with `args`; returns its stdout.
pub fn run_chromium(dir: &Path, url: &str, args: &[&str]) -> String {
    let profile = dir.join(format!("profile-{}", args.join("").len()));
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("running chromium");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "chromium failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The opening tags of the elements whose opening tag contains `marker`.
pub fn tags<'a>(dom: &'a str, marker: &str) -> Vec<&'a str> {
    dom.match_indices(marker)
        .map(|(index, _)| {
            let start = dom[..index].rfind('<').expect("tag start");
            let end = index + dom[index..].find('>').expect("tag end");
            &dom[start..=end]
        })
        .collect()
}
