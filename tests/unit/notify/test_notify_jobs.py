"""The jobs on messages imported through the real ingest pipeline, in dry-run mode (each
mail an .eml file): acknowledgements (backlog, rules, once-only), reminders (period
windows in local time), the digest (once per local day) and alerts (once per key)."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from dienhinh.notify import jobs
from dienhinh.store.models import Article, Notification
from factory import DOCX_TYPE, Attach, make_email
from notifykit import ICT, article_mail

T0 = datetime(2018, 3, 22, 14, 5, tzinfo=ICT)


def mails(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


# --- acknowledgements ---------------------------------------------------------------------


def test_first_run_does_not_mail_the_backlog(notify_env, tmp_path):
    """GIVEN mail received before acknowledgements were enabled WHEN the first run happens
    THEN it mails nobody and records when it started; mail received later is acknowledged,
    once."""
    env = notify_env(ack={"enabled": True})
    env.ingest(article_mail(1, T0), article_mail(2, T0 + timedelta(hours=1)))
    first = T0 + timedelta(hours=2)
    assert jobs.acknowledge_new(env.engine, env.config, now=first) == 0
    assert env.rows() == [] and mails(tmp_path / "outbox") == []

    env.ingest(article_mail(3, first + timedelta(minutes=10)))
    assert jobs.acknowledge_new(env.engine, env.config, now=first + timedelta(hours=1)) == 1
    assert jobs.acknowledge_new(env.engine, env.config, now=first + timedelta(hours=2)) == 0
    [row] = env.rows()
    assert (row.kind, row.status, row.dedupe_key) == ("ack", "dry-run", "ack:bai-3@laocai.gov.vn")
    assert len(mails(tmp_path / "outbox")) == 1


def test_acknowledgement_content(notify_env, tmp_path):
    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    env.ingest(
        article_mail(
            4,
            T0,
            subject="Gửi bài gương điển hình tháng 3",
            headers={"References": "<truoc-do@laocai.gov.vn>"},
        )
    )
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=5)) == 1
    [msg] = mails(tmp_path / "outbox")
    with Session(env.engine) as s:
        [title] = s.query(Article.title).all()[0:1][0]
    assert msg["To"] == "ubnd-batxat@laocai.gov.vn"
    assert (
        msg["Subject"] == "Ban Thi đua - Khen thưởng đã nhận bài: Gửi bài gương điển hình tháng 3"
    )
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["In-Reply-To"] == "<bai-4@laocai.gov.vn>"
    assert msg["References"] == "<truoc-do@laocai.gov.vn> <bai-4@laocai.gov.vn>"
    assert msg["Message-ID"].endswith("@laocai.gov.vn>")
    assert "Ban Thi đua - Khen thưởng tỉnh Lào Cai" in msg["From"]
    body = msg.get_body().get_content()
    assert body.startswith("Kính gửi UBND huyện Bát Xát,")  # the unit's name, from the directory
    assert "lúc 14:05 ngày 22/03/2018" in body  # received, in local time
    assert f"1. {title}" in body


def test_auto_replies_lists_and_own_mail_are_skipped_with_a_reason(notify_env, tmp_path):
    """GIVEN articles that arrive auto-forwarded, through a list, from a no-reply address
    or from the Board itself WHEN acknowledging THEN no mail, one 'skipped' row each."""
    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    env.ingest(
        article_mail(5, T0, headers={"Auto-Submitted": "auto-forwarded"}),
        article_mail(6, T0, headers={"List-Id": "Thi dua <thidua.lists.laocai.gov.vn>"}),
        article_mail(7, T0, from_="no-reply@laocai.gov.vn"),
        article_mail(8, T0, from_="Ban TĐKT <btdkt-snv@laocai.gov.vn>"),
        article_mail(9, T0, headers={"Precedence": "bulk"}),
    )
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(hours=1)) == 0
    rows = env.rows()
    assert [r.status for r in rows] == ["skipped"] * 5
    reasons = " | ".join(r.error for r in rows)
    for word in ("auto-forwarded", "List-Id", "no-reply", "own address", "Precedence: bulk"):
        assert word in reasons
    assert mails(tmp_path / "outbox") == []
    # an auto-reply carrying a document is already no-article for ingest: no row at all
    env.ingest(article_mail(14, T0, headers={"Auto-Submitted": "auto-replied"}))
    # decided once: a second run neither mails nor adds rows
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(hours=2)) == 0
    assert len(env.rows()) == 5


def test_messages_without_an_article_are_not_acknowledged(notify_env):
    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    env.ingest(make_email(subject="Cho em hỏi hạn nộp bài?", text="Cho em hỏi hạn nộp bài ạ?",
                          date=T0, message_id="<hoi@laocai.gov.vn>"))  # fmt: skip
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(hours=1)) == 0
    assert env.rows() == []


def test_old_mail_is_never_acknowledged(notify_env):
    """A reprocess or a long outage must not answer mail from weeks ago."""
    env = notify_env(ack={"enabled": True, "since": "2018-01-01T00:00", "max_age_days": 7})
    env.ingest(article_mail(10, T0 - timedelta(days=8)), article_mail(11, T0 - timedelta(days=6)))
    assert jobs.acknowledge_new(env.engine, env.config, now=T0) == 1
    assert [r.dedupe_key for r in env.rows()] == ["ack:bai-11@laocai.gov.vn"]


def test_loop_guard_caps_acknowledgements_per_address(notify_env):
    """The last guard: a responder that hides every automatic-mail header still gets at most
    ACK_LOOP_LIMIT acknowledgements a day."""
    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    with Session(env.engine) as s:
        for i in range(jobs.ACK_LOOP_LIMIT):
            s.add(Notification(kind="ack", dedupe_key=f"ack:old-{i}", status="sent",
                               recipient="ubnd-batxat@laocai.gov.vn",
                               created_at=T0 - timedelta(hours=1)))  # fmt: skip
        s.commit()
    env.ingest(article_mail(12, T0))
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(minutes=1)) == 0
    assert "loop guard" in env.rows()[-1].error


def test_disabled_means_nothing_at_all(notify_env):
    env = notify_env()
    env.ingest(article_mail(13, T0))
    assert jobs.acknowledge_new(env.engine, env.config, now=T0 + timedelta(hours=1)) == 0
    assert jobs.remind_units(env.engine, env.config, now=T0) == 0
    assert jobs.send_digest(env.engine, env.config, now=T0) == 0
    assert not jobs.send_alert(env.engine, env.config, key="k", subject="s", body="b", now=T0)
    with Session(env.engine) as s:
        assert s.query(Notification).count() == 0


# --- reminders ----------------------------------------------------------------------------

UNITS = """
[[unit]]
code = "bat-xat"
name = "UBND huyện Bát Xát"
group = "district"
cadence = "monthly"
addresses = ["ubnd-batxat@laocai.gov.vn"]

