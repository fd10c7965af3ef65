"""A real IMAP server for the tests: Debian's dovecot, started on a free port of the loopback
with a configuration, a user and a mailbox of its own under a temporary folder, and stopped
after the test. Without dovecot the IMAP tests are skipped on a developer's machine, and fail
with CI set (.ci/run installs dovecot-imapd): a CI run must not pass with them left out."""

import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "reponses"
PASSWORD = "mot-de-passe-imap"


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.user, self.password)
        return connection


def _unavailable(message: str):
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: the IMAP tests must run)", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _accounts() -> tuple[str, str, int, int]:
    """The users dovecot's processes run as, and the mail user's uid and gid: as root, the
    package's own users and ``nobody``; otherwise the current user for all."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            _unavailable("dovecot's system users are missing (reinstall dovecot-core)")
        return "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.getuid()).pw_name
    return me, me, os.getuid(), os.getgid()


def start() -> tuple[subprocess.Popen, ImapServer]:
    """Start dovecot; its folder (a new one under the system's temporary folder, which the mail
    user ``nobody`` can walk into, unlike pytest's) is removed by ``stop``."""
    if not os.path.exists(DOVECOT):
        _unavailable("dovecot is not installed (apt-get install dovecot-imapd)")
    internal, login, uid, gid = _accounts()
    port = _free_port()
    root = Path(tempfile.mkdtemp(prefix="guichet-dovecot-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    home = root / "home" / USER
    home.mkdir(exist_ok=True)
    os.chown(home, uid, gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::\n")
    (root / "dovecot.conf").write_text(
        f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
namespace inbox {{
  inbox = yes
  mailbox Processed {{
    auto = create
  }}
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = ImapServer("127.0.0.1", port, USER, PASSWORD, root)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace")
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            shutil.rmtree(root, ignore_errors=True)
            pytest.fail(f"dovecot stopped at start-up:\n{output}\n{log}")
        try:
            server.connect().logout()
            return process, server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    shutil.rmtree(root, ignore_errors=True)
    pytest.fail("dovecot did not answer within 20 s")


def stop(process: subprocess.Popen, server: ImapServer) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    shutil.rmtree(server.root, ignore_errors=True)
