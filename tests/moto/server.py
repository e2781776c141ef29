"""Test-only moto server for Guardline's tests.

Starts moto's threaded server on 127.0.0.1 at the port given as the only argument, prints `ready PORT` once it
answers, and stops when its standard input closes, so a test process that dies never leaves it behind.
"""

import logging
import os
import sys
import urllib.request

from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1])
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=10).read()
    print(f"ready {port}", flush=True)
    # The launcher stops reading stdout after the ready line. moto prints to stdout for some requests (e.g. an
    # Access Analyzer call: "Unable to find appropriate backend"); on a closed pipe that print raises and the
    # request never gets an answer, so the client hangs. Send everything after the ready line to /dev/null.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