[[unit]]
code = "bac-ha"
name = "UBND huyện Bắc Hà"
group = "district"
cadence = "monthly"
addresses = ["ubnd-bacha@laocai.gov.vn", "vanphong-bacha@laocai.gov.vn"]

[[unit]]
code = "so-y-te"
name = "Sở Y tế"
group = "department"
cadence = "quarterly"
addresses = ["soyte@laocai.gov.vn"]

[[unit]]
code = "hoi-nong-dan"
name = "Hội Nông dân tỉnh"
group = "mass-org"
cadence = "quarterly"
"""


@pytest.fixture
def remind_env(notify_env, make_config, tmp_path):
    units = tmp_path / "units.toml"
    units.write_text(UNITS, encoding="utf-8")
    env = notify_env(remind={"enabled": True, "days_before": 5})
    env.config = make_config(
        notify={"dry_run": True, "dry_run_dir": str(tmp_path / "outbox"),
                "remind": {"enabled": True, "days_before": 5}},
        tagging={"units_file": str(units)},
    )  # fmt: skip
    env.ing.config = env.config
    return env


def test_reminders_go_to_units_that_sent_nothing_near_the_period_end(remind_env, tmp_path):
    """GIVEN Bát Xát sent an article on 31 March 23:30 local time (16:30 UTC: still March
    either way) and the other units nothing WHEN the job runs 4 days before 1 April
    THEN Bắc Hà (monthly) and Sở Y tế (Q1 ends too) are reminded, the unit without an
    address is recorded as skipped, and a second run sends nothing."""
    env = remind_env
    env.ingest(article_mail(20, datetime(2018, 3, 1, 0, 30, tzinfo=ICT)))
    env.ingest(make_email(date=datetime(2018, 3, 2, tzinfo=ICT), message_id="<x@laocai.gov.vn>",
                          from_="Sở Y tế <soyte@laocai.gov.vn>", subject="Giấy mời họp",
                          text="Kính mời dự họp."))  # fmt: skip
    early = datetime(2018, 3, 26, 23, 0, tzinfo=ICT)  # 5 days and 1 hour before the end
    assert jobs.remind_units(env.engine, env.config, now=early) == 0
    now = datetime(2018, 3, 28, 8, 0, tzinfo=ICT)
    assert jobs.remind_units(env.engine, env.config, now=now) == 2
    assert jobs.remind_units(env.engine, env.config, now=now + timedelta(days=1)) == 0
    rows = {r.dedupe_key: r for r in env.rows()}
    assert set(rows) == {
        "remind:bac-ha:2018-03", "remind:so-y-te:2018-Q1", "remind:hoi-nong-dan:2018-Q1",
    }  # fmt: skip
    assert rows["remind:hoi-nong-dan:2018-Q1"].status == "skipped"
    assert rows["remind:bac-ha:2018-03"].recipient == (
        "ubnd-bacha@laocai.gov.vn, vanphong-bacha@laocai.gov.vn"
    )
    by_to = {m["To"]: m for m in mails(tmp_path / "outbox")}
    bac_ha = by_to["ubnd-bacha@laocai.gov.vn, vanphong-bacha@laocai.gov.vn"]
    assert (
        bac_ha["Subject"]
        == "Nhắc gửi bài gương điển hình tiên tiến tháng 3/2018 – UBND huyện Bắc Hà"
    )
    assert bac_ha["Auto-Submitted"] == "auto-generated"
    body = bac_ha.get_body().get_content()
    assert "kết thúc ngày 31/03/2018" in body and "Kính gửi UBND huyện Bắc Hà," in body
    assert "quý i/2018" in by_to["soyte@laocai.gov.vn"]["Subject"]


def test_a_mail_received_on_april_first_local_time_counts_for_april(remind_env):
    """01/04/2018 05:00 +07:00 is still 31 March in UTC, but it belongs to April: it does
    not spare Bát Xát March's reminder."""
    env = remind_env
    env.ingest(article_mail(21, datetime(2018, 4, 1, 5, 0, tzinfo=ICT)))
    jobs.remind_units(env.engine, env.config, now=datetime(2018, 3, 30, 12, 0, tzinfo=ICT))
    keys = {r.dedupe_key for r in env.rows()}
    assert "remind:bat-xat:2018-03" in keys
    jobs.remind_units(env.engine, env.config, now=datetime(2018, 4, 27, 12, 0, tzinfo=ICT))
    keys = {r.dedupe_key for r in env.rows()}
    assert "remind:bat-xat:2018-04" not in keys and "remind:bac-ha:2018-04" in keys


