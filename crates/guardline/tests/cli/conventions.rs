//! The command line's conventions: `--help` names the exit codes and the colour variables; log lines and the
//! terminal report are coloured only as NO_COLOR, CLICOLOR_FORCE and a terminal say; `--quiet`; the shell
//! completions, man pages and config schema generated from the definitions.

use std::process::Command;

use crate::support::{guardline, guardline_in};

const ESC: &str = "\x1b[";

#[test]
fn help_names_the_exit_codes_and_the_environment() {
    for flag in ["--help", "-h"] {
        let run = guardline(&[flag]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        for needle in [
            "Exit codes:",
            "  0  success",
            "  1  scan, merge: an adopted control at level fail fails",
            "watch --once",
            "  2  Guardline itself failed",
            "NO_COLOR",
            "CLICOLOR_FORCE",
            "GUARDLINE_LOG",
            "-q, --quiet",
        ] {
            assert!(run.stdout.contains(needle), "{flag} lacks {needle:?}:\n{}", run.stdout);
        }
    }
    // What the help says about 2 and 1 is what the binary does.
    assert_eq!(guardline(&["scan", "--no-such-flag"]).code, 2);
    assert_eq!(guardline(&["scan", "--demo"]).code, 1, "the demo account fails the guideline");
}

/// Runs `scan --demo -vv` (debug log lines on stderr, the terminal report on stdout) with `env`.
fn demo_scan(env: &[(&str, &str)]) -> crate::support::Run {
    let dir = tempfile::tempdir().unwrap();
    let env: Vec<(&str, String)> = env.iter().map(|(key, value)| (*key, (*value).to_owned())).collect();
    let run = guardline_in(dir.path(), &["scan", "--demo", "-vv"], &env);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("evaluated"), "a debug line is logged: {}", run.stderr);
    run
}

#[test]
fn log_lines_and_the_report_have_no_colour_off_a_terminal() {
    // In tests neither stdout nor stderr is a terminal.
    let plain = demo_scan(&[]);
    assert!(!plain.stderr.contains(ESC), "log lines are coloured on a pipe: {:?}", plain.stderr);
    assert!(!plain.stdout.contains(ESC), "the report is coloured on a pipe");
    let forced_off = demo_scan(&[("CLICOLOR_FORCE", "0")]);
    assert!(
        !forced_off.stderr.contains(ESC) && !forced_off.stdout.contains(ESC),
        "CLICOLOR_FORCE=0 forces nothing"
    );
}

#[test]
fn clicolor_force_colours_without_a_terminal_and_no_color_wins() {
    let forced = demo_scan(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains(ESC), "CLICOLOR_FORCE=1 colours the report");
    assert!(forced.stderr.contains(ESC), "CLICOLOR_FORCE=1 colours the log lines");
    let both = demo_scan(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!both.stdout.contains(ESC) && !both.stderr.contains(ESC), "NO_COLOR wins over CLICOLOR_FORCE");
    // --color overrides the variables.
    let dir = tempfile::tempdir().unwrap();
    let never =
        guardline_in(dir.path(), &["scan", "--demo", "--color", "never"], &[("CLICOLOR_FORCE", "1".into())]);
    assert!(!never.stdout.contains(ESC));
    let always =
        guardline_in(dir.path(), &["scan", "--demo", "--color", "always"], &[("NO_COLOR", "1".into())]);
    assert!(always.stdout.contains(ESC));
    // A report file is not stdout: no colour unless --color always.
    let file =
        guardline_in(dir.path(), &["scan", "--demo", "-o", "report.txt"], &[("CLICOLOR_FORCE", "1".into())]);
    assert_eq!(file.code, 1, "{}", file.stderr);
    assert!(!std::fs::read_to_string(dir.path().join("report.txt")).unwrap().contains(ESC));
}

#[test]
fn quiet_drops_informational_lines_but_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let loud = guardline_in(dir.path(), &["init", "loud.toml"], &[]);
    assert!(loud.stderr.contains("wrote loud.toml"), "{}", loud.stderr);
    let quiet = guardline_in(dir.path(), &["init", "--quiet", "quiet.toml"], &[]);
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "", "--quiet prints nothing informational");
    assert!(dir.path().join("quiet.toml").exists());
    let error = guardline_in(dir.path(), &["-q", "init", "quiet.toml"], &[]);
    assert_eq!(error.code, 2);
    assert!(error.stderr.contains("already exists"), "errors remain: {}", error.stderr);
    let both = guardline(&["-q", "-v", "rule"]);
    assert_eq!(both.code, 2);
    assert!(both.stderr.contains("cannot be used with"), "{}", both.stderr);
}

#[test]
fn bash_completions_name_the_subcommands_and_parse() {
    let run = guardline(&["completions", "bash"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for word in ["scan", "fix", "schedule", "completions", "--quiet", "--format"] {
        assert!(run.stdout.contains(word), "{word} missing from the bash completions");
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("guardline.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&script).output().expect("bash runs");
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let run = guardline(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("guardline") && run.stdout.contains("scan"), "{shell}");
    }
    assert_eq!(guardline(&["completions", "tcsh"]).code, 2);
}

#[test]
fn man_pages_render_with_the_exit_codes() {
    let run = guardline(&["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(".TH guardline 1"), "{}", run.stdout);
    assert!(run.stdout.contains("Exit codes:"), "the page carries the help's closing section");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("guardline.1");
    std::fs::write(&page, &run.stdout).unwrap();
    // groff (man's formatter) reads the page without warnings.
    // `-P-cbou`: plain text, without the overstrike bold and underline.
    let groff = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-P-cbou"]).arg(&page).output();
    match groff {
        Ok(output) => {
            assert!(output.status.success(), "groff: {}", String::from_utf8_lossy(&output.stderr));
            assert_eq!(String::from_utf8_lossy(&output.stderr), "", "groff warns");
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(text.contains("SUBCOMMANDS") && text.contains("completions"), "{text}");
        }
        Err(error) => assert!(error.kind() == std::io::ErrorKind::NotFound, "groff: {error}"),
    }
    let out = dir.path().join("man");
    let pages = guardline(&["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(pages.code, 0, "{}", pages.stderr);
    for name in
        ["guardline.1", "guardline-scan.1", "guardline-schedule-apply.1", "guardline-org-switch-roles.1"]
    {
        assert!(out.join(name).is_file(), "{name} missing");
    }
}

#[test]
fn schema_prints_the_published_schema_and_init_writes_it_beside_the_config() {
    let published =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/guardline.schema.json"))
            .unwrap();
    let run = guardline(&["schema"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, published);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    let init = guardline_in(dir.path(), &["init", "conf/guardline.toml"], &[]);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let config = std::fs::read_to_string(dir.path().join("conf/guardline.toml")).unwrap();
    assert_eq!(
        config.lines().next(),
        Some("#:schema ./guardline.schema.json"),
        "taplo's directive, first line"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("conf/guardline.schema.json")).unwrap(), published);
}
