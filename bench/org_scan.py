#!/usr/bin/env python3
"""Benchmark: `guardline scan --org`, `fix --org` (the plan) and `schedule status --org` of an emulated AWS
Organization (20 member accounts by default) on moto server: wall time and peak memory.

The default moto account (123456789012) creates the organisation (OUs Workloads and Sandbox) and 20 members
with CreateAccount; moto creates OrganizationAccountAccessRole in each, which the scan assumes. Every third
member gets an IAM user with a console password and no MFA, every fifth an SSH port open to the world, so
the report has failures to show. Runs each command several times (after one warm-up run) and prints the wall
time of each run, the median and the peak resident memory (the child's maxrss). Usage:

    cargo build --release && python3 bench/org_scan.py [--binary PATH] [--runs N] [--members N]
        [--account-concurrency N] [--regions R1,R2] [--commands scan,fix,schedule]

The binary defaults to $CARGO_TARGET_DIR/release/guardline (or target/release/guardline).
"""

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import boto3
from moto.server import ThreadedMotoServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def measure(command: list[str], env: dict[str, str], cwd: str):
    """Runs `command` under GNU time: wall time in seconds, its peak resident memory in MiB, and its result."""
    peak_file = os.path.join(cwd, "peak-kib")
    start = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", peak_file, *command], env=env, cwd=cwd,
                            capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    with open(peak_file) as peak:
        peak_kib = int(peak.read().split()[-1])
    return elapsed, peak_kib / 1024, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "guardline"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--account-concurrency", type=int, default=8)
    parser.add_argument("--regions", default="ap-northeast-1")
    parser.add_argument("--commands", default="scan", help="comma-separated: scan, fix, schedule")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        print(f"{args.binary} not found: run `cargo build --release` first", file=sys.stderr)
        return 2

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    regions = args.regions.split(",")
    try:
        ids = seed(endpoint, args.members, regions)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "ap-northeast-1",
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
        common = ["--org", "--regions", args.regions, "--no-progress", "--max-attempts", "1",
                  "--account-concurrency", str(args.account_concurrency)]
        commands = {
            "scan": [args.binary, "scan", *common, "--format", "json", "--no-history"],
            "fix": [args.binary, "fix", *common, "--format", "json"],
            "schedule": [args.binary, "schedule", "status", *common],
        }
        workdir = tempfile.mkdtemp(prefix="guardline-org-bench-")
        with open(os.path.join(workdir, "guardline.toml"), "w") as config:
            config.write('[schedules.dev-hours]\nwindow = "weekdays 09:00-19:00"\n'
                         'select = { key = "Environment", values = ["dev"] }\n')
        for name in args.commands.split(","):
            times, peaks = [], []
            for run in range(args.runs + 1):
                elapsed, peak, result = measure(commands[name], env, workdir)
                if result.returncode not in (0, 1):
                    print(f"{name}: exit {result.returncode}\n{result.stderr}", file=sys.stderr)
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
                print(f"{name} run {run}: {elapsed:.3f} s, peak {peak:.1f} MiB", file=out)
            print(f"{name} --org, organisation of {args.members} members + management, {len(regions)} region(s), "
                  f"account concurrency {args.account_concurrency}: median {statistics.median(times):.3f} s, "
                  f"min {min(times):.3f} s, peak memory {max(peaks):.1f} MiB over {len(times)} runs", file=out)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