# --- digest and alerts --------------------------------------------------------------------


# Bytes that are no document at all under a .docx name: refused "unreadable", and the
# message fails. (A .docx merely cut short is salvaged from the members that arrived, or
# waits for LibreOffice: not the immediate failure this digest test needs.)
BROKEN_DOCX = bytes(range(7, 251)) * 20


def test_digest_once_per_local_day_not_before_its_time(notify_env, tmp_path):
    env = notify_env(
        editors=["bientap1@laocai.gov.vn", "bientap2@laocai.gov.vn"],
        console_url="https://dienhinh.laocai.gov.vn/",
        digest={"enabled": True, "time": "07:30"},
    )
    env.ingest(
        article_mail(30, T0),
        article_mail(31, T0 + timedelta(minutes=1), from_="Sở Y tế <soyte@laocai.gov.vn>"),
        make_email(date=T0, message_id="<hong@laocai.gov.vn>",
                   attachments=[Attach("bai-hong.docx", BROKEN_DOCX, DOCX_TYPE)]),
        failures=1,
    )  # fmt: skip
    with Session(env.engine) as s:
        first = s.query(Article).filter(Article.status == "pending-review").first()
        s.execute(
            update(Article).where(Article.id == first.id)
            .values(flagged=True, meta={"review_reasons": ["conflicting evidence",
                                                          "unverified sender"]})
        )  # fmt: skip
        s.commit()
        flagged_title = first.title

    day = datetime(2018, 3, 23, 7, 29, tzinfo=ICT)
    assert jobs.send_digest(env.engine, env.config, now=day) == 0  # too early
    assert jobs.send_digest(env.engine, env.config, now=day + timedelta(minutes=1)) == 1
    assert jobs.send_digest(env.engine, env.config, now=day + timedelta(hours=9)) == 0
    assert jobs.send_digest(env.engine, env.config, now=day + timedelta(hours=17)) == 0
    assert jobs.send_digest(env.engine, env.config, now=day + timedelta(days=1, hours=1)) == 1
    assert [r.dedupe_key for r in env.rows()] == ["digest:2018-03-23", "digest:2018-03-24"]

    msg = mails(tmp_path / "outbox")[0]
    assert msg["To"] == "bientap1@laocai.gov.vn, bientap2@laocai.gov.vn"
    assert msg["Subject"] == "Bản tin ngày 23/03/2018: 2 bài chờ duyệt, 1 bài gắn cờ, 1 lỗi"
    body = msg.get_body().get_content()
    assert "Chờ duyệt: 2" in body and "Lỗi xử lý: 1" in body
    # The editors read the console's words, not the stored codes (core/labels.py).
    assert (
        f"{flagged_title} (UBND huyện Bát Xát): các căn cứ chỉ ra nhiều đơn vị khác nhau; "
        "người gửi chưa được xác thực" in body
    )
    assert "conflicting evidence" not in body
    # The broken document is named as what it is, not as a technical error.
    assert "Gửi bài viết gương điển hình tiên tiến (UBND huyện Bát Xát): tệp bị hỏng" in body
    assert "(Sở Y tế)" in body
    assert "https://dienhinh.laocai.gov.vn/" in body


