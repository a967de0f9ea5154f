"""Notifications against a REAL SMTP server on loopback: aiosmtpd's Controller, plain,
STARTTLS (with AUTH) and implicit TLS (smtps), with a self-signed certificate made by
openssl. Messages are built by the real ingest pipeline, the jobs run with their SMTP
transport, and what the server received is parsed back and checked; every test runs on
SQLite and PostgreSQL.

aiosmtpd records a message in ``handle_DATA`` before it answers 250 to the end of DATA, so
when ``sendmail`` returns the message is already in the handler: no waiting anywhere.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dienhinh.ingest.sources.files import FileImportSource
from dienhinh.notify import jobs
from dienhinh.store.models import Article, Notification
from dovecot import free_port
from factory import DOCX_TYPE, ICT, Attach, DocSpec, article_text, make_docx, make_email
from helpers import ingestor

pytestmark = [
    pytest.mark.smtp,
    # aiosmtpd 1.4 itself touches its deprecated Session.login_data after every AUTH.
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated:DeprecationWarning"),
]

USER, PASSWORD = "btdkt-snv@laocai.gov.vn", "mật-khẩu-thử"
T0 = datetime(2018, 3, 22, 14, 5, tzinfo=ICT)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    msg: email.message.EmailMessage


@dataclass
class Handler:
    """Records each accepted message; answers RCPT from ``answers`` when it names the
    address (``"550 5.1.1 ..."``, ``"450 4.2.1 ..."``)."""

    received: list[Received] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.answers.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 2.0.0 OK"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: run scripts/test-setup")
    d = tmp_path_factory.mktemp("smtp-tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    return d / "cert.pem", d / "key.pem"


@dataclass
class SmtpServer:
    mode: str  # plain | starttls | smtps
    port: int
    handler: Handler
    cert: Path | None
    controller: Controller | None = None

    @property
    def url(self) -> str:
        scheme = {"plain": "smtp", "starttls": "smtp+starttls", "smtps": "smtps"}[self.mode]
        # aiosmtpd offers AUTH only after STARTTLS, so the STARTTLS server checks a login.
        user = "btdkt-snv%40laocai.gov.vn@" if self.mode == "starttls" else ""
        return f"{scheme}://{user}127.0.0.1:{self.port}"


def start_server(
    mode: str, handler: Handler, tls: tuple[Path, Path], port: int | None = None
) -> SmtpServer:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*tls)
    kw: dict[str, Any] = {}
    if mode == "starttls":
        kw = {"tls_context": ctx, "require_starttls": True, "authenticator": _authenticate,
              "auth_required": True}  # fmt: skip
    elif mode == "smtps":
        kw = {"ssl_context": ctx}
    server = SmtpServer(mode, port or free_port(), handler, tls[0] if mode != "plain" else None)
    server.controller = Controller(handler, hostname="127.0.0.1", port=server.port, **kw)
    server.controller.start()
    return server


@pytest.fixture(params=["plain", "starttls", "smtps"])
def smtp_server(request, tls_files) -> Iterator[SmtpServer]:
    server = start_server(request.param, Handler(), tls_files)
    yield server
    server.controller.stop()


@pytest.fixture
def plain_server(tls_files) -> Iterator[SmtpServer]:
    server = start_server("plain", Handler(), tls_files)
    yield server
    server.controller.stop()


class Env:
    def __init__(self, make_config, tmp_path: Path, url: str, cert: Path | None, **notify):
        (tmp_path / "smtp-password").write_text(PASSWORD + "\n", encoding="utf-8")
        notify = {"smtp_url": url, "password_file": str(tmp_path / "smtp-password"),
                  "timeout_seconds": 10, **notify}  # fmt: skip
        if cert is not None:
            notify["ca_file"] = str(cert)
        self.config = make_config(notify=notify)
        self.ing = ingestor(self.config)
        self.engine = self.ing.engine
        self.folder = tmp_path / "eml"
        self.folder.mkdir(exist_ok=True)
        self.n = 0

    def ingest(self, *raws: bytes) -> None:
        paths = []
        for raw in raws:
            self.n += 1
            path = self.folder / f"m{self.n}.eml"
            path.write_bytes(raw)
            paths.append(path)
        assert self.ing.import_from(FileImportSource(paths)).failed == 0

    def rows(self) -> dict[str, Notification]:
        with Session(self.engine) as s:
            found = s.execute(select(Notification).where(Notification.status != "enabled"))
            return {r.dedupe_key: r for r in found.scalars()}


def article_mail(seed: int, when: datetime, **kw: Any) -> bytes:
    title, paras = article_text(seed)
    doc = make_docx(DocSpec(title=title, paragraphs=paras))
    kw.setdefault("message_id", f"<bai-{seed}@laocai.gov.vn>")
    return make_email(attachments=[Attach("bài viết.docx", doc, DOCX_TYPE)], date=when, **kw)


ACK = {"enabled": True, "since": "2018-03-01T00:00"}


def test_acknowledgement_is_delivered_once_and_reads_back(make_config, tmp_path, smtp_server):
    """GIVEN a unit's article and a list copy of another WHEN acknowledge_new runs against
    a real SMTP server THEN the unit gets one acknowledgement (right envelope, Vietnamese
    subject and body, anti-loop headers, threaded under its mail), the list gets nothing,
    and a second run sends nothing."""
    env = Env(make_config, tmp_path, smtp_server.url, smtp_server.cert, ack=ACK)
    env.ingest(
        article_mail(1, T0, subject="Gửi bài tháng 3/2018"),
        article_mail(2, T0, headers={"List-Id": "<thidua.lists.laocai.gov.vn>"}),
    )
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=3)) == 1
    [got] = smtp_server.handler.received
    assert got.mail_from == "btdkt-snv@laocai.gov.vn"
    assert got.rcpt_tos == ["ubnd-batxat@laocai.gov.vn"]
    msg = got.msg
    assert msg["To"] == "ubnd-batxat@laocai.gov.vn"
    assert msg["Subject"] == "Ban Thi đua - Khen thưởng đã nhận bài: Gửi bài tháng 3/2018"
    assert str(msg["From"]) == "Ban Thi đua - Khen thưởng tỉnh Lào Cai <btdkt-snv@laocai.gov.vn>"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["In-Reply-To"] == "<bai-1@laocai.gov.vn>"
    assert msg["Message-ID"].endswith("@laocai.gov.vn>") and msg["Date"]
    body = msg.get_body(("plain",)).get_content()
    title, _ = article_text(1)
    assert "Kính gửi UBND huyện Bát Xát," in body
    assert "đã nhận được thư của đơn vị gửi lúc 14:05 ngày 22/03/2018" in body
    assert f"1. {title}" in body

    rows = env.rows()
    assert rows["ack:bai-1@laocai.gov.vn"].status == "sent"
    assert rows["ack:bai-1@laocai.gov.vn"].sent_at == T0 + timedelta(minutes=3)
    assert rows["ack:bai-2@laocai.gov.vn"].status == "skipped"
    assert "List-Id" in rows["ack:bai-2@laocai.gov.vn"].error

    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(hours=1)) == 0
    assert len(smtp_server.handler.received) == 1


def test_reminder_digest_and_alert_over_smtp(make_config, tmp_path, plain_server):
    env = Env(
        make_config, tmp_path, plain_server.url, None,
        editors=["bientap@laocai.gov.vn"], admins=["quantri@laocai.gov.vn"],
        remind={"enabled": True, "days_before": 3},
        digest={"enabled": True, "time": "07:00"},
        alert={"enabled": True},
    )  # fmt: skip
    env.ingest(article_mail(3, T0))
    now = datetime(2018, 3, 29, 7, 30, tzinfo=ICT)
    reminded = jobs.remind_units(env.engine, env.config, now=now)
    # every unit of the shipped directory with an address, except Bát Xát (it sent one)
    assert reminded > 10
    assert "ubnd-batxat@laocai.gov.vn" not in {
        r for got in plain_server.handler.received for r in got.rcpt_tos
    }
    assert jobs.send_digest(env.engine, env.config, now=now) == 1
    assert jobs.send_alert(env.engine, env.config, key="imap:INBOX:2018-03-29",
                           subject="Hộp thư chưa được đọc quá 2 giờ",
                           body="Lần đọc thành công cuối: 05:12.", now=now)  # fmt: skip
    count = len(plain_server.handler.received)
    assert jobs.remind_units(env.engine, env.config, now=now + timedelta(hours=1)) == 0
    assert jobs.send_digest(env.engine, env.config, now=now + timedelta(hours=1)) == 0
    assert not jobs.send_alert(env.engine, env.config, key="imap:INBOX:2018-03-29",
                               subject="again", body="again", now=now)  # fmt: skip
    assert len(plain_server.handler.received) == count

    by_kind = {got.msg["X-Dienhinh-Notification"]: got for got in plain_server.handler.received}
    digest = by_kind["digest"]
    assert digest.rcpt_tos == ["bientap@laocai.gov.vn"]
    # Whether the taggers flag the one article (a tag under the review threshold) is theirs
    # to say; the digest reports what the store holds.
    with Session(env.engine) as s:
        flagged = s.scalar(select(func.count()).select_from(Article).where(Article.flagged))
    assert digest.msg["Subject"] == (
        f"Bản tin ngày 29/03/2018: 1 bài chờ duyệt, {flagged} bài gắn cờ, 0 lỗi"
    )
    assert "Chờ duyệt: 1" in digest.msg.get_body().get_content()
    alert = by_kind["alert"]
    assert alert.rcpt_tos == ["quantri@laocai.gov.vn"]
    assert alert.msg["Subject"] == "[dienhinh] Hộp thư chưa được đọc quá 2 giờ"
    assert "Lần đọc thành công cuối: 05:12." in alert.msg.get_body().get_content()
    reminder = by_kind["reminder"]
    assert reminder.msg["Auto-Submitted"] == "auto-generated"
    assert "chưa nhận được bài viết" in reminder.msg.get_body().get_content()


def test_server_down_then_back(make_config, tmp_path, tls_files):
    """GIVEN the SMTP server is down WHEN acknowledging two messages THEN the first is
    recorded failed with the connection error and the run stops (the second is not even
    claimed); WHEN the server is back THEN the next run sends both, once."""
    port = free_port()
    env = Env(make_config, tmp_path, f"smtp://127.0.0.1:{port}", None, ack=ACK)
    env.ingest(article_mail(4, T0), article_mail(5, T0, from_="Sở Y tế <soyte@laocai.gov.vn>"))
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=1)) == 0
    [row] = env.rows().values()
    assert row.status == "failed" and "ConnectionRefusedError" in row.error

    server = start_server("plain", Handler(), tls_files, port=port)
    try:
        assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=20)) == 2
        assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=40)) == 0
    finally:
        server.controller.stop()
    assert sorted(r for got in server.handler.received for r in got.rcpt_tos) == [
        "soyte@laocai.gov.vn", "ubnd-batxat@laocai.gov.vn",
    ]  # fmt: skip
    assert {r.status for r in env.rows().values()} == {"sent"}


def test_refused_and_deferred_recipients(make_config, tmp_path, plain_server):
    """A 550 is recorded 'refused' and never retried; a 450 is 'failed' and goes out on a
    later run once the server accepts it."""
    plain_server.handler.answers = {
        "ubnd-batxat@laocai.gov.vn": "550 5.1.1 Hộp thư không tồn tại",
        "soyte@laocai.gov.vn": "450 4.2.1 Mailbox busy, try later",
    }
    env = Env(make_config, tmp_path, plain_server.url, None, ack=ACK)
    env.ingest(article_mail(6, T0), article_mail(7, T0, from_="Sở Y tế <soyte@laocai.gov.vn>"))
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=1)) == 0
    rows = env.rows()
    assert rows["ack:bai-6@laocai.gov.vn"].status == "refused"
    assert "550" in rows["ack:bai-6@laocai.gov.vn"].error
    assert rows["ack:bai-7@laocai.gov.vn"].status == "failed"
    assert "450" in rows["ack:bai-7@laocai.gov.vn"].error

    plain_server.handler.answers = {}
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=30)) == 1
    [got] = plain_server.handler.received
    assert got.rcpt_tos == ["soyte@laocai.gov.vn"]
    rows = env.rows()
    assert rows["ack:bai-6@laocai.gov.vn"].status == "refused"
    assert rows["ack:bai-7@laocai.gov.vn"].status == "sent"


@pytest.mark.parametrize(
    ("mode", "trusted", "password", "expected"),
    [
        ("starttls", False, PASSWORD, "TLS certificate not trusted"),
        ("smtps", False, PASSWORD, "TLS certificate not trusted"),
        ("starttls", True, "sai-mật-khẩu", "login refused"),
    ],
)
def test_tls_and_login_failures_are_recorded(
    make_config, tmp_path, tls_files, mode, trusted, password, expected
):
    server = start_server(mode, Handler(), tls_files)
    try:
        env = Env(make_config, tmp_path, server.url, server.cert if trusted else None, ack=ACK)
        (tmp_path / "smtp-password").write_text(password, encoding="utf-8")
        env.ingest(article_mail(8, T0))
        assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=1)) == 0
    finally:
        server.controller.stop()
    [row] = env.rows().values()
    assert row.status == "failed" and expected in row.error
    assert server.handler.received == []
