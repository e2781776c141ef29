#!/usr/bin/env python3
"""Benchmark: `guardline scan` of the small emulated account (10 IAM users, 3 regions) on moto server, alone.

Kept for the quick check; it is `bench/run.py --size small --no-prowler --no-snapshot` (see bench/run.py for
the full benchmark against Prowler and the 1,000,000-resource snapshot). Usage:

    cargo build --release -p guardline && python3 bench/scan_small.py [--binary PATH] [--runs N]
"""

import os
import subprocess
import sys

if __name__ == "__main__":
    run = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run.py")
    sys.exit(subprocess.call([sys.executable, run, "--size", "small", "--no-prowler", "--no-snapshot",
                              *sys.argv[1:]]))
