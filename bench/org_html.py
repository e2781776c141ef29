#!/usr/bin/env python3
"""Benchmark: the organisation HTML report of 200 accounts in headless Chromium.

Writes the outputs of one `scan --org --shard 0/1` run by hand (a manifest and one record per account, each
the demo account's snapshot under its own ID, in four OUs), renders them with `guardline merge --format
html`, then opens the page in headless Chromium several times, without and with filters in the URL. The
page's script records, on <body>, `data-ready-ms` (navigation start to the end of its script: parsing and
the first application of the filters) and `data-filter-ms` (one application of the filters). Prints the page
size and the median of each. Usage:

    cargo build --release && python3 bench/org_html.py [--binary PATH] [--accounts N] [--runs N]

The binary defaults to $CARGO_TARGET_DIR/release/guardline (or target/release/guardline); Chromium is
$GUARDLINE_CHROMIUM or /usr/bin/chromium.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_ID = "123456789012"
OUS = [
    ("Root/Workloads/Prod", ["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"]),
    ("Root/Workloads/Dev", ["r-ab12", "ou-ab12-11111111", "ou-ab12-33333333"]),
    ("Root/Sandbox", ["r-ab12", "ou-ab12-44444444"]),
    ("Root/Security", ["r-ab12", "ou-ab12-55555555"]),
]


def default_binary() -> str:
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(Path(target) / "release" / "guardline")


def write_shard(out: Path, accounts: int) -> None:
    snapshot = (ROOT / "demo" / "snapshot.json").read_text()
    (out / "accounts").mkdir(parents=True)
    ids = [f"{100_000_000_000 + index:012d}" for index in range(accounts)]
    for index, account_id in enumerate(ids):
        ou_path, ou_ids = OUS[index % len(OUS)]
        record = {
            "format": "guardline-org-account",
            "version": 1,
            "account": {
                "id": account_id,
                "name": f"account-{index}",
                "email": f"aws+{index}@example.com",
                "status": "ACTIVE",
                "ou_path": ou_path,
                "ou_ids": ou_ids,
                "tags": {},
            },
            "outcome": {"snapshot": json.loads(snapshot.replace(DEMO_ID, account_id))},
        }
        (out / "accounts" / f"{account_id}.json").write_text(json.dumps(record))
    manifest = {
        "format": "guardline-org-shard",
        "version": 1,
        "index": 0,
        "count": 1,
        "selected": ids,
        "accounts": ids,
    }
    (out / "shard-0-of-1.json").write_text(json.dumps(manifest))


def open_page(chromium: str, url: str, profile: Path) -> dict:
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={profile}",
         "--dump-dom", url],
        capture_output=True, text=True, check=True,
    ).stdout
    body = re.search(r"<body[^>]*>", dom).group(0)
    return {name: float(re.search(rf'data-{name}-ms="([0-9.]+)"', body).group(1)) for name in ("ready", "filter")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=default_binary())
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chromium = os.environ.get("GUARDLINE_CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        write_shard(scratch / "shard", args.accounts)
        page = scratch / "org.html"
        merge = subprocess.run(
            [args.binary, "merge", str(scratch / "shard"), "--format", "html", "-o", str(page), "--no-history",
             "--today", "2026-11-28", "-c", str(ROOT / "demo" / "guardline.toml"), "-q"],
            capture_output=True, text=True,
        )
        if merge.returncode not in (0, 1):
            print(merge.stderr, file=sys.stderr)
            return 2
        print(f"organisation HTML report: {args.accounts} accounts, {page.stat().st_size / 1024 / 1024:.1f} MiB")
        views = {
            "no filter": f"file://{page}",
            "?ou=Root/Workloads&severity=high": f"file://{page}?ou=Root/Workloads&severity=high",
        }
        for view, url in views.items():
            runs = [open_page(chromium, url, scratch / "profile") for _ in range(args.runs)]
            ready = statistics.median(run["ready"] for run in runs)
            filter_ms = statistics.median(run["filter"] for run in runs)
            print(f"  {view:36} loaded in {ready:6.0f} ms, filters applied in {filter_ms:5.0f} ms "
                  f"(median of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
