"""Shared helpers of the independent cross-check (see README.md): the test moto server, fresh accounts,
documented answers, and the scan under test.

Environment: GUARDLINE_BIN (the binary to check; default target/debug/guardline), XPORT (the server's port;
default a free one), XOUT (where each scan's report and stderr go; default a temporary directory)."""
import subprocess, json, os, sys, time, random, socket, tempfile, urllib.request, datetime, base64
import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

PORT = int(os.environ.get("XPORT") or free_port())
EP = f"http://127.0.0.1:{PORT}"
BIN = os.environ.get("GUARDLINE_BIN", os.path.join(ROOT, "target", "debug", "guardline"))
OUT = os.environ.get("XOUT") or tempfile.mkdtemp(prefix="guardline-crosscheck-")
SRV = None

def start_server():
    global SRV
    SRV = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "moto", "server.py"), str(PORT)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(OUT, "server.err"), "w"))
    line = SRV.stdout.readline().decode()
    assert line.startswith("ready"), line
    return SRV

def stop_server():
    if SRV:
        SRV.stdin.close(); SRV.wait(timeout=20)

_used = set()
def new_account():
    while True:
        a = "".join(random.choice("0123456789") for _ in range(12))
        if a[0] != "0" and a not in _used:
            _used.add(a); return a

def creds(account):
    sts = boto3.client("sts", endpoint_url=EP, region_name="us-east-1",
                       aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x")
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/x", RoleSessionName="xcheck")["Credentials"]
    return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "SessionToken": c["SessionToken"]}

class Acct:
    def __init__(self, account=None):
        self.id = account or new_account()
        self.c = creds(self.id)
    def client(self, svc, region="ap-northeast-1"):
        return boto3.client(svc, endpoint_url=EP, region_name=region,
                            aws_access_key_id=self.c["AccessKeyId"], aws_secret_access_key=self.c["SecretAccessKey"],
                            aws_session_token=self.c["SessionToken"])
    def serve(self, service, operation, body, reference, region="*", match=None, status=None, times=None):
        d = {"account_id": self.id, "region": region, "service": service, "operation": operation,
             "body": body, "reference": reference}
        if match is not None: d["match"] = match
        if status is not None: d["status"] = status
        if times is not None: d["times"] = times
        req = urllib.request.Request(EP + "/guardline-test/answers", data=json.dumps(d).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        r = json.loads(urllib.request.urlopen(req).read())
        assert r.get("status") == "ok", r
    def seed(self, path, body):
        req = urllib.request.Request(EP + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        return json.loads(urllib.request.urlopen(req).read())
    def scan(self, config=None, regions="ap-northeast-1,us-east-1", extra=()):
        env = dict(os.environ)
        env.update({"AWS_ENDPOINT_URL": EP, "AWS_ACCESS_KEY_ID": self.c["AccessKeyId"],
                    "AWS_SECRET_ACCESS_KEY": self.c["SecretAccessKey"], "AWS_SESSION_TOKEN": self.c["SessionToken"],
                    "AWS_REGION": "ap-northeast-1", "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                    "GUARDLINE_HISTORY_DB": os.path.join(OUT, "history.sqlite3")})
        cmd = [BIN, "scan", "--format", "json", "--no-history", "--no-progress", "--regions", regions,
               "--max-attempts", "1", "--show-pass"]
        if config:
            path = os.path.join(OUT, f"cfg-{self.id}.toml")
            open(path, "w").write(config); cmd += ["--config", path]
        cmd += list(extra)
        t = time.time()
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        open(os.path.join(OUT, f"out-{self.id}.json"), "w").write(p.stdout)
        open(os.path.join(OUT, f"err-{self.id}.txt"), "w").write(p.stderr)
        try:
            rep = json.loads(p.stdout)
        except Exception:
            print("scan failed rc", p.returncode, p.stderr[-3000:]); raise
        rep["_elapsed"] = time.time() - t
        rep["_rc"] = p.returncode
        return rep

def findings(rep, control):
    out = []
    def walk(x):
        if isinstance(x, dict):
            if x.get("control") == control and "status" in x:
                out.append(x)
            for v in x.values(): walk(v)
        elif isinstance(x, list):
            for v in x: walk(v)
    walk(rep)
    return out

def show(rep, control):
    fs = findings(rep, control)
    for f in fs:
        msg = f.get("message", {})
        msg = msg.get("en") if isinstance(msg, dict) else msg
        print(f"  {control} [{f.get('region')}] {f.get('resource')} subj={f.get('subject')} status={f.get('status')} outcome={f.get('outcome')}\n     {msg}")
    return fs
