//! `fix --apply` confirmed on a terminal: the binary runs under a pseudo-terminal (Python's `pty`, no new
//! dependency) and is answered at its prompt; a wrong account ID is refused with nothing changed, the right
//! one applies the plan. (Without a terminal, `--apply` needs `--yes`: see `fix.rs`.)

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::{Run, clean_env, moto_env};

/// The prompt `write_guard::confirm` ends with.
const PROMPT: &str = "Type the account ID to confirm: ";

/// Runs `argv[4:]` on a new pseudo-terminal; once `argv[1]` appears in its output, types `argv[2]` and Enter.
/// Prints everything the terminal showed, exits with the child's status, and kills the child after `argv[3]`
/// seconds (exit 124). Notes on what happened go to stderr.
const DRIVER: &str = r#"
import os, pty, select, sys, time
prompt, answer, timeout = sys.argv[1].encode(), sys.argv[2].encode(), float(sys.argv[3])
argv = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
out = b""
answered = False
deadline = time.monotonic() + timeout
code = None
while True:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.stderr.write("pty: timed out after %s s, killed\n" % timeout)
        code = 124
        break
    ready, _, _ = select.select([fd], [], [], remaining)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        # EIO: every process holding the terminal has closed it.
        chunk = b""
    if not chunk:
        break
    out += chunk
    if not answered and prompt in out:
        os.write(fd, answer + b"\n")
        answered = True
        sys.stderr.write("pty: answered\n")
if code is None:
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
if not answered:
    sys.stderr.write("pty: the prompt never appeared\n")
sys.stdout.buffer.write(out)
sys.stdout.flush()
sys.exit(code if code >= 0 else 128 - code)
"#;

/// Runs `guardline args` in `cwd` on a pseudo-terminal (stdin, stdout and stderr) with the environment of
/// `guardline_in`, and types `answer` at the confirmation prompt. `stdout` is what the terminal showed
/// (both streams and the echoed answer, `\r\n` as `\n`); `stderr` holds the driver's notes.
pub fn guardline_tty(cwd: &Path, args: &[&str], env: &[(&str, String)], answer: &str) -> Run {
    // Generous: the command scans the account on a shared moto server first; a hang still ends the test.
    let timeout = Duration::from_secs(300);
    let mut command = Command::new("python3");
    command
        .args(["-c", DRIVER, PROMPT, answer, &timeout.as_secs().to_string(), env!("CARGO_BIN_EXE_guardline")])
        .args(args)
        .current_dir(cwd);
    let _data_home = clean_env(&mut command, env);
    let output = command.output().expect("python3 runs the pty driver");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A config pinning `account` (no alias) in one region, so that `fix --apply` reaches the prompt.
fn pinned_config(dir: &Path, account: &guardline_testkit::Account) -> String {
    let path = dir.join("guardline.toml");
    let text = format!(
        "[scan]\nregions = [\"ap-northeast-1\"]\n\n[[accounts]]\nid = \"{}\"\nprofile = \"default\"\n",
        account.id
    );
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn apply_on_terminal(account: &guardline_testkit::Account, answer: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = pinned_config(dir.path(), account);
    let env = moto_env(&guardline_testkit::shared().endpoint, &account.credentials);
    let args = ["fix", "--config", &config, "--only", "GUARDDUTY-001", "--apply", "--no-progress"];
    guardline_tty(dir.path(), &args, &env, answer)
}

async fn detector_count(account: &guardline_testkit::Account) -> usize {
    let guardduty = aws_sdk_guardduty::Client::new(&account.config);
    guardduty.list_detectors().send().await.unwrap().detector_ids().len()
}

fn assert_prompted(run: &Run, account: &guardline_testkit::Account) {
    assert!(run.stderr.contains("pty: answered"), "not prompted:\n{}\n{}", run.stdout, run.stderr);
    let prompt = format!("change(s) in account {} (no alias)? {PROMPT}", account.id);
    assert!(run.stdout.contains(&prompt), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_account_id_typed_at_the_prompt_is_refused_and_nothing_changes() {
    let account = guardline_testkit::shared().account().await;
    let run = apply_on_terminal(&account, "999999999999");
    assert_prompted(&run, &account);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "refused, nothing was changed: the confirmation did not match {}",
            account.id
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("Applied "), "{}", run.stdout);
    assert_eq!(detector_count(&account).await, 0, "a refused apply changed the account");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_id_typed_at_the_prompt_applies_the_plan() {
    let account = guardline_testkit::shared().account().await;
    let run = apply_on_terminal(&account, &account.id);
    assert_prompted(&run, &account);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("did not match"), "{}", run.stdout);
    assert!(
        run.stdout.contains("done    1. GUARDDUTY-001 ap-northeast-1: guardduty:CreateDetector"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Applied 1 of 1 step(s): 1 changed"), "{}", run.stdout);
    assert_eq!(detector_count(&account).await, 1, "the confirmed plan was not applied");
}
