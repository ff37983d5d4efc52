"""A private Dovecot for the migration tests: its own config, certificate, users and mail under a temporary
folder, listening on free loopback ports, started as our own process (never the system service) and stopped
by PID afterwards. As root it runs with Debian's dovecot/dovenull users and mail owned by nobody."""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    imap_port: int
    imaps_port: int
    cafile: str
    users: dict[str, str]
    process: subprocess.Popen

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


def _binary(name: str) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.path.exists(p)), None)
    if not found:
        raise RuntimeError(f"{name} not found: install dovecot-imapd (Debian) to run the migration tests")
    return found


def _config(root: Path, imap_port: int, imaps_port: int, separator: str, prefix: str) -> str:
    if os.getuid() == 0:
        internal, login, chroot = "dovecot", "dovenull", "login"
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
        chroot = ""
    group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = postern-migrate-test-{imaps_port}
protocols = imap
listen = 127.0.0.1
log_path = {root}/dovecot.log
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
ssl_dh = <{root}/dh.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = {separator}
  prefix = {prefix}
  mailbox "Sent Items" {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
  chroot = {chroot}
}}
"""


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def start(users: dict[str, str], separator: str = "/", prefix: str = "") -> Dovecot:
    """`separator` and `prefix` are the personal namespace's (Courier-like servers: "." and "INBOX.")."""
    dovecot = _binary("dovecot")
    root = Path(tempfile.mkdtemp(prefix="postern-dovecot-"))
    # Dovecot's unprivileged processes must reach the mail below this folder.
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(mode=0o755)
    if os.getuid() == 0:
        uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
        os.chown(root / "mail", uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048",
                    "-out", str(root / "dh.pem")], check=True, capture_output=True)
    (root / "users").write_text("".join(f"{name}:{{PLAIN}}{pw}:{uid}:{gid}::{root}/mail/{name}::\n"
                                        for name, pw in users.items()))
    imap_port, imaps_port = free_port(), free_port()
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, imap_port, imaps_port, separator, prefix))
    process = subprocess.Popen([dovecot, "-c", str(conf), "-F"], stdin=subprocess.DEVNULL,
                               stdout=open(root / "dovecot.stdout", "wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Dovecot(root, imap_port, imaps_port, str(root / "cert.pem"), users, process)
    deadline = time.monotonic() + 30
    while not (_listening(imap_port) and _listening(imaps_port)):
        if process.poll() is not None or time.monotonic() > deadline:
            out = (root / "dovecot.stdout").read_text(errors="replace")
            stop(server)
            raise RuntimeError(f"dovecot did not start:\n{out}")
        time.sleep(0.1)
    return server


def stop(server: Dovecot) -> None:
    """Stops the master we started (it stops its children) and removes its folder."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(5)
    shutil.rmtree(server.root, ignore_errors=True)