def test_empty_digest_is_not_sent(notify_env, tmp_path):
    env = notify_env(editors=["bientap1@laocai.gov.vn"], digest={"enabled": True})
    assert jobs.send_digest(env.engine, env.config, now=T0) == 0
    assert env.rows() == []


def test_alert_once_per_key(notify_env, tmp_path):
    env = notify_env(admins=["quantri@laocai.gov.vn"], alert={"enabled": True})
    args = {"subject": "Hộp thư chưa được đọc 3 giờ", "body": "Kiểm tra máy chủ thư."}
    assert jobs.send_alert(env.engine, env.config, key="imap:inbox:2018-03-22", now=T0, **args)
    assert not jobs.send_alert(env.engine, env.config, key="imap:inbox:2018-03-22", now=T0, **args)
    assert jobs.send_alert(env.engine, env.config, key="imap:inbox:2018-03-23", now=T0, **args)
    [msg, _] = mails(tmp_path / "outbox")
    assert msg["Subject"] == "[dienhinh] Hộp thư chưa được đọc 3 giờ"
    assert [r.dedupe_key for r in env.rows()] == [
        "alert:imap:inbox:2018-03-22", "alert:imap:inbox:2018-03-23",
    ]  # fmt: skip


# --- the runner's boundary: one mail's unexpected error ----------------------------------


def test_an_unexpected_error_while_sending_is_recorded_on_that_mail_and_the_job_goes_on(
    notify_env,
):
    """GIVEN two new messages and a transport that raises a bug (not a send error) on the
    first mail WHEN the acknowledgements run THEN that mail is recorded `unknown` with the
    error (it was claimed: it may have gone, so it is never resent), and the second is sent."""
    from notifykit import Recording

    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    env.ingest(article_mail(11, T0), article_mail(12, T0 + timedelta(minutes=1)))
    transport = Recording(fail_with=[RuntimeError("transport bug")])
    tally = jobs.run_ack(
        env.engine, env.config, env.notify(), now=T0 + timedelta(hours=1), transport=transport
    )
    assert (tally.done, tally.failed, tally.stopped) == (1, 1, None)
    rows = {r.dedupe_key: r for r in env.rows()}
    first, second = rows["ack:bai-11@laocai.gov.vn"], rows["ack:bai-12@laocai.gov.vn"]
    assert first.status == "unknown"
    assert first.error == "internal error: RuntimeError: transport bug"
    assert second.status == "sent"
    assert [key for _m, _r, key in transport.sent] == ["ack:bai-12@laocai.gov.vn"]
    again = jobs.run_ack(
        env.engine, env.config, env.notify(), now=T0 + timedelta(hours=2), transport=transport
    )
    assert (again.done, again.failed) == (0, 0)  # never resent


def test_an_unexpected_error_before_sending_fails_that_mail_and_a_later_run_sends_it(
    notify_env, tmp_path, monkeypatch
):
    """GIVEN a bug while the first acknowledgement is composed WHEN the job runs THEN that
    mail is recorded `failed` with the error, the next one is sent, and once the bug is
    gone a later run sends the failed one (nothing had gone out)."""
    env = notify_env(ack={"enabled": True, "since": "2018-03-01T00:00"})
    env.ingest(article_mail(13, T0), article_mail(14, T0 + timedelta(minutes=1)))
    real = jobs.ack_mail

    def broken(cfg, **kw):
        if kw["message_id"] == "bai-13@laocai.gov.vn":
            raise KeyError("a missing template field")
        return real(cfg, **kw)

    monkeypatch.setattr(jobs, "ack_mail", broken)
    tally = jobs.run_ack(env.engine, env.config, env.notify(), now=T0 + timedelta(hours=1))
    assert (tally.done, tally.failed) == (1, 1)
    rows = {r.dedupe_key: r for r in env.rows()}
    assert rows["ack:bai-13@laocai.gov.vn"].status == "failed"
    assert "KeyError" in rows["ack:bai-13@laocai.gov.vn"].error
    assert rows["ack:bai-14@laocai.gov.vn"].status == "dry-run"

    monkeypatch.setattr(jobs, "ack_mail", real)
    later = jobs.run_ack(env.engine, env.config, env.notify(), now=T0 + timedelta(hours=2))
    assert (later.done, later.failed) == (1, 0)
    assert {r.dedupe_key: r.status for r in env.rows()} == {
        "ack:bai-13@laocai.gov.vn": "dry-run",
        "ack:bai-14@laocai.gov.vn": "dry-run",
    }
    assert len(mails(tmp_path / "outbox")) == 2
