#!/usr/bin/env python3
"""Benchmark: `guardline scan --org`, `fix --org` (the plan) and `schedule status --org` of an emulated AWS
Organization (20 member accounts by default) on moto server: wall time and peak memory.

moto runs as bench/moto_server.py (the test server with tests/moto/extensions.py, the operations moto lacks,
in a process of its own). The default moto account (123456789012) creates the organisation (OUs Workloads and Sandbox) and 20 members
with CreateAccount; moto creates OrganizationAccountAccessRole in each, which the scan assumes. Every third
member gets an IAM user with a console password and no MFA, every fifth an SSH port open to the world, so
the report has failures to show. Runs each command several times (after one warm-up run) and prints the wall
time of each run, the median and the peak resident memory (the child's maxrss). Usage:

    cargo build --release && python3 bench/org_scan.py [--binary PATH] [--runs N] [--members N]
        [--account-concurrency N] [--regions R1,R2] [--commands scan,fix,schedule] [--latency-ms MS]

The binary defaults to $CARGO_TARGET_DIR/release/guardline (or target/release/guardline).

With `--prowler`, Prowler (no organisation mode in its CLI) is run as its users run it over an
organisation: one `prowler aws -R arn:aws:iam::ID:role/OrganizationAccountAccessRole` per member, one after
the other, with the checks bench/run.py maps to the guideline's controls, on the same emulated organisation;
the loop's total wall time is set against one `guardline scan --org` (every control, every account).

With `--latency-ms`, Guardline reaches moto through bench/latency_proxy.py: every request waits a round trip
(with 10 ms of jitter) and each service is rate-limited as AWS limits it, throttling answered in the
service's own error format, so accounts really run in parallel and Guardline's retries are exercised (the
runs then use the SDK's default retries, not `--max-attempts 1`). One reference scan without the proxy
comes first; every scan through it must give the same verdicts (no throttling error reaches a verdict), and
the requests and throttled requests the proxy saw are printed.
"""

import argparse
import json
import logging
import resource
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import latency_proxy  # noqa: E402
import run as single  # noqa: E402  (bench/run.py: the moto server, Prowler's environment and checks)
from run import Moto  # noqa: E402  (bench/moto_server.py: the test server, its extensions, in a process of its own)


def seed(endpoint: str, members: int, regions: list[str]) -> list[str]:
    def client(service, region="ap-northeast-1", **keys):
        keys = keys or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(service, region_name=region, endpoint_url=endpoint, **keys)

    org = client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ous = {name: org.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
           for name in ("Workloads", "Sandbox")}
    ids = []
    for index in range(members):
        name = f"member-{index:02d}"
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        account = status["AccountId"]
        ids.append(account)
        ou = ous["Sandbox"] if index % 4 == 3 else ous["Workloads"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou)
        org.tag_resource(ResourceId=account, Tags=[{"Key": "env", "Value": "dev" if index % 2 else "prod"}])
        creds = client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
            RoleSessionName="seed")["Credentials"]
        keys = {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"]}
        if index % 3 == 0:
            iam = client("iam", **keys)
            iam.create_user(UserName="console")
            iam.create_login_profile(UserName="console", Password="Bench-Password-123")
        if index % 5 == 0:
            for region in regions:
                ec2 = client("ec2", region, **keys)
                group = ec2.create_security_group(GroupName="ssh", Description="bench")["GroupId"]
                ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=22, ToPort=22,
                                                     CidrIp="0.0.0.0/0")
    return ids


def measure(command: list[str], env: dict[str, str], cwd: str, moto: Moto):
    """Runs `command` under GNU time: wall time in seconds, its peak resident memory in MiB, its result, and
    the CPU seconds Guardline, moto and this process (the latency proxy's threads) spent meanwhile."""
    peak_file = os.path.join(cwd, "peak-kib")
    moto_before, own_before = moto.cpu(), resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", peak_file, *command], env=env, cwd=cwd,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    with open(peak_file) as peak:
        peak_kib, user, system = peak.read().split()[-3:]
    cpu = {"guardline": float(user) + float(system), "moto": moto.cpu() - moto_before,
           "proxy": own.ru_utime + own.ru_stime - own_before.ru_utime - own_before.ru_stime}
    return elapsed, int(peak_kib) / 1024, result, cpu


def prowler_loop(args, ids: list[str], moto: Moto, regions: list[str], workdir: str, out, guardline_s: float):
    """One `prowler aws -R <member role>` per member, in turn, as Prowler's users scan an organisation."""
    prowler = single.ensure_prowler(args.venv)
    env = single.prowler_env(moto)
    start = time.perf_counter()
    for index, account in enumerate(ids):
        outdir = os.path.join(workdir, f"prowler-{account}")
        command = [prowler, "aws", "--no-banner", "--no-color", "--scan-unused-services",
                   "-R", f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                   "-c", *single.PROWLER_CHECKS, "-f", *regions, "-M", "json-ocsf", "-o", outdir]
        result = single.measure(command, env)
        if result["code"] not in (0, 3):
            print(f"prowler failed for {account} (exit {result['code']})", file=sys.stderr)
            return
        checked = sum(sum(statuses.values()) for statuses in single.prowler_summary(outdir).values())
        print(f"prowler member {index + 1}/{len(ids)} {account}: {result['wall']:.1f} s, {checked} findings",
              file=out)
    total = time.perf_counter() - start
    print(f"Prowler loop over {len(ids)} members: {total:.1f} s against `guardline scan --org` {guardline_s:.2f} s "
          f"(the {len(ids)} members and the management account): {total / guardline_s:.0f}x", file=out)


