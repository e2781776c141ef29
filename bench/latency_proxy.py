#!/usr/bin/env python3
"""An AWS-like network between a tool and moto: every request is delayed by a round trip, and each service's
request rate is limited as AWS limits it, with throttling answered in the service protocol's own error format
(so each tool's own retry logic is exercised, as it would be against AWS).

    python3 bench/latency_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--latency-ms 40]
        [--jitter-ms 10] [--no-limits]
    python3 bench/latency_proxy.py --self-check [--latency-ms 40]

Prints `ready PORT` once it listens, and stops when its standard input closes (like bench/moto_server.py).
`GET /guardline-latency/stats` answers {"requests", "throttled": {service: n}, "max_in_flight"}, and
`POST /guardline-latency/stats/reset` resets them.

Latency: each request waits `latency-ms` plus a uniform jitter of up to +/- `jitter-ms` before it is forwarded
(one round trip per request: the TLS and TCP set-up of a new connection is not modelled, as SDKs keep
connections alive). Requests are served concurrently, one thread each, so N parallel requests take one
round trip, not N: `--self-check` measures exactly that (200 requests at once through the proxy to a trivial
upstream must finish within a few round trips), which is how the proxy is shown not to be the bound.

Rate limits: a token bucket per (credentials, region, service), or per API where AWS limits per API,
refilled continuously. Where AWS documents the rate it is used; where it does not, a conservative figure
is, and says so (RATE_LIMITS below). A request over the limit is answered at once (after its round trip) with
the throttling error the service sends:

- EC2 (query): 503 `RequestLimitExceeded` (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html);
- IAM, STS and other query services: 400 `Throttling` in an `ErrorResponse`;
- awsJson services (a request with `X-Amz-Target`): 400 `ThrottlingException`;
- restJson services: 429 with `x-amzn-ErrorType: TooManyRequestsException`;
- S3 (restXml): 503 `SlowDown`.
"""

import argparse
import collections
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCOPE = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")

# service -> (per_api, burst, refill per second, source). `per_api`: one bucket per API action (EC2's
# request rate limiting); else one per service.
RATE_LIMITS = {
    "ec2": (True, 100, 20.0, "documented: non-mutating actions, bucket 100, refill 20/s per account and Region "
                             "(EC2 API request throttling)"),
    "sts": (False, 600, 600.0, "documented: 600 requests per second per account and Region (STS quotas)"),
    "securityhub": (False, 6, 3.0, "documented for GetFindings: rate 3/s, burst 6 (Security Hub quotas)"),
    "account": (False, 15, 10.0, "documented for GetAlternateContact: 10/s, burst 15 per account (Account "
                                 "Management quotas)"),
    "iam": (False, 20, 15.0, "not published: a conservative 15/s, burst 20 (IAM is a global service)"),
    "organizations": (False, 20, 10.0, "not published: a conservative 10/s, burst 20"),
    "s3": (False, 5500, 5500.0, "documented: 5,500 GET/HEAD per second per prefix (S3 performance guidelines)"),
}
DEFAULT_LIMIT = (False, 40, 20.0, "not published for this service: a conservative 20/s, burst 40")

QUERY_SERVICES = {"iam", "sts", "sns", "cloudformation", "autoscaling", "elasticloadbalancing", "rds", "ses",
                  "cloudwatch"}


