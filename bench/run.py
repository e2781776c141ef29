#!/usr/bin/env python3
"""Guardline benchmark: Guardline vs Prowler on a seeded moto account, and a 1,000,000-resource snapshot.

    python3 bench/run.py [--size small|large|all|none] [--runs N] [--snapshot|--no-snapshot] [--no-prowler]

For each size (bench/seed.py: small = 10 users in 3 regions, large = 2,000 users in 17 regions), it starts
one moto server (bench/moto_server.py: tests/moto's server plus a request counter), seeds it once, runs one
Guardline warm-up scan (moto builds each service's region backends on first use), then alternates
`guardline scan` (release binary, every control, `--regions` = the seeded regions) and `prowler aws` (only the
Prowler checks that match the guideline's controls: PROWLER_MAPPING below) N times each, and prints per tool
the median wall time, the median peak RSS of the process tree, the requests moto received, and the ratios
Prowler / Guardline. Then (`--snapshot`, on by default with --size all) it generates a ~1,000,000-resource
snapshot (bench/big_snapshot.py) and times `guardline scan --snapshot` on it.

Prowler runs from its own virtualenv (default /root/.cache/guardline-bench/venv, created and filled from
bench/requirements.txt on first use), never from the test requirements' Python.
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import seed as seeder  # noqa: E402

CACHE = os.environ.get("GUARDLINE_BENCH_CACHE", "/root/.cache/guardline-bench")

# Guardline control -> the Prowler 5.46 checks that test the same thing (empty: Prowler has none). Guardline
# always evaluates every control; Prowler runs the union of these checks only.
PROWLER_MAPPING = {
    "COST-001 cost-explorer-disabled": [],
    "COST-002 no-budget-alert": [],
    "COST-003 no-cost-anomaly-monitor": [],
    "SCHED-001 nonprod-instance-always-on": [],
    "SCHED-002 schedule-targets-production": [],
    "IAM-001 root-mfa-disabled": ["iam_root_mfa_enabled"],
    "IAM-002 root-mfa-not-hardware": ["iam_root_hardware_mfa_enabled"],
    "IAM-003 console-user-without-mfa": ["iam_user_mfa_enabled_console_access"],
    "IAM-004 root-access-key": ["iam_no_root_access_key"],
    "IAM-005 user-access-key": ["iam_user_no_setup_initial_access_key", "iam_rotate_access_key_90_days"],
    "CONFIG-001 config-not-recording": ["config_recorder_all_regions_enabled"],
    "CONFIG-002 config-changes-not-notified": [],
    "CONFIG-003 config-baseline-rules-missing": [],
    "EC2-001 security-group-open-to-world": [
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22",
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
        "ec2_securitygroup_allow_ingress_from_internet_to_all_ports"],
    "S3-001 account-public-access-block-off": ["s3_account_level_public_access_blocks"],
    "S3-002 bucket-public": ["s3_bucket_public_access", "s3_bucket_policy_public_write_access",
                             "s3_bucket_public_list_acl", "s3_bucket_public_write_acl"],
    "INSPECTOR-001 inspector-disabled": ["inspector2_is_enabled"],
    "HUB-001 security-hub-disabled": ["securityhub_enabled"],
    "HUB-002 unexplained-failed-control": [],
    "IAM-006 unused-iam-user": ["iam_user_console_access_unused", "iam_user_accesskey_unused"],
    "IAM-007 weak-password-policy": [
        "iam_password_policy_minimum_length_14", "iam_password_policy_lowercase",
        "iam_password_policy_uppercase", "iam_password_policy_number", "iam_password_policy_symbol",
        "iam_password_policy_reuse_24"],
    "ANALYZER-001 access-analyzer-missing": ["accessanalyzer_enabled"],
    "ANALYZER-002 external-access-found": ["accessanalyzer_enabled_without_findings"],
    "ACCOUNT-001 account-alias-missing": [],
    "ACCOUNT-002 security-contact-missing": ["account_security_contact_information_is_registered"],
    "ORG-001 iam-users-in-member-account": [],
    "ORG-002 switch-role-missing": [],
    "ORG-003 switch-role-trust-too-broad": [],
    "ORG-004 assume-role-granted-to-user": ["iam_policy_attached_only_to_group_or_roles"],
    "SSM-001 instance-not-managed": ["ec2_instance_managed_by_ssm"],
    "HEALTH-001 health-events-not-routed": [],
    "GUARDDUTY-001 guardduty-disabled": ["guardduty_is_enabled"],
    "GUARDDUTY-002 guardduty-findings-not-routed": [],
    "TRAIL-001 cloudtrail-not-logging": ["cloudtrail_multi_region_enabled"],
}
PROWLER_CHECKS = sorted({check for checks in PROWLER_MAPPING.values() for check in checks})


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------
# Peak RSS of a process tree: /usr/bin/time's maximum (the largest single process, from wait4) and a /proc
# poller summing the tree every 10-100 ms (catches trees of several processes); the larger of the two is reported.

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    total, stack = 0, list(children.get(root, []))  # the descendants of /usr/bin/time, not time itself
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(command, env, stdout=subprocess.DEVNULL, stderr_path=None) -> dict:
    """Runs `command`; returns wall seconds, peak RSS bytes and the exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        wrapped = ["/usr/bin/time", "-f", "%M %U %S", "-o", timing.name] + command if os.path.exists("/usr/bin/time") \
            else command
        err = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, env=env, stdout=stdout, stderr=err)
        peak, done = 0, threading.Event()

        def poll():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                # Every 10 ms for the first 2 s (short runs), then every 100 ms (the poller costs CPU too).
                done.wait(0.01 if time.perf_counter() - start < 2 else 0.1)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        code = proc.wait()
        elapsed = time.perf_counter() - start
        done.set()
        poller.join()
        if stderr_path:
            err.close()
        cpu = float("nan")
        lines = [line.split() for line in timing.read().splitlines() if re.fullmatch(r"\d+ [\d.]+ [\d.]+", line)]
        if lines:
            peak = max(peak, int(lines[-1][0]) * 1024)
            cpu = float(lines[-1][1]) + float(lines[-1][2])
    return {"wall": elapsed, "rss": peak, "code": code, "cpu": cpu}


