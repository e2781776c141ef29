"""The benchmark's moto server: tests/moto/server.py's app, plus a request counter.

Serves moto 5.2.5 wrapped by the test extensions (`tests/moto/extensions.py`, the operations moto lacks and
Guardline calls) on a threaded werkzeug server on 127.0.0.1 at the port given as the only argument, with one
more WSGI layer in front that counts every request it receives, by service and action. The bench reads and
resets the counters over HTTP (bench-only; the test server has no such endpoint):

- `GET /guardline-bench/requests` -> {"total": N, "by_action": {"ec2:DescribeInstances": n, ...}}
- `POST /guardline-bench/requests/reset` -> {"status": "ok"}

Prints `ready PORT` once it answers, and stops when its standard input closes.
"""

import collections
import json
import os
import re
import sys
import threading
from io import BytesIO
from urllib.parse import parse_qs

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "moto"))
from server import serve  # noqa: E402  (the test server: moto plus tests/moto/extensions.py)

SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


class Counter:
    """Counts requests by `service:action` (the action as far as the request names it) and passes them on."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.counts = collections.Counter()

    def action(self, environ) -> str:
        service = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = service.group(1) if service else "?"
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return f"{service}:{target.rsplit('.', 1)[-1]}"
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "Action" in query:
            return f"{service}:{query['Action'][0]}"
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = BytesIO(body)
            action = parse_qs(body.decode("utf-8", "replace")).get("Action")
            if action:
                return f"{service}:{action[0]}"
        # REST protocols (S3, GuardDuty, Security Hub, ...): method and the path's first segment.
        path = environ.get("PATH_INFO", "/")
        first = path.strip("/").split("/", 1)[0] if service != "s3" else ("bucket" if path.strip("/") else "")
        subresource = ",".join(sorted(k for k in query if k not in ("x-id", "list-type", "prefix", "max-keys")))
        return f"{service}:{environ['REQUEST_METHOD']} /{first}{'?' + subresource if subresource else ''}"

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/guardline-bench/requests"):
            with self.lock:
                if environ["REQUEST_METHOD"] == "POST":
                    self.counts.clear()
                    body = {"status": "ok"}
                else:
                    body = {"total": sum(self.counts.values()), "by_action": dict(self.counts)}
            data = json.dumps(body).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
            return [data]
        if not path.startswith("/moto-api"):
            key = self.action(environ)
            with self.lock:
                self.counts[key] += 1
        return self.app(environ, start_response)


if __name__ == "__main__":
    serve(int(sys.argv[1]), wrap=Counter)