class Server(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog deep enough for a tool's whole burst of connections
    (the default of 5 makes the kernel drop SYNs, which the clients retry a second later)."""

    daemon_threads = True
    request_queue_size = 1024


class Buckets:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.lock = threading.Lock()
        self.state: dict[tuple, tuple[float, float]] = {}

    def take(self, key: tuple, service: str) -> bool:
        if not self.enabled:
            return True
        _, burst, rate, _ = RATE_LIMITS.get(service, DEFAULT_LIMIT)
        now = time.monotonic()
        with self.lock:
            tokens, at = self.state.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - at) * rate)
            if tokens < 1.0:
                self.state[key] = (tokens, now)
                return False
            self.state[key] = (tokens - 1.0, now)
            return True


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.requests = 0
        self.throttled = collections.Counter()
        self.in_flight = 0
        self.max_in_flight = 0


def throttle_answer(service: str, json_target: bool) -> tuple[int, dict[str, str], bytes]:
    request_id = "00000000-0000-0000-0000-000000000000"
    if json_target:
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        return 400, {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}, body
    if service == "ec2":
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                f"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>{request_id}</RequestID>"
                f"</Response>").encode()
        return 503, {"Content-Type": "text/xml"}, body
    if service == "s3":
        body = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                b"<Message>Please reduce your request rate.</Message></Error>")
        return 503, {"Content-Type": "application/xml"}, body
    if service in QUERY_SERVICES:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
        return 400, {"Content-Type": "text/xml"}, body
    body = json.dumps({"message": "Rate exceeded"}).encode()
    return 429, {"Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException",
                 "x-amzn-RequestId": request_id}, body


def query_action(path: str, body: bytes, content_type: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return query["Action"][0]
    if content_type.startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return form["Action"][0]
    return ""


def make_handler(upstream: urllib.parse.SplitResult, latency: float, jitter: float, buckets: Buckets,
                 stats: Stats):
    local = threading.local()

    def connection() -> http.client.HTTPConnection:
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=300)
        return local.connection

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are written apart: without TCP_NODELAY, Nagle and the client's delayed ACK add
        # 40 ms to every answer.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def answer(self, status: int, headers: dict[str, str], body: bytes):
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def handle_any(self):
            body = self.body()
            if self.path.startswith("/guardline-latency/stats"):
                with stats.lock:
                    if self.command == "POST":
                        stats.reset()
                    answer = {"requests": stats.requests, "throttled": dict(stats.throttled),
                              "max_in_flight": stats.max_in_flight}
                self.answer(200, {"Content-Type": "application/json"}, json.dumps(answer).encode())
                return
            with stats.lock:
                stats.requests += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                time.sleep(max(0.0, latency + random.uniform(-jitter, jitter)))
                scope = SCOPE.search(self.headers.get("Authorization", ""))
                key_id, region, service = scope.groups() if scope else ("?", "?", "?")
                target = self.headers.get("X-Amz-Target", "")
                per_api, *_ = RATE_LIMITS.get(service, DEFAULT_LIMIT)
                action = ""
                if per_api:
                    action = target or query_action(self.path, body, self.headers.get("Content-Type", ""))
                if not buckets.take((key_id, region, service, action), service):
                    with stats.lock:
                        stats.throttled[service] += 1
                    self.answer(*throttle_answer(service, bool(target)))
                    return
                headers = {key: value for key, value in self.headers.items()
                           if key.lower() not in ("transfer-encoding", "connection", "content-length")}
                headers["Content-Length"] = str(len(body))
                for attempt in range(2):
                    try:
                        upstream_connection = connection()
                        upstream_connection.request(self.command, self.path, body=body, headers=headers)
                        response = upstream_connection.getresponse()
                        data = response.read()
                        break
                    except (http.client.HTTPException, OSError):
                        local.connection = None
                        if attempt:
                            raise
                self.answer(response.status, dict(response.getheaders()), data)
            finally:
                with stats.lock:
                    stats.in_flight -= 1

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

    return Handler


def serve(upstream: str, port: int, latency_ms: float, jitter_ms: float, limits: bool) -> ThreadingHTTPServer:
    stats = Stats()
    handler = make_handler(urllib.parse.urlsplit(upstream), latency_ms / 1000, jitter_ms / 1000,
                           Buckets(limits), stats)
    server = Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def self_check(latency_ms: float) -> int:
    """200 concurrent requests through the proxy to an upstream that answers at once: they must take a few
    round trips, not 200. Prints the figures; exit 1 when the proxy serialises them."""

    class Upstream(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    origin = Server(("127.0.0.1", 0), Upstream)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    proxy = serve(f"http://127.0.0.1:{origin.server_address[1]}", 0, latency_ms, 0, False)
    port = proxy.server_address[1]

    def one():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/")
        connection.getresponse().read()

    count = 200
    start = time.perf_counter()
    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    round_trips = elapsed / (latency_ms / 1000)
    print(f"{count} concurrent requests at {latency_ms:.0f} ms: {elapsed * 1000:.0f} ms "
          f"({round_trips:.1f} round trips; serialised would be {count})")
    # What the proxy adds to one request beyond the round trip: sequential requests on one connection.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    for _ in range(50):
        connection.request("GET", "/")
        connection.getresponse().read()
    overhead = (time.perf_counter() - start) / 50 - latency_ms / 1000
    print(f"overhead per request beyond the {latency_ms:.0f} ms round trip: {overhead * 1000:.2f} ms")
    return 0 if round_trips < 10 and overhead < 0.005 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency-ms", type=float, default=40.0)
    parser.add_argument("--jitter-ms", type=float, default=10.0)
    parser.add_argument("--no-limits", action="store_true", help="delay only; no rate limits")
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    if args.self_check:
        return self_check(args.latency_ms)
    if not args.upstream:
        parser.error("--upstream is required")
    server = serve(args.upstream, args.port, args.latency_ms, args.jitter_ms, not args.no_limits)
    print(f"ready {server.server_address[1]}", flush=True)
    sys.stdin.read()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
