"""The admin API (Postern only) against a real `postern serve` with the admin listener and a token file:
every endpoint, the bearer token (none, wrong, file missing, API off without a file), a live IMAP session
listed and disconnected, the CLI and the API giving the same errors, and schemathesis over the committed
OpenAPI document finding no server error and no response outside the document."""
from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import PosternProcess, run_cli
from rawimap import RawIMAP

pytestmark = pytest.mark.postern

TOKEN = "e2e-admin-token-0123456789abcdef"
SPEC = Path(__file__).resolve().parents[2] / "Sources" / "PosternAdminAPI" / "openapi.yaml"


def request(port: int, method: str, path: str, body: dict | None = None, token: str | None = TOKEN,
            headers: dict | None = None) -> tuple[int, dict, object]:
    """One call; returns the status, the headers (lowercased names) and the body (decoded when JSON)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        raw = r.read()
        found = {k.lower(): v for k, v in r.getheaders()}
        is_json = "json" in found.get("content-type", "")
        return r.status, found, json.loads(raw) if raw and is_json else raw.decode()
    finally:
        c.close()


def problem(port: int, method: str, path: str, body: dict | None = None, **kw) -> tuple[int, str]:
    """A call that fails: its status and the problem's detail (checking the problem's form)."""
    status, headers, doc = request(port, method, path, body, **kw)
    assert headers.get("content-type") == "application/problem+json", (status, headers, doc)
    assert doc["status"] == status and doc["title"] and "\n" not in doc["detail"], doc
    return status, doc["detail"]


def start(tmp: Path, config: str, name: str = "data") -> PosternProcess:
    data = tmp / name
    data.mkdir()
    (tmp / f"{name}.toml").write_text(config)
    return PosternProcess(data, ["--admin", "127.0.0.1:0", "--config", str(tmp / f"{name}.toml")])


@pytest.fixture(scope="module")
def api():
    tmp = tempfile.TemporaryDirectory(prefix="postern-api-")
    root = Path(tmp.name)
    (root / "token").write_text(TOKEN + "\n")
    p = start(root, f'admin_token_file = "{root / "token"}"\n')
    try:
        p.wait_ready()
        yield p
    finally:
        p.stop()
        tmp.cleanup()


def cafile(p: PosternProcess) -> str:
    return str(p.data_dir / "tls" / "cert.pem")


def imap_login(p: PosternProcess, user: str, password: str) -> RawIMAP:
    c = RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile(p))
    c.login(user, password)
    return c


def can_log_in(p: PosternProcess, user: str, password: str) -> bool:
    with RawIMAP.connect_tls("127.0.0.1", p.ports["imaps"], cafile=cafile(p)) as c:
        return c.command(f'L1 LOGIN "{user}" "{password}"').status == "OK"


def test_token_is_required(api):
    port = api.ports["admin"]
    for token in (None, "wrong-token-but-long-enough", TOKEN + "x", ""):
        status, headers, doc = request(port, "GET", "/api/v1/accounts", token=token)
        assert status == 401, (token, status, doc)
        assert headers.get("www-authenticate") == "Bearer"
        assert doc["detail"] == "a bearer token from admin_token_file is needed"
    status, _, _ = request(port, "GET", "/api/v1/accounts", token=None, headers={"Authorization": f"Basic {TOKEN}"})
    assert status == 401
    # Metrics and health need no token, as before.
    assert request(port, "GET", "/health/live", token=None)[0] == 200
    assert request(port, "GET", "/metrics", token=None)[0] == 200
    assert TOKEN not in "\n".join(api.stderr + api.stdout)


def test_accounts_passwords_and_errors(api):
    port = api.ports["admin"]
    status, headers, created = request(port, "POST", "/api/v1/accounts", {"name": "apiuser"})
    assert status == 201 and headers["content-type"].startswith("application/json"), created
    generated = created["password"]
    assert created["name"] == "apiuser" and len(generated) == 20
    assert can_log_in(api, "apiuser", generated)
    status, _, given = request(port, "POST", "/api/v1/accounts", {"name": "apigiven", "password": "given-pass-1"})
    assert status == 201 and "password" not in given
    assert can_log_in(api, "apigiven", "given-pass-1")

    status, _, listed = request(port, "GET", "/api/v1/accounts")
    names = {a["name"]: a for a in listed}
    assert status == 200 and {"apiuser", "apigiven"} <= set(names)
    assert names["apiuser"]["usedBytes"] == 0 and names["apiuser"]["usedMessages"] == 0
    status, _, one = request(port, "GET", "/api/v1/accounts/APIUSER")
    assert status == 200 and one["name"] == "apiuser" and one["created"].endswith("Z")

    status, _, changed = request(port, "PUT", "/api/v1/accounts/apigiven/password", {"password": "changed-pass-2"})
    assert status == 200 and changed == {"appPasswordsRevoked": 0}
    assert can_log_in(api, "apigiven", "changed-pass-2") and not can_log_in(api, "apigiven", "given-pass-1")
    status, _, changed = request(port, "PUT", "/api/v1/accounts/apigiven/password", {})
    assert status == 200 and len(changed["password"]) == 20

    assert problem(port, "POST", "/api/v1/accounts", {"name": "apiuser"}) == (409, "account 'apiuser' already exists")
    status, detail = problem(port, "POST", "/api/v1/accounts", {"name": "bad/name"})
    assert status == 400 and detail.startswith("invalid account name 'bad/name'")
    assert problem(port, "POST", "/api/v1/accounts", {"name": "x", "password": ""}) == (400, "the password is empty")
    status, detail = problem(port, "POST", "/api/v1/accounts", {"password": "no-name"})
    assert status == 400 and detail.startswith("the request does not match the API")
    status, detail = problem(port, "POST", "/api/v1/accounts", headers={"Content-Type": "application/json"})
    assert status == 400
    for method, path in [("GET", "/api/v1/accounts/nobody"), ("DELETE", "/api/v1/accounts/nobody"),
                         ("GET", "/api/v1/accounts/nobody/quota"), ("GET", "/api/v1/accounts/nobody/mailboxes"),
                         ("GET", "/api/v1/accounts/nobody/app-passwords")]:
        assert problem(port, method, path) == (404, "no account named 'nobody'"), path
    big = {"name": "big", "password": "p" * (70 * 1024)}
    status, detail = problem(port, "POST", "/api/v1/accounts", big)
    assert status == 413 and "larger than 65536 bytes" in detail

    assert request(port, "DELETE", "/api/v1/accounts/apigiven")[0] == 204
    assert problem(port, "GET", "/api/v1/accounts/apigiven") == (404, "no account named 'apigiven'")
    assert not can_log_in(api, "apigiven", changed["password"])
    log = "\n".join(api.stderr + api.stdout)
    assert generated not in log and "changed-pass-2" not in log and TOKEN not in log


def test_cli_and_api_share_accounts_and_errors(api):
    port = api.ports["admin"]
    r = run_cli("user", "add", "clishared", "--password-stdin", "--data-dir", str(api.data_dir),
                input="cli-pass-1\n")
    assert r.returncode == 0, r.stderr
    assert request(port, "GET", "/api/v1/accounts/clishared")[0] == 200
    r = run_cli("user", "add", "clishared", "--password-stdin", "--data-dir", str(api.data_dir),
                input="cli-pass-1\n")
    status, detail = problem(port, "POST", "/api/v1/accounts", {"name": "clishared"})
    assert r.returncode == 2 and r.stderr.strip() == f"postern: {detail}" and status == 409
    r = run_cli("user", "app-password", "revoke", "clishared", "none", "--data-dir", str(api.data_dir))
    status, detail = problem(port, "DELETE", "/api/v1/accounts/clishared/app-passwords/none")
    assert r.returncode == 2 and r.stderr.strip() == f"postern: {detail}" and status == 404
    r = run_cli("user", "passwd", "ghost", "--data-dir", str(api.data_dir))
    status, detail = problem(port, "PUT", "/api/v1/accounts/ghost/password", {})
    assert r.returncode == 2 and r.stderr.strip() == f"postern: {detail}" and status == 404


def test_quota_app_passwords_and_mailboxes(api):
    port = api.ports["admin"]
    assert request(port, "POST", "/api/v1/accounts", {"name": "quotauser", "password": "quota-pass-1"})[0] == 201
    status, _, quota = request(port, "GET", "/api/v1/accounts/quotauser/quota")
    assert status == 200 and quota["isDefault"] is True and quota["usedMessages"] == 0
    status, _, quota = request(port, "PUT", "/api/v1/accounts/quotauser/quota",
                               {"storageLimit": 1048576, "messageLimit": 100})
    assert status == 200 and quota["storageLimit"] == 1048576 and quota["messageLimit"] == 100
    assert quota["isDefault"] is False
    r = run_cli("user", "quota", "quotauser", "--data-dir", str(api.data_dir))
    assert "limit 1048576 bytes" in r.stdout and "limit 100" in r.stdout, r.stdout
    status, detail = problem(port, "PUT", "/api/v1/accounts/quotauser/quota", {"storageLimit": -1})
    assert (status, detail) == (400, "quota limits cannot be negative")
    status, detail = problem(port, "PUT", "/api/v1/accounts/quotauser/quota", {"messageLimit": 5, "useDefault": True})
    assert status == 400 and "useDefault cannot be combined" in detail
    status, detail = problem(port, "PUT", "/api/v1/accounts/quotauser/quota", {"messageLimit": "many"})
    assert status == 400

    with imap_login(api, "quotauser", "quota-pass-1") as c:
        for n in range(3):
            body = f"Subject: api {n}\r\n\r\nbody {n}\r\n".encode()
            assert c.command_with_literal(f"a{n}", "APPEND INBOX (\\Seen)" if n == 0 else "APPEND INBOX",
                                          body).status == "OK"
    status, _, boxes = request(port, "GET", "/api/v1/accounts/quotauser/mailboxes")
    inbox = next(b for b in boxes if b["name"] == "INBOX")
    assert status == 200 and inbox["messages"] == 3 and inbox["unseen"] == 2 and inbox["size"] > 0
    assert {"Sent", "Drafts", "Trash", "Junk", "Archive"} <= {b["name"] for b in boxes}
    status, _, quota = request(port, "PUT", "/api/v1/accounts/quotauser/quota", {"useDefault": True})
    assert status == 200 and quota["isDefault"] is True and quota["usedBytes"] == inbox["size"]

    status, _, app = request(port, "POST", "/api/v1/accounts/quotauser/app-passwords", {"label": "phone"})
    assert status == 201 and app["label"] == "phone" and len(app["password"]) == 20
    assert can_log_in(api, "quotauser", app["password"])
    status, _, apps = request(port, "GET", "/api/v1/accounts/quotauser/app-passwords")
    assert status == 200 and [a["label"] for a in apps] == ["phone"] and "password" not in apps[0]
    assert problem(port, "POST", "/api/v1/accounts/quotauser/app-passwords", {"label": "phone"}) == (
        409, "'quotauser' already has an app password with that label")
    status, detail = problem(port, "POST", "/api/v1/accounts/quotauser/app-passwords", {"label": "bad/label"})
    assert status == 400 and detail.startswith("invalid app password label")
    assert request(port, "DELETE", "/api/v1/accounts/quotauser/app-passwords/phone")[0] == 204
    assert not can_log_in(api, "quotauser", app["password"])
    assert can_log_in(api, "quotauser", "quota-pass-1")


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_sessions_listed_and_disconnected(api):
    port = api.ports["admin"]
    assert request(port, "POST", "/api/v1/accounts", {"name": "sessuser", "password": "sess-pass-1"})[0] == 201
    one = imap_login(api, "sessuser", "sess-pass-1")
    two = imap_login(api, "sessuser", "sess-pass-1")
    anonymous = RawIMAP.connect_plain("127.0.0.1", api.ports["imap"])
    try:
        assert one.command("s1 SELECT INBOX").status == "OK"

        def mine():
            sessions = request(port, "GET", "/api/v1/sessions")[2]
            found = [s for s in sessions if s.get("user") == "sessuser"]
            return found if len(found) == 2 and any(s["mailboxSelected"] for s in found) else None

        found = wait_for(mine)
        for s in found:
            assert s["listener"] == "imaps" and s["address"] == "127.0.0.1" and s["since"].endswith("Z")
            assert set(s) == {"id", "user", "address", "listener", "since", "mailboxSelected"}
        sessions = request(port, "GET", "/api/v1/sessions")[2]
        assert any("user" not in s and s["listener"] == "imap" for s in sessions), sessions
        selected = next(s for s in found if s["mailboxSelected"])
        assert request(port, "DELETE", f"/api/v1/sessions/{selected['id']}")[0] == 204
        bye = one.read_line(timeout=10)
        assert bye.text.startswith("* BYE") and "administrator" in bye.text, bye.text
        assert problem(port, "DELETE", f"/api/v1/sessions/{selected['id'] + 100000}")[0] == 404
        assert problem(port, "DELETE", "/api/v1/sessions/abc")[0] == 400
        wait_for(lambda: len([s for s in request(port, "GET", "/api/v1/sessions")[2]
                              if s.get("user") == "sessuser"]) == 1)
        status, _, count = request(port, "DELETE", "/api/v1/accounts/SESSUSER/sessions")
        assert status == 200 and count == {"disconnected": 1}
        assert two.read_line(timeout=10).text.startswith("* BYE")
        status, _, count = request(port, "DELETE", "/api/v1/accounts/nobody/sessions")
        assert status == 200 and count == {"disconnected": 0}
    finally:
        for c in (one, two, anonymous):
            c.close()


def test_api_off_without_token_file_and_missing_file():
    tmp = tempfile.TemporaryDirectory(prefix="postern-api-off-")
    root = Path(tmp.name)
    p = start(root, "")
    try:
        p.wait_ready()
        port = p.ports["admin"]
        status, detail = problem(port, "GET", "/api/v1/accounts")
        assert (status, detail) == (404, "the admin API is off: set admin_token_file to turn it on")
        assert problem(port, "GET", "/api/v1/accounts", token=None)[0] == 404
        assert request(port, "GET", "/health/live", token=None)[0] == 200
        assert request(port, "GET", "/metrics", token=None)[0] == 200
    finally:
        p.stop()
    missing = root / "no-such-token"
    q = start(root, f'admin_token_file = "{missing}"\n', name="data2")
    try:
        with pytest.raises(RuntimeError):
            q.wait_ready(timeout=30)
        assert q.proc.wait(10) != 0
        assert f"postern: admin_token_file {missing} cannot be read" in q.stderr
    finally:
        q.stop()
    (root / "short").write_text("short\n")
    q = start(root, f'admin_token_file = "{root / "short"}"\n', name="data3")
    try:
        with pytest.raises(RuntimeError):
            q.wait_ready(timeout=30)
        assert "postern: admin_token_file: the token is shorter than 16 characters" in q.stderr
    finally:
        q.stop()
        tmp.cleanup()


def test_schemathesis_finds_no_server_error_or_schema_violation(api):
    st = shutil.which("st") or shutil.which("schemathesis")
    if st is None:
        pytest.fail("schemathesis is not installed (pip install -r Tests/e2e/requirements.txt)")
    port = api.ports["admin"]
    # Accounts for the operations on one account to find.
    for name in ("alice", "bob", "0"):
        request(port, "POST", "/api/v1/accounts", {"name": name, "password": "fuzz-pass-1"})
    r = subprocess.run(
        [st, "run", str(SPEC), "--url", f"http://127.0.0.1:{port}/api/v1", "-H", f"Authorization: Bearer {TOKEN}",
         "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
         "response_schema_conformance,response_headers_conformance",
         "--phases", "examples,coverage,fuzzing", "--max-examples", "15", "--seed", "1", "--no-color",
         "--request-timeout", "20"],
        capture_output=True, text=True, timeout=240, cwd=api.data_dir.parent)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
    assert "passed" in r.stdout or "Passed" in r.stdout, r.stdout[-3000:]
    assert api.proc.poll() is None, api.output()
