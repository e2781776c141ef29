//! The `deploy/` manifests, checked and run: the Kubernetes objects against the Kubernetes API schemas
//! (`kubernetes-validate --strict`), the AWS Batch job definition and submissions with botocore's own
//! parameter validation (tests/validators/deploy.py), and then the very scripts they run, through
//! `/bin/sh -c` with the variables Kubernetes and Batch set (`JOB_COMPLETION_INDEX`,
//! `AWS_BATCH_JOB_ARRAY_INDEX`, `AWS_BATCH_JOB_ID`), on an emulated organisation: the shards (to a shared
//! directory, and to S3) and the merge give the unsharded report.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::org_scan::{assert_same_report, organisation, without_collection_times};
use crate::support::{Run, clean_env, guardline_in, moto_env};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_tool(program: &str, args: &[&str]) -> Run {
    let output = Command::new(program).args(args).current_dir(repo()).output().expect("the validator runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn the_manifests_are_valid_kubernetes_objects_and_aws_batch_requests() {
    let kubernetes = "deploy/kubernetes/indexed-job.yaml";
    let valid = run_tool("kubernetes-validate", &["--strict", "--quiet", kubernetes]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);
    let batch = [
        "deploy/aws-batch/job-definition.json",
        "deploy/aws-batch/array-job.json",
        "deploy/aws-batch/merge-job.json",
    ];
    let valid = run_tool("python3", &["tests/validators/deploy.py", "batch", batch[0], batch[1], batch[2]]);
    assert_eq!(valid.code, 0, "{}{}", valid.stdout, valid.stderr);

    // Both validators can fail: a mistyped field in each.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("job.yaml");
    let text = std::fs::read_to_string(repo().join(kubernetes)).unwrap();
    std::fs::write(&broken, text.replace("completions: 4", "completions: \"four\"")).unwrap();
    let invalid = run_tool("kubernetes-validate", &["--strict", "--quiet", broken.to_str().unwrap()]);
    assert_ne!(invalid.code, 0, "{}{}", invalid.stdout, invalid.stderr);
    let broken = dir.path().join("array-job.json");
    let text = std::fs::read_to_string(repo().join(batch[1])).unwrap();
    std::fs::write(&broken, text.replace("\"size\": 4", "\"size\": \"4\"")).unwrap();
    let invalid = run_tool(
        "python3",
        &["tests/validators/deploy.py", "batch", batch[0], broken.to_str().unwrap(), batch[2]],
    );
    assert_eq!(invalid.code, 1, "{}", invalid.stderr);
    assert!(invalid.stderr.contains("arrayProperties.size"), "{}", invalid.stderr);
}

/// `/bin/sh -c script` with the guardline binary on PATH and `env` over a clean AWS environment.
fn sh(cwd: &Path, script: &str, env: &[(&str, String)]) -> Run {
    let bin = Path::new(env!("CARGO_BIN_EXE_guardline")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script).current_dir(cwd);
    let _data_home = clean_env(&mut command, env);
    command.env("PATH", path);
    let output = command.output().expect("sh runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(work).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manifests_scripts_run_the_sharded_scan_and_the_merge_to_the_unsharded_report() {
    let server = guardline_testkit::shared();
    let org = organisation(
        server,
        &[("prod-web", "Workloads", &[]), ("dev-api", "Workloads", &[]), ("sandbox-1", "Sandbox", &[])],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/guardline.toml"), "[scan]\nregions = [\"ap-northeast-1\"]\n").unwrap();
    let env = moto_env(&server.endpoint, &org.management.credentials);

    // The job definition's results bucket, in the management account, before any scan sees the account.
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(repo().join("deploy/aws-batch").join(name)).unwrap())
            .unwrap()
    };
    let definition = read("job-definition.json");
    let mut batch_env = env.clone();
    for variable in definition["containerProperties"]["environment"].as_array().unwrap() {
        let name: &'static str = match variable["name"].as_str().unwrap() {
            "AWS_REGION" => "AWS_REGION",
            "GUARDLINE_RESULTS" => "GUARDLINE_RESULTS",
            other => panic!("a variable the test does not know: {other}"),
        };
        batch_env.retain(|(key, _)| *key != name);
        batch_env.push((name, variable["value"].as_str().unwrap().to_owned()));
    }
    let results = batch_env.iter().find(|(key, _)| *key == "GUARDLINE_RESULTS").unwrap().1.clone();
    let bucket = results.trim_start_matches("s3://").split('/').next().unwrap().to_owned();
    guardline_testkit::create_bucket(&org.management.s3(), &bucket).await;
    let config = root.join("etc/guardline.toml").display().to_string();
    let unsharded = {
        let (root, env, config) = (root.clone(), env.clone(), config.clone());
        blocking(move || {
            guardline_in(
                &root,
                &["scan", "--org", "--config", &config, "--format", "json", "--no-history", "--no-progress"],
                &env,
            )
        })
        .await
    };
    assert!(unsharded.code == 0 || unsharded.code == 1, "{}", unsharded.stderr);
    let expected = without_collection_times(&unsharded.stdout);

    // Kubernetes: each index of the Indexed Job, then the merge Job (Kubernetes turns `$$` into `$`).
    let listed = run_tool(
        "python3",
        &["tests/validators/deploy.py", "kubernetes", "deploy/kubernetes/indexed-job.yaml"],
    );
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let jobs: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let completions = jobs["completions"].as_u64().unwrap();
    // The container's absolute paths (after a space or a quote) moved under the test's directory.
    let at = |script: &str, path: &str, local: &Path| {
        let local = local.display().to_string();
        script
            .replace(&format!(" {path}"), &format!(" {local}"))
            .replace(&format!("\"{path}"), &format!("\"{local}"))
    };
    let local = |script: &str| {
        let script = at(&script.replace("$$", "$"), "/etc/guardline", &root.join("etc"));
        at(&script, "/shards", &root.join("shards"))
    };
    let scan = local(jobs["scan"]["args"][0].as_str().unwrap());
    for index in 0..completions {
        let mut env = env.clone();
        env.push(("JOB_COMPLETION_INDEX", index.to_string()));
        let (root, scan) = (root.clone(), scan.clone());
        let shard = blocking(move || sh(&root, &scan, &env)).await;
        assert_eq!(shard.code, 0, "index {index}: {}", shard.stderr);
    }
    let merge = local(jobs["merge"]["args"][0].as_str().unwrap());
    let merged = {
        let (root, env) = (root.clone(), env.clone());
        blocking(move || sh(&root, &merge, &env)).await
    };
    assert_eq!(merged.code, unsharded.code, "{}{}", merged.stdout, merged.stderr);
    assert!(merged.stdout.contains("Scorecard"), "the job's log is the terminal report: {}", merged.stdout);
    let reports: Vec<PathBuf> =
        std::fs::read_dir(root.join("shards/reports")).unwrap().map(|entry| entry.unwrap().path()).collect();
    let [report] = reports.as_slice() else { panic!("{reports:?}") };
    let json = std::fs::read_to_string(report.join("guardline-report.json")).unwrap();
    assert_same_report(&without_collection_times(&json), &expected);
    assert!(
        report.join("shards/shard-0").exists(),
        "the shard outputs moved beside the report: {}",
        merged.stderr
    );
    assert!(!root.join("shards/run").exists(), "the next run starts from an empty run directory");

    // AWS Batch: the array job's children, then the merge job, with the job definition's environment.
    let array = read("array-job.json");
    let size = array["arrayProperties"]["size"].as_u64().unwrap();
    let job_id = "0e2c4f6a-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    let child = local(array["containerOverrides"]["command"][2].as_str().unwrap());
    for index in 0..size {
        let mut env = batch_env.clone();
        env.push(("AWS_BATCH_JOB_ARRAY_INDEX", index.to_string()));
        env.push(("AWS_BATCH_JOB_ID", format!("{job_id}:{index}")));
        let (root, child) = (root.clone(), child.clone());
        let shard = blocking(move || sh(&root, &child, &env)).await;
        assert_eq!(shard.code, 0, "child {index}: {}", shard.stderr);
    }
    // As the README submits it: ARRAY_JOB_ID replaced by the array job's ID.
    let merge_job: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("deploy/aws-batch/merge-job.json"))
            .unwrap()
            .replace("ARRAY_JOB_ID", job_id),
    )
    .unwrap();
    let mut env = batch_env.clone();
    for variable in merge_job["containerOverrides"]["environment"].as_array().unwrap() {
        assert_eq!(variable["name"], "GUARDLINE_ARRAY_JOB");
        env.push(("GUARDLINE_ARRAY_JOB", variable["value"].as_str().unwrap().to_owned()));
    }
    let script = at(
        &local(merge_job["containerOverrides"]["command"][2].as_str().unwrap()),
        "/tmp/report",
        &root.join("batch-report"),
    );
    let merged = {
        let root = root.clone();
        blocking(move || sh(&root, &script, &env)).await
    };
    assert_eq!(merged.code, unsharded.code, "{}{}", merged.stdout, merged.stderr);
    let key = format!(
        "{}/{job_id}/report/guardline-report.json",
        results.trim_start_matches(&format!("s3://{bucket}/"))
    );
    let object = org.management.s3().get_object().bucket(&bucket).key(&key).send().await.unwrap();
    let uploaded = String::from_utf8(object.body.collect().await.unwrap().to_vec()).unwrap();
    assert_same_report(&without_collection_times(&uploaded), &expected);
}
