#!/usr/bin/env python3
"""Writes a large, deterministic Guardline snapshot (default ~1,000,000 resources) for the evaluation benchmark.

The shape is demo/snapshot.json's (crates/guardline-model/src/snapshot.rs): its global and per-region
inventories are the templates, and the resource lists are replaced by generated ones spread over the 17
default-enabled commercial regions. Of N resources: 40 % security groups (0-2 ingress rules, some open to the
world on admin ports), 25 % instances (Environment dev/prod/staging, running or stopped), 10 % SSM-managed
instance records, 10 % IAM users (credential report rows, a mix of console/MFA/access keys),
5 % access keys, 5 % virtual MFA devices, 5 % buckets (some public). The same N and seed give the same bytes.
The file is streamed out, so the generator's memory stays small.

    python3 bench/big_snapshot.py OUT.json [--resources 1000000] [--seed 1]
"""

import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, "..", "demo", "snapshot.json")
ACCOUNT = "123456789012"
REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1",
]
SHARES = {"security_groups": 0.40, "instances": 0.25, "ssm": 0.10, "users": 0.10, "access_keys": 0.05,
          "mfa": 0.05, "buckets": 0.05}


def day(rng: random.Random) -> str:
    return f"20{rng.randint(22, 26)}-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T0{rng.randint(0, 9)}:15:00Z"


def security_group(rng, region, index):
    sg = f"sg-{index:017x}"
    rules = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        port = rng.choice((22, 80, 443, 3389, 5432, 8080))
        world = rng.random() < 0.2
        rules.append({"protocol": "tcp", "from_port": port, "to_port": port,
                      "ipv4_ranges": ["0.0.0.0/0" if world else "10.0.0.0/8"],
                      "ipv6_ranges": ["::/0"] if world and rng.random() < 0.5 else []})
    return {"id": sg, "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{sg}", "name": f"group-{index}",
            "vpc_id": f"vpc-{index // 1000:017x}", "ingress": rules}


def instance(rng, region, index):
    iid = f"i-{index:017x}"
    env = rng.choice(("dev", "dev", "staging", "prod"))
    return {"id": iid, "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:instance/{iid}",
            "state": "running" if rng.random() < 0.8 else "stopped", "instance_type": "t3.micro",
            "launch_time": day(rng), "tags": {"Name": f"{env}-{index}", "Environment": env, "Service": "app"}}


def user(rng, index):
    name = f"user{index:07d}"
    console = rng.random() < 0.6
    keys = [{"slot": 1, "active": rng.random() < 0.7, "last_rotated": day(rng), "last_used": day(rng)}] \
        if rng.random() < 0.4 else []
    return {"user": name, "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "created": day(rng),
            "password_enabled": console, "password_last_used": day(rng) if console else None,
            "mfa_active": console and rng.random() < 0.5, "access_keys": keys}


def access_key(rng, index):
    name = f"user{index:07d}"
    return {"user_name": name, "user_arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "access_key_id": f"AKIA{index:016d}", "active": rng.random() < 0.7, "created": day(rng),
            "last_used": day(rng), "last_used_service": "s3", "last_used_region": "us-east-1"}


def mfa(rng, index):
    name = f"user{index:07d}"
    return {"serial_number": f"arn:aws:iam::{ACCOUNT}:mfa/{name}", "user_arn": f"arn:aws:iam::{ACCOUNT}:user/{name}"}


def bucket(rng, index):
    name = f"bench-bucket-{index:07d}"
    public = rng.random() < 0.05
    block = None if public or rng.random() < 0.3 else {
        "block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True,
        "restrict_public_buckets": True}
    return {"name": name, "arn": f"arn:aws:s3:::{name}", "region": REGIONS[index % len(REGIONS)],
            "policy_is_public": {"status": "ok", "value": public},
            "public_acl_grants": {"status": "ok", "value": []},
            "public_access_block": {"status": "ok", "value": block}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--resources", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    counts = {key: int(args.resources * share) for key, share in SHARES.items()}

    with open(DEMO) as f:
        demo = json.load(f)
    region_template = demo["regions"]["ap-northeast-1"]
    # Lists to generate are written as "@@NAME@@" markers in the skeleton, then streamed in their place.
    skeleton = dict(demo)
    glob = dict(demo["global"])
    glob["enabled_regions"] = {"status": "ok", "value": sorted(REGIONS)}
    report = dict(glob["credential_report"]["value"])
    report["users"] = "@@users@@"
    glob["credential_report"] = {"status": "ok", "value": report}
    glob["virtual_mfa_devices"] = {"status": "ok", "value": "@@mfa@@"}
    glob["access_keys"] = {"status": "ok", "value": "@@access_keys@@"}
    glob["buckets"] = {"status": "ok", "value": "@@buckets@@"}
    skeleton["global"] = glob
    regions = {}
    for region in REGIONS:
        inv = json.loads(json.dumps(region_template).replace("ap-northeast-1", region))
        inv["security_groups"] = {"status": "ok", "value": f"@@security_groups:{region}@@"}
        inv["instances"] = {"status": "ok", "value": f"@@instances:{region}@@"}
        inv["ssm_managed_instances"] = {"status": "ok", "value": f"@@ssm:{region}@@"}
        regions[region] = inv
    skeleton["regions"] = regions
    text = json.dumps(skeleton, indent=None, separators=(",", ":"))

    per_region = {key: divmod(counts[key], len(REGIONS)) for key in ("security_groups", "instances", "ssm")}
    offsets = {"security_groups": 0, "instances": 0, "ssm": 0}
    instance_start = {}

    def generate(marker):
        kind, _, region = marker.partition(":")
        if kind == "users":
            return (user(rng, i) for i in range(counts["users"]))
        if kind == "access_keys":
            return (access_key(rng, i) for i in range(counts["access_keys"]))
        if kind == "mfa":
            return (mfa(rng, i) for i in range(counts["mfa"]))
        if kind == "buckets":
            return (bucket(rng, i) for i in range(counts["buckets"]))
        base, extra = per_region[kind]
        n = base + (1 if REGIONS.index(region) < extra else 0)
        start = offsets[kind]
        offsets[kind] += n
        if kind == "security_groups":
            return (security_group(rng, region, start + i) for i in range(n))
        if kind == "instances":
            instance_start[region] = start
            return (instance(rng, region, start + i) for i in range(n))
        # SSM: the region's first instances are managed.
        first = instance_start[region]
        return ({"instance_id": f"i-{first + i:017x}", "ping_status": "Online"} for i in range(n))

    total = 0
    with open(args.out, "w") as out:
        parts = text.split('"@@')
        out.write(parts[0])
        for part in parts[1:]:
            marker, rest = part.split('@@"', 1)
            out.write("[")
            for number, item in enumerate(generate(marker)):
                if number:
                    out.write(",")
                out.write(json.dumps(item, separators=(",", ":")))
                total += 1
            out.write("]")
            out.write(rest)
    size = os.path.getsize(args.out)
    print(f"{args.out}: {total} resources, {size / 1e6:.1f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
