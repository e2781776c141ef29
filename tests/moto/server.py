"""Test-only moto server for Guardline's tests.

Serves moto's app, wrapped by `extensions.Extensions` (the operations moto 5.2.5 lacks and Guardline needs),
on a threaded werkzeug server on 127.0.0.1 at the port given as the only argument. Prints `ready PORT` once it
answers, and stops when its standard input closes, so a test process that dies never leaves it behind.
"""

import logging
import os
import sys
import threading
import urllib.request

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from extensions import Extensions  # noqa: E402


def serve(port: int, wrap=lambda app: app) -> None:
    """Serves moto with the extensions (and `wrap` around them) until standard input closes."""
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    app = wrap(Extensions(DomainDispatcherApplication(create_backend_app)))
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/data.json", timeout=10).read()
    print(f"ready {port}", flush=True)
    # The launcher stops reading stdout after the ready line. moto prints to stdout for some requests (e.g. a
    # service it has no backend for: "Unable to find appropriate backend"); on a closed pipe that print raises
    # and the request never gets an answer, so the client hangs. Send everything after the ready line to
    # /dev/null.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
