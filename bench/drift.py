#!/usr/bin/env python3
"""Benchmark: the `changes` watch source (drift in seconds) on moto: 1,000 change events of mixed types.

moto runs as bench/moto_server.py (the test server with its extensions, counting requests). The default
account (123456789012) gets `--groups` security groups (default 200), five buckets, an instance and a
logging multi-region trail; `guardline watch install-changes --apply` creates the queue and the rules, and
`guardline watch` runs with a Slack channel pointed at a local HTTP sink (no rate limit, no digest). Once
the watcher has collected its baseline, the bench makes `--events` changes (default 1,000) at `--rate`
events per second, each one a change in moto and CloudTrail's record of it put on the bus (PutEvents, in
batches of ten; AWS itself takes `aws.*` sources only from its services, moto takes them, standing in for
CloudTrail):

- 70 %: a security group's SSH port opened to 0.0.0.0/0 or closed again (EC2-001: an alert, then "resolved");
- 10 %: the same event once more (SQS delivers at least once: nothing must be sent);
- 10 %: an instance retagged (`CreateTags`: SCHED-001/002, SSM-001, INSPECTOR-001 re-read by the EC2 collector);
- 10 %: `PutBucketPolicy` on a bucket (S3-002 re-read by the S3 collector; no verdict changes).

It prints events per second (from the first PutEvents to the last expected message), the latency from
PutEvents to the sink receiving each expected message (p50, p95, max), the messages that never came or came
twice, and the API calls the watcher made per event (moto's counter, SQS apart; the bench's own writes and
PutEvents are left out). Usage:

    cargo build --release && python3 bench/drift.py [--binary PATH] [--events N] [--rate N] [--groups N]
"""

import argparse
import http.server
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import Moto, aws_env, process_cpu  # noqa: E402  (the bench's moto server, its environment, CPU)

ACCOUNT = "123456789012"
REGION = "ap-northeast-1"
HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "crates", "guardline-watch", "src", "sources", "changes", "samples",
                      "authorize-security-group-ingress.json")
# What the bench itself calls on moto; the rest is the watcher's.
BENCH_ACTIONS = {"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags",
                 "events:PutEvents"}


class Sink:
    """A Slack incoming webhook on 127.0.0.1: records each message's text and when it arrived."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink.lock:
                    sink.received.append((time.monotonic(), json.loads(body).get("text", "")))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T/B/bench"

    def texts(self):
        with self.lock:
            return list(self.received)


def client(endpoint, service):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def seed(endpoint, groups):
    ec2 = client(endpoint, "ec2")
    ids = [ec2.create_security_group(GroupName=f"web-{i:03d}", Description="bench")["GroupId"]
           for i in range(groups)]
    image = ec2.describe_images(Owners=["amazon"])["Images"]
    image = image[0]["ImageId"] if image else "ami-12c6146b"
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 TagSpecifications=[{"ResourceType": "instance",
                                                     "Tags": [{"Key": "env", "Value": "dev"}]}])
    instance = instance["Instances"][0]["InstanceId"]
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="testing",
                      aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))
    buckets = [f"bench-drift-{i}" for i in range(5)]
    for bucket in buckets:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.create_bucket(Bucket="bench-trail", CreateBucketConfiguration={"LocationConstraint": REGION})
    trail = client(endpoint, "cloudtrail")
    trail.create_trail(Name="main", S3BucketName="bench-trail", IsMultiRegionTrail=True)
    trail.start_logging(Name="main")
    return ids, instance, buckets


def cloudtrail_event(template, source, name, request):
    detail = json.loads(json.dumps(template["detail"]))
    detail.update({"eventSource": source, "eventName": name, "awsRegion": REGION, "requestParameters": request,
                   "eventID": f"bench-{time.monotonic_ns()}-{random.getrandbits(32):08x}",
                   "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    return {"Source": "aws." + source.split(".")[0], "DetailType": "AWS API Call via CloudTrail",
            "Detail": json.dumps(detail)}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "..", "target"))
    parser.add_argument("--binary", default=os.path.join(target, "release", "guardline"))
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="change events per second")
    parser.add_argument("--groups", type=int, default=200)
    args = parser.parse_args()
    random.seed(16)
    template = json.load(open(SAMPLE))
    template["detail"]["userIdentity"]["arn"] = f"arn:aws:iam::{ACCOUNT}:user/alice"
    template["detail"]["recipientAccountId"] = ACCOUNT

    moto = Moto()
    sink = Sink()
    work = tempfile.mkdtemp(prefix="guardline-drift-")
    watcher = None
    try:
        groups, instance, buckets = seed(moto.endpoint, args.groups)
        with open(os.path.join(work, "guardline.toml"), "w") as config:
            config.write(f"""
[watch]
state-db = "watch.sqlite3"
digest-above = 100000

[watch.channels.slack]
type = "slack"
url-env = "BENCH_SLACK"
min-interval = "0s"

[watch.sources.changes]
regions = ["{REGION}"]
wait-seconds = 20

