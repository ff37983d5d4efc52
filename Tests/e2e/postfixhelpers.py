"""A private Postfix for the delivery tests: its own config, queue and data directories under a temporary
folder, SMTP on a random loopback port, mail for one virtual domain handed to Postern over LMTP. Never
the system's Postfix service."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"

MASTER_CF = """\
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostfix:
    """`transport` is the virtual_transport (e.g. `lmtp:unix:/path/lmtp.sock`)."""

    def __init__(self, root: Path, domain: str, transport: str, extra: str = ""):
        self.root = root
        self.config = root / "etc"
        self.queue = root / "queue"
        self.data = root / "data"
        self.log = root / "maillog"
        self.port = free_port()
        for d in (self.config, self.queue, self.data):
            d.mkdir(parents=True, exist_ok=True)
        os.chown(self.data, _uid("postfix"), -1)
        main = f"""\
compatibility_level = 3.6
config_directory = {self.config}
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.postern.test
mydomain = postern.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = {domain}
virtual_transport = {transport}
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtputf8_enable = yes
biff = no
maillog_file = {self.log}
maillog_file_prefixes = {root}
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
{extra}
"""
        (self.config / "main.cf").write_text(main)
        (self.config / "master.cf").write_text(MASTER_CF.replace("smtp      inet", f"127.0.0.1:{self.port} inet", 1))
        self.env = dict(os.environ, MAIL_CONFIG=str(self.config))

    def start(self) -> None:
        r = subprocess.run([POSTFIX, "-c", str(self.config), "start"], capture_output=True, text=True, env=self.env,
                           timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"postfix start failed ({r.returncode}):\n{r.stdout}\n{r.stderr}\n{self.maillog()}")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    if s.recv(100).startswith(b"220"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("postfix did not accept SMTP connections\n" + self.maillog())

    def stop(self) -> None:
        subprocess.run([POSTFIX, "-c", str(self.config), "stop"], capture_output=True, env=self.env, timeout=60)
        pidfile = self.queue / "pid" / "master.pid"
        deadline = time.monotonic() + 10
        while pidfile.exists() and time.monotonic() < deadline:
            try:
                pid = int(pidfile.read_text().split()[0])
                os.kill(pid, 0)
            except (OSError, ValueError, IndexError):
                break
            time.sleep(0.1)
        else:
            return
        try:
            pid = int(pidfile.read_text().split()[0])
            os.kill(pid, 9)
        except (OSError, ValueError, IndexError):
            pass

    def maillog(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return "(no maillog)"

    def wait_log(self, needle: str, count: int = 1, timeout: float = 30) -> str:
        """Waits until the mail log holds `needle` `count` times; returns the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.maillog()
            if log.count(needle) >= count:
                return log
            time.sleep(0.2)
        raise AssertionError(f"{needle!r} x{count} not in the mail log within {timeout}s:\n{self.maillog()}")


def _uid(name: str) -> int:
    import pwd
    return pwd.getpwnam(name).pw_uid
