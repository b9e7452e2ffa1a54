"""Real mail servers for the mail tests: an aiosmtpd sink (answers what the test tells it to) and a private
Dovecot IMAP server. tests/conftest.py offers the fixtures (smtp_sink, dovecot) to every test."""
from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self):
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class SinkHandler:
    """Records every mail; `answers` is a queue of SMTP replies for DATA ("550 ...", "451 ..."); empty: accept."""

    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                          or envelope.content))
        return "250 OK queued"


@dataclass
class Sink:
    host: str
    port: int
    handler: SinkHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def answer_next(self, *answers: str) -> None:
        self.handler.answers.extend(answers)

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def smtp_sink():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it is sent."""
    handler = SinkHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=64 * 1024 * 1024)
    controller.start()
    yield Sink("127.0.0.1", port, handler)
    controller.stop()


# -- Dovecot ---------------------------------------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    maildir: Path


@pytest.fixture
def dovecot(tmp_path):
    """A private Dovecot on a free port: one user, maildir in tmp_path, plain login without TLS (loopback only)."""
    if DOVECOT is None:
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does this): real-IMAP tests skipped")
    import grp
    import os
    import pwd
    # Dovecot's login processes run unprivileged and must reach base_dir, which pytest's private tmp_path
    # (0700, owned by the test's user) would hide from them; so a world-traversable directory of its own.
    base = Path(tempfile.mkdtemp(prefix="inbox-dovecot-"))
    base.chmod(0o755)
    (base / "run").mkdir()
    maildir = base / "mail"
    maildir.mkdir()
    port = free_port()
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    login_user = internal_user = user
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:  # Dovecot refuses to run its login processes, or a mail user, as root
        login_user, internal_user, group = "dovenull", "dovecot", "dovecot"
        uid, gid = pwd.getpwnam("dovecot").pw_uid, grp.getgrnam("dovecot").gr_gid
        os.chown(maildir, uid, gid)
    (base / "passwd").write_text(f"shop:{{PLAIN}}secret-imap::::{maildir}::\n")
    conf = base / "dovecot.conf"
    conf.write_text(f"""
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
first_valid_uid = 1
first_valid_gid = 1
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {group}
mail_location = maildir:{maildir}/Maildir
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={maildir}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  user = {login_user}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service auth {{
  user = {internal_user}
}}
service auth-worker {{
  user = {internal_user}
}}
""")
    (base / "state").mkdir()
    out = open(base / "stdout.log", "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                out.close()
                pytest.fail(f"dovecot did not start: {(base / 'stdout.log').read_text()} {log}")
            time.sleep(0.1)
    else:
        proc.kill()
        proc.wait()
        out.close()
        pytest.fail("dovecot did not listen within 10 s")
    yield Dovecot("127.0.0.1", port, "shop", "secret-imap", maildir)
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    out.close()
    if os.environ.get("INBOX_KEEP_DOVECOT"):
        print("dovecot dir:", base)
    else:
        shutil.rmtree(base, ignore_errors=True)


def append(server, *raws, folder="INBOX"):
    """Deliver raw mails into a Dovecot folder, as another client would."""
    conn = imaplib.IMAP4(server.host, server.port)
    conn.login(server.user, server.password)
    for raw in raws:
        conn.append(folder, None, imaplib.Time2Internaldate(time.time()), raw)
    conn.logout()
