#!/usr/bin/env python3
"""Benchmark: `guardline scan` of a small emulated account (10 IAM users, 3 regions) on moto server.

Seeds the account deterministically with boto3, runs the scan several times, and prints the wall time of
each run and the median. Usage:

    cargo build --release && python3 bench/scan_small.py [--binary PATH] [--runs N]

The binary defaults to $CARGO_TARGET_DIR/release/guardline (or target/release/guardline).
"""

import argparse
import logging
import os
import random
import socket
import statistics
import subprocess
import sys
import time

import boto3
from moto.server import ThreadedMotoServer

REGIONS = ["ap-northeast-1", "us-east-1", "eu-west-1"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(endpoint: str, rng: random.Random) -> None:
    def client(service, region="ap-northeast-1"):
        return boto3.client(service, region_name=region, endpoint_url=endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    iam = client("iam")
    iam.create_account_alias(AccountAlias="bench-small")
    for index in range(10):
        name = f"user{index:02d}"
        iam.create_user(UserName=name)
        if rng.random() < 0.6:
            iam.create_login_profile(UserName=name, Password="Bench-Password-123")
        if rng.random() < 0.4:
            iam.create_access_key(UserName=name)
    for region in REGIONS:
        ec2 = client("ec2", region)
        for index in range(5):
            group = ec2.create_security_group(GroupName=f"sg{index}", Description="bench")["GroupId"]
            port = rng.choice([22, 443, 3389, 8080])
            cidr = rng.choice(["0.0.0.0/0", "10.0.0.0/8"])
            ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=port, ToPort=port,
                                                 CidrIp=cidr)
        for index in range(3):
            env = "prod" if index == 0 else "dev"
            ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Environment", "Value": env}]}])
    client("guardduty").create_detector(Enable=True)
    s3 = client("s3")
    for index in range(5):
        s3.create_bucket(Bucket=f"bench-small-{index}",
                         CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    parser.add_argument("--binary", default=os.path.join(target, "release", "guardline"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        print(f"{args.binary} not found: run `cargo build --release` first", file=sys.stderr)
        return 2

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    # moto prints a line for every call to a service it lacks (Access Analyzer); keep the figures readable.
    out = sys.stdout
    sys.stdout = open(os.devnull, "w")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        seed(endpoint, random.Random(42))
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "ap-northeast-1",
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
                    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
        command = [args.binary, "scan", "--regions", ",".join(REGIONS), "--format", "json", "--no-progress",
                   "--max-attempts", "1"]
        times = []
        for run in range(args.runs + 1):
            start = time.perf_counter()
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if result.returncode not in (0, 1):
                print(result.stderr, file=sys.stderr)
                return 2
            if run == 0:
                continue  # warm-up: moto builds each region's backend on first use
            times.append(elapsed)
            print(f"run {run}: {elapsed:.3f} s", file=out)
        print(f"small account (10 users, 3 regions): median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f} s over {len(times)} runs", file=out)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