[[watch.routes]]
sources = ["changes"]
channels = ["slack"]
""")
        env = dict(aws_env(moto.endpoint), BENCH_SLACK=sink.url, GUARDLINE_LOG="info",
                   XDG_DATA_HOME=work)
        subprocess.run([args.binary, "watch", "install-changes", "--apply", "--yes", "--account-id", ACCOUNT],
                       cwd=work, env=env, check=True, stdout=subprocess.DEVNULL)
        log_path = os.path.join(work, "watch.log")
        watcher = subprocess.Popen([args.binary, "watch"], cwd=work, env=env, stdout=subprocess.DEVNULL,
                                   stderr=open(log_path, "w"))
        deadline = time.monotonic() + 120
        while "drift baseline collected" not in open(log_path).read():
            if time.monotonic() > deadline or watcher.poll() is not None:
                raise RuntimeError("the watcher collected no baseline:\n" + open(log_path).read())
            time.sleep(0.1)
        moto.reset_counts()
        moto_cpu, watcher_cpu = moto.cpu(), process_cpu(watcher.pid)

        ec2, events = client(moto.endpoint, "ec2"), client(moto.endpoint, "events")
        open_groups = set()
        expected = []  # (text the sink must receive, when its event was put)
        counts = {"security group": 0, "duplicate": 0, "retag": 0, "bucket policy": 0}
        last = None
        batch = []
        started = time.monotonic()
        for index in range(args.events):
            pick = random.random()
            permission = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
            if pick < 0.7 or last is None:
                group = groups[index % len(groups)]
                if group in open_groups:
                    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=permission)
                    open_groups.discard(group)
                    name, wanted = "RevokeSecurityGroupIngress", f"[RESOLVED] EC2-001: security group {group}"
                else:
                    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permission)
                    open_groups.add(group)
                    name, wanted = "AuthorizeSecurityGroupIngress", f"EC2-001 failed: security group {group}"
                last = cloudtrail_event(template, "ec2.amazonaws.com", name, {"groupId": group})
                batch.append((last, wanted))
                counts["security group"] += 1
            elif pick < 0.8:
                batch.append((last, None))
                counts["duplicate"] += 1
            elif pick < 0.9:
                ec2.create_tags(Resources=[instance], Tags=[{"Key": "bench", "Value": str(index)}])
                request = {"resourcesSet": {"items": [{"resourceId": instance}]}}
                batch.append((cloudtrail_event(template, "ec2.amazonaws.com", "CreateTags", request), None))
                counts["retag"] += 1
            else:
                request = {"bucketName": random.choice(buckets)}
                batch.append((cloudtrail_event(template, "s3.amazonaws.com", "PutBucketPolicy", request), None))
                counts["bucket policy"] += 1
            if len(batch) == 10 or index == args.events - 1:
                put_at = time.monotonic()
                answer = events.put_events(Entries=[entry for entry, _ in batch])
                assert answer["FailedEntryCount"] == 0, answer
                expected.extend((wanted, put_at) for _, wanted in batch if wanted)
                batch = []
            pause = started + (index + 1) / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        produced = time.monotonic() - started

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            got = sink.texts()
            if len(got) >= len(expected):
                break
            time.sleep(0.2)
        time.sleep(3)  # anything sent twice arrives too
        received = sink.texts()
        moto_cpu, watcher_cpu = moto.cpu() - moto_cpu, process_cpu(watcher.pid) - watcher_cpu
        finished = max((at for at, _ in received), default=time.monotonic())
        latencies, missing, used = [], 0, set()
        for wanted, put_at in expected:
            match = next((i for i, (at, text) in enumerate(received) if i not in used and wanted in text), None)
            if match is None:
                missing += 1
                if missing <= 3:
                    print(f"  missing: {wanted}", file=sys.stderr)
                continue
            used.add(match)
            latencies.append(received[match][0] - put_at)
        extra = len(received) - len(used)
        requests = moto.requests()["by_action"]
        watcher_calls = {action: n for action, n in requests.items()
                         if action not in BENCH_ACTIONS and not action.startswith("sqs:")}
        sqs_calls = {action: n for action, n in requests.items() if action.startswith("sqs:")}
        total = sum(watcher_calls.values())
        print(f"drift: {args.events} change events at {args.rate:g}/s ({', '.join(f'{k} {v}' for k, v in counts.items())}), "
              f"{args.groups} security groups")
        print(f"  throughput: {args.events / (finished - started):.1f} events/s "
              f"(first PutEvents to the last message, {finished - started:.1f} s; the bench put them in {produced:.1f} s)")
        print(f"  CPU during the run: moto {moto_cpu:.1f} s, the watcher {watcher_cpu:.1f} s")
        if latencies:
            print(f"  PutEvents to the channel: p50 {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
                  f"({len(latencies)} messages)")
        print(f"  messages: {len(expected)} expected, {missing} missing, {extra} unexpected or twice")
        print(f"  API calls per event: {total / args.events:.2f} ({total} re-reads: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(watcher_calls.items(), key=lambda kv: -kv[1]))})")
        print(f"  SQS calls: {sum(sqs_calls.values())} ({', '.join(f'{k} {v}' for k, v in sorted(sqs_calls.items()))})")
        return 0 if missing == 0 and extra == 0 else 1
    finally:
        if watcher is not None:
            watcher.terminate()
            try:
                watcher.wait(30)
            except subprocess.TimeoutExpired:
                watcher.kill()
        moto.stop()
        sink.server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