def verdicts(text: str) -> set[tuple[str, str, str, str]]:
    """(account, control, resource, outcome) of every finding of an organisation JSON report."""
    report = json.loads(text)
    return {(entry["id"], finding["control"], str(finding.get("resource")), finding["outcome"])
            for entry in report["accounts"] for finding in (entry.get("report") or {}).get("findings", [])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "guardline"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--account-concurrency", type=int, default=8)
    parser.add_argument("--regions", default="ap-northeast-1")
    parser.add_argument("--commands", default="scan", help="comma-separated: scan, fix, schedule")
    parser.add_argument("--prowler", action="store_true",
                        help="also time a Prowler loop over the members (one `prowler aws -R ...` each)")
    parser.add_argument("--venv", default=os.path.join(single.CACHE, "venv"), help="Prowler's virtualenv")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="reach moto through the AWS-like latency proxy (round trip, rate limits)")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        print(f"{args.binary} not found: run `cargo build --release` first", file=sys.stderr)
        return 2

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    server = Moto()
    endpoint = server.endpoint
    regions = args.regions.split(",")
    try:
        ids = seed(endpoint, args.members, regions)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "ap-northeast-1",
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
        common = ["--org", "--regions", args.regions, "--no-progress",
                  "--account-concurrency", str(args.account_concurrency)]
        if args.latency_ms <= 0:
            common += ["--max-attempts", "1"]
        commands = {
            "scan": [args.binary, "scan", *common, "--format", "json", "--no-history"],
            "fix": [args.binary, "fix", *common, "--format", "json"],
            "schedule": [args.binary, "schedule", "status", *common],
        }
        workdir = tempfile.mkdtemp(prefix="guardline-org-bench-")
        with open(os.path.join(workdir, "guardline.toml"), "w") as config:
            config.write('[schedules.dev-hours]\nwindow = "weekdays 09:00-19:00"\n'
                         'select = { key = "Environment", values = ["dev"] }\n')
        reference = None
        proxy = None
        if args.latency_ms > 0:
            reference = verdicts(subprocess.run(commands["scan"], env=env, cwd=workdir, capture_output=True,
                                                text=True).stdout)
            proxy = latency_proxy.serve(endpoint, 0, args.latency_ms, 10.0, True)
            env["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy.server_address[1]}"
        for name in args.commands.split(","):
            times, peaks = [], []
            for run in range(args.runs + 1):
                elapsed, peak, result, cpu = measure(commands[name], env, workdir, server)
                if result.returncode not in (0, 1):
                    print(f"{name}: exit {result.returncode}\n{result.stderr}", file=sys.stderr)
                    return 2
                if name == "scan" and reference is not None and verdicts(result.stdout) != reference:
                    changed = verdicts(result.stdout) ^ reference
                    print(f"verdicts differ through the latency proxy: {sorted(changed)[:10]}", file=sys.stderr)
                    return 2
                if name == "scan":
                    report = json.loads(result.stdout)
                    evaluated = [row for row in report["scorecard"] if row["status"] == "evaluated"]
                    missing = set(ids) - {row["account_id"] for row in evaluated}
                    if missing:
                        print(f"members not evaluated: {sorted(missing)}", file=sys.stderr)
                        return 2
                if run == 0:
                    continue  # warm-up: moto builds each account's and region's backends on first use
                times.append(elapsed)
                peaks.append(peak)
                print(f"{name} run {run}: {elapsed:.3f} s, peak {peak:.1f} MiB; CPU seconds: Guardline "
                      f"{cpu['guardline']:.1f}, moto {cpu['moto']:.1f}, latency proxy {cpu['proxy']:.1f} "
                      f"({os.cpu_count()} cores)", file=out)
            latency = f", {args.latency_ms:.0f} ms round trips with AWS-like rate limits" if proxy else ""
            print(f"{name} --org, organisation of {args.members} members + management, {len(regions)} region(s), "
                  f"account concurrency {args.account_concurrency}{latency}: median {statistics.median(times):.3f} s, "
                  f"min {min(times):.3f} s, peak memory {max(peaks):.1f} MiB over {len(times)} runs", file=out)
        if args.prowler:
            prowler_loop(args, ids, server, regions, workdir, out, statistics.median(times))
        if proxy:
            stats = json.loads(urllib.request.urlopen(
                f"http://127.0.0.1:{proxy.server_address[1]}/guardline-latency/stats").read())
            print(f"latency proxy: {stats['requests']} requests, throttled {stats['throttled'] or 'none'}, "
                  f"at most {stats['max_in_flight']} in flight; verdicts identical to the run without it",
                  file=out)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