# ---------------------------------------------------------------------------------------------------------

def process_cpu(pid: int) -> float:
    """CPU seconds process `pid` has used so far (user + system), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Moto:
    """bench/moto_server.py in a subprocess of its own (so the bench's Python never competes with it)."""

    def __init__(self):
        self.port = free_port()
        env = dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "moto_server.py"), str(self.port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"moto server did not start: {line!r}")
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        """CPU seconds the moto server has used so far (user + system)."""
        return process_cpu(self.proc.pid)

    def requests(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint}/guardline-bench/requests") as answer:
            return json.load(answer)

    def reset_counts(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/guardline-bench/requests/reset",
                                                      data=b"", method="POST")).read()

    def stop(self) -> None:
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def aws_env(endpoint: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k.upper() not in (
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")}
    env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_REGION": seeder.HOME, "AWS_DEFAULT_REGION": seeder.HOME, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    return env


def prowler_env(moto: Moto) -> dict:
    # See /work/shared/moto-notes.md, "Running Prowler offline against moto": S3 Control goes to a host that
    # is never resolved, through moto used as a plain HTTP proxy.
    env = aws_env(moto.endpoint)
    env.update({"AWS_ENDPOINT_URL_S3_CONTROL": f"http://s3-control.moto.invalid:{moto.port}",
                "HTTP_PROXY": moto.endpoint, "http_proxy": moto.endpoint,
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    return env


def ensure_prowler(venv: str) -> str:
    prowler = os.path.join(venv, "bin", "prowler")
    if not os.path.exists(prowler):
        log(f"installing Prowler into {venv} (bench/requirements.txt) ...")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "-r",
                        os.path.join(HERE, "requirements.txt")], check=True)
    return prowler


def version(command) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout.strip()
        return out.splitlines()[-1] if out else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def prowler_summary(outdir: str) -> dict:
    """Status counts per check from Prowler's OCSF output."""
    counts = {}
    for name in os.listdir(outdir):
        if name.endswith(".ocsf.json"):
            with open(os.path.join(outdir, name)) as f:
                for finding in json.load(f):
                    check = finding.get("metadata", {}).get("event_code", "?")
                    status = finding.get("status_code", "?")
                    counts.setdefault(check, {}).setdefault(status, 0)
                    counts[check][status] += 1
    return counts


def fmt_bytes(n: float) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 1024:.0f} KiB"


def no_history(binary) -> list:
    """`--no-history` where the binary has it (builds before the scan history had none)."""
    out = subprocess.run([binary, "scan", "--help"], capture_output=True, text=True).stdout
    return ["--no-history"] if "--no-history" in out else []


def bench_size(size, args, binary, prowler) -> dict:
    log(f"\n== {size.name}: {size.users} users, {len(size.regions)} regions ==")
    moto = Moto()
    try:
        start = time.perf_counter()
        summary = seeder.seed(moto.endpoint, size)
        seconds = time.perf_counter() - start
        seeded_requests = moto.requests()["total"]
        log(f"  seeded in {seconds:.1f} s ({seeded_requests} requests): {summary}")
        regions = ",".join(size.regions)
        guardline = [binary, "scan", "--regions", regions, "--format", "json", "--no-progress", *no_history(binary),
                     "-o", "/dev/null", *args.guardline_arg]
        genv = aws_env(moto.endpoint)
        workdir = tempfile.mkdtemp(prefix=f"guardline-bench-{size.name}-")
        # Warm-up: moto builds each service backend of each region on first use.
        warm = measure(guardline, genv, stderr_path=os.path.join(workdir, "warmup.stderr"))
        if warm["code"] not in (0, 1):
            raise RuntimeError(f"guardline failed (exit {warm['code']}): see {workdir}/warmup.stderr")
        log(f"  guardline warm-up: {warm['wall']:.2f} s")
        if args.profile:
            moto.reset_counts()
            measure(guardline + ["-v"], genv, stderr_path=os.path.join(workdir, "guardline-v.stderr"))
            by_action = moto.requests()["by_action"]
            top = sorted(by_action.items(), key=lambda kv: -kv[1])[:15]
            log(f"  guardline -v log: {workdir}/guardline-v.stderr; requests by action (top 15):")
            for action, count in top:
                log(f"    {count:7d} {action}")
        # --scan-unused-services: Prowler skips security groups no interface uses (and other unused
        # resources) by default; Guardline evaluates them all, so compare the same coverage.
        pcmd = [prowler, "aws", "--no-banner", "--no-color", "--scan-unused-services", "-c", *PROWLER_CHECKS,
                "-f", *size.regions, "-M", "csv", "json-ocsf"]
        penv = prowler_env(moto)
        results = {"guardline": [], "prowler": []}
        runs = args.runs or (5 if size.name == "small" else 3)
        for run in range(1, runs + 1):
            moto.reset_counts()
            before = moto.cpu()
            g = measure(guardline, genv, stderr_path=os.path.join(workdir, f"guardline-{run}.stderr"))
            g["moto_cpu"] = moto.cpu() - before
            counts = moto.requests()
            g["requests"] = counts["total"]
            results["guardline"].append(g)
            log(f"  run {run} guardline: {g['wall']:7.2f} s {fmt_bytes(g['rss']):>8} {g['requests']:6d} requests"
                f" (exit {g['code']}; CPU: guardline {g['cpu']:.2f} s, moto {g['moto_cpu']:.2f} s)")
            if args.by_action:
                top = sorted(counts["by_action"].items(), key=lambda kv: (-kv[1], kv[0]))[:args.by_action]
                log(f"  run {run} guardline requests by action (top {args.by_action} of {len(counts['by_action'])}):")
                for action, count in top:
                    log(f"    {count:7d} {action}")
            if prowler:
                outdir = os.path.join(workdir, f"prowler-{run}")
                moto.reset_counts()
                before = moto.cpu()
                p = measure(pcmd + ["-o", outdir], penv, stderr_path=os.path.join(workdir, f"prowler-{run}.log"))
                p["moto_cpu"] = moto.cpu() - before
                counts = moto.requests()
                p["requests"] = counts["total"]
                p["by_action"] = counts["by_action"]
                results["prowler"].append(p)
                log(f"  run {run} prowler:   {p['wall']:7.2f} s {fmt_bytes(p['rss']):>8} {p['requests']:6d} "
                    f"requests (exit {p['code']}, 3 = FAIL findings; CPU: prowler {p['cpu']:.2f} s, "
                    f"moto {p['moto_cpu']:.2f} s)")
                if p["code"] not in (0, 3):
                    log(f"  prowler failed: see {workdir}/prowler-{run}.log")
        if prowler and results["prowler"]:
            counts = prowler_summary(os.path.join(workdir, f"prowler-{runs}"))
            missing = [c for c in PROWLER_CHECKS if c not in counts]
            log("  prowler results by check (last run): " + ", ".join(
                f"{check} {'/'.join(f'{k}:{v}' for k, v in sorted(c.items()))}" for check, c in sorted(counts.items())))
            if missing:
                log(f"  prowler checks with no result on moto (moto lacks the API, or Prowler dropped them): "
                    f"{', '.join(missing)}")
            top = sorted(results["prowler"][-1]["by_action"].items(), key=lambda kv: -kv[1])[:10]
            log("  prowler requests by action (last run, top 10): " + ", ".join(f"{a} {n}" for a, n in top))
        log(f"  logs and outputs: {workdir}")
        return {"size": size, "results": results, "seed_seconds": seconds}
    finally:
        moto.stop()


def median(values):
    return statistics.median(values) if values else float("nan")


def print_table(rows) -> None:
    print("\n| size | tool | runs | wall median (min-max) | peak RSS median | requests | CPU: tool / moto (median) |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        size = row["size"]
        label = f"{size.name} ({size.users} users, {len(size.regions)} regions)"
        for tool in ("guardline", "prowler"):
            runs = row["results"][tool]
            if not runs:
                continue
            walls = [r["wall"] for r in runs]
            print(f"| {label} | {tool} | {len(runs)} | {median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}) "
                  f"| {fmt_bytes(median([r['rss'] for r in runs]))} | {median([r['requests'] for r in runs]):.0f} "
                  f"| {median([r['cpu'] for r in runs]):.2f} s / {median([r['moto_cpu'] for r in runs]):.2f} s |")
        g, p = row["results"]["guardline"], row["results"]["prowler"]
        if g and p:
            wall = median([r["wall"] for r in p]) / median([r["wall"] for r in g])
            rss = median([r["rss"] for r in p]) / median([r["rss"] for r in g])
            req = median([r["requests"] for r in p]) / max(1, median([r["requests"] for r in g]))
            verdict = lambda ok: "met" if ok else "MISSED"  # noqa: E731
            print(f"| {label} | **Prowler / Guardline** | | **{wall:.1f}x** (target >= 30x: {verdict(wall >= 30)}) "
                  f"| **{rss:.1f}x** (target >= 10x: {verdict(rss >= 10)}) "
                  f"| **{req:.2f}x** (target > 1: {verdict(req > 1)}) | |")


def bench_snapshot(args, binary) -> None:
    log(f"\n== snapshot evaluation: {args.resources} resources ==")
    os.makedirs(CACHE, exist_ok=True)
    small = os.path.join(CACHE, "snapshot-2000.json")
    subprocess.run([sys.executable, os.path.join(HERE, "big_snapshot.py"), small, "--resources", "2000"], check=True)
    check = subprocess.run([binary, "scan", "--snapshot", small, "--format", "json", *no_history(binary)],
                           capture_output=True, text=True)
    if check.returncode not in (0, 1) or '"guardline-report"' not in check.stdout:
        raise RuntimeError(f"the generated snapshot does not load: {check.stderr}")
    big = os.path.join(CACHE, f"snapshot-{args.resources}.json")
    start = time.perf_counter()  # always regenerated: it follows demo/snapshot.json's current shape
    subprocess.run([sys.executable, os.path.join(HERE, "big_snapshot.py"), big, "--resources",
                    str(args.resources)], check=True)
    log(f"  generated in {time.perf_counter() - start:.1f} s")
    size = os.path.getsize(big)
    print(f"\n| snapshot ({args.resources} resources, {size / 1e6:.0f} MB) | runs | wall median (min-max) "
          f"| peak RSS median | RSS / file size |")
    print("|---|---|---|---|---|")
    runs = args.runs or 3
    for fmt in ("json", "terminal"):
        results = []
        for run in range(runs):
            r = measure([binary, "scan", "--snapshot", big, "--format", fmt, *no_history(binary), "--color",
                         "never", "-o", "/dev/null"], os.environ)
            if r["code"] not in (0, 1):
                raise RuntimeError(f"guardline scan --snapshot failed (exit {r['code']})")
            results.append(r)
            log(f"  --format {fmt} run {run + 1}: {r['wall']:.2f} s, {fmt_bytes(r['rss'])}")
            if r["wall"] > 20:
                break  # far off the target: one run says enough, and saves minutes
        walls = [r["wall"] for r in results]
        rss = median([r["rss"] for r in results])
        ok = "met" if median(walls) < 2 else "MISSED"
        print(f"| `--format {fmt}` | {len(results)} | {median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}; "
              f"target < 2 s: {ok}) | {fmt_bytes(rss)} | {rss / size:.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    parser.add_argument("--binary", default=os.path.join(target, "release", "guardline"))
    parser.add_argument("--size", choices=["small", "large", "all", "none"], default="all")
    parser.add_argument("--runs", type=int, default=0, help="runs per tool (default 5 small, 3 large and snapshot)")
    parser.add_argument("--no-prowler", action="store_true", help="time Guardline only")
    parser.add_argument("--venv", default=os.path.join(CACHE, "venv"), help="Prowler's virtualenv")
    parser.add_argument("--snapshot", dest="snapshot", action="store_true", default=None,
                        help="also time the 1,000,000-resource snapshot (default with --size all|none)")
    parser.add_argument("--no-snapshot", dest="snapshot", action="store_false")
    parser.add_argument("--resources", type=int, default=1_000_000, help="resources in the big snapshot")
    parser.add_argument("--by-action", type=int, nargs="?", const=25, default=0, metavar="N",
                        help="print each Guardline run's requests by action (top N, default 25)")
    parser.add_argument("--mapping", action="store_true",
                        help="print the Guardline control -> Prowler checks mapping as a Markdown table, and exit")
    parser.add_argument("--profile", action="store_true",
                        help="one extra Guardline run with -v, and its requests by action")
    parser.add_argument("--guardline-arg", action="append", default=[],
                        help="extra argument for `guardline scan` (repeatable), e.g. --guardline-arg=--concurrency=64")
    args = parser.parse_args()
    if args.mapping:
        print("| Guardline control | Prowler 5.46 checks run for it |\n|---|---|")
        for control, checks in PROWLER_MAPPING.items():
            print(f"| {control} | {', '.join(f'`{check}`' for check in checks) or '(none)'} |")
        return 0
    if not os.path.exists(args.binary):
        log(f"{args.binary} not found: run `cargo build --release -p guardline` first (or pass --binary)")
        return 2
    sizes = {"small": ["small"], "large": ["large"], "all": ["small", "large"], "none": []}[args.size]
    if args.snapshot is None:
        args.snapshot = args.size in ("all", "none")
    prowler = None if args.no_prowler or not sizes else ensure_prowler(args.venv)

    print(f"guardline: {version([args.binary, '--version'])} ({args.binary})")
    if prowler:
        print(f"prowler: {version([prowler, '--version'])}; checks: {len(PROWLER_CHECKS)} "
              f"(for {sum(1 for c in PROWLER_MAPPING.values() if c)} of {len(PROWLER_MAPPING)} controls)")
    import moto  # noqa: E402
    print(f"moto: {moto.__version__}; machine: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * PAGE / 2**30:.0f} GiB")
    rows = []
    for name in sizes:
        rows.append(bench_size(seeder.SIZES[name], args, args.binary, prowler))
        if len(sizes) > 1 and name != sizes[-1]:
            print_table(rows[-1:])  # partial results, in case the rest is interrupted
            sys.stdout.flush()
    if rows:
        print_table(rows)
    if args.snapshot:
        bench_snapshot(args, args.binary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
