"""Migration 0012: stored bodies stop repeating their lead, on SQLite and PostgreSQL.

Before it, extraction kept the lead paragraph in the text too and the publishers dropped
the text's first paragraph when it equalled the lead. The migration removes that copy
where it is one (spacing aside), leaves every other row alone (an edited lead that
differs from the first paragraph: that is what was published), and the downgrade puts the
copy back.
"""

from __future__ import annotations

from sqlalchemy import create_engine, text

from dienhinh.store.migrate import _UPGRADING, _alembic_config, current_revision, upgrade

LEAD = "Bà Lò Thị Mai ở thôn Khe Bá là tấm gương sáng."
BODY = "Từ năm 2015, bà trồng chè shan tuyết.\nBà dạy bà con cùng làm.\n\nĐoạn cuối."

ROWS = {
    # id: (lead, text before, text after)
    1: (LEAD, f"{LEAD}\n\n{BODY}", BODY),  # what extraction stored
    2: (LEAD, f"  Bà Lò Thị Mai ở thôn  Khe Bá\nlà tấm gương sáng.\n\n\n{BODY}", BODY),  # spacing
    3: ("Sapo do biên tập viên viết lại.", f"{LEAD}\n\n{BODY}", f"{LEAD}\n\n{BODY}"),  # edited
    4: ("", f"{LEAD}\n\n{BODY}", f"{LEAD}\n\n{BODY}"),  # no lead
    5: (LEAD, LEAD, ""),  # the lead was the whole text
    6: (LEAD, f"{LEAD} và hơn thế.\n\n{BODY}", f"{LEAD} và hơn thế.\n\n{BODY}"),  # a longer one
}


def _insert(conn) -> None:
    t = "2024-05-06 02:00:00"
    conn.execute(
        text(
            "INSERT INTO message (id, message_id, message_id_generated, sha256, body_sha256, "
            "size, received_at, from_addr, from_name, subject, status, transient, attempts, "
            "flags, cover_note, meta, headers_text, defects, created_at, updated_at, "
            "review_needed) VALUES (1, 'm1@x', false, 'a', 'a', 1, :t, '', '', '', "
            "'ingested', false, 0, '[]', '', '{}', '', '[]', :t, :t, false)"
        ),
        {"t": t},
    )
    for aid, (lead, before, _after) in ROWS.items():
        conn.execute(
            text(
                "INSERT INTO article (id, message_pk, ordinal, title, lead, text, source, "
                "origin, status, flags, header_lines, text_sha256, document_sha256, meta, "
                "campaigns, flagged, version, created_at, updated_at) VALUES (:id, 1, :id, "
                "'T', :lead, :text, 'docx', '', 'pending-review', '[]', '[]', '', '', '{}', "
                "'[]', false, 3, :t, :t)"
            ),
            {"id": aid, "lead": lead, "text": before, "t": t},
        )


def _texts(conn) -> dict[int, tuple[str, int]]:
    return {
        r[0]: (r[1], r[2])
        for r in conn.execute(text("SELECT id, text, version FROM article ORDER BY id"))
    }


def test_0012_takes_the_lead_out_of_the_body_and_back(db_url: str) -> None:
    from alembic import command

    engine = create_engine(db_url)
    try:
        upgrade(engine, "0011")
        with engine.begin() as conn:
            _insert(conn)
        upgrade(engine)
        with engine.begin() as conn:
            after = _texts(conn)
        assert {aid: t for aid, (t, _v) in after.items()} == {
            aid: row[2] for aid, row in ROWS.items()
        }
        assert {v for _t, v in after.values()} == {3}  # no editor changed anything

        cfg = _alembic_config()
        with _UPGRADING, engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011")
        assert current_revision(engine) == "0011"
        with engine.begin() as conn:
            back = {aid: t for aid, (t, _v) in _texts(conn).items()}
        # Every lead is again the body's first paragraph (spacing normalised), so the old
        # publishers, which dropped that paragraph, send what the new ones send.
        assert back[1] == back[2] == f"{LEAD}\n\n{BODY}"
        assert back[3] == f"Sapo do biên tập viên viết lại.\n\n{LEAD}\n\n{BODY}"
        assert back[4] == f"{LEAD}\n\n{BODY}"
        assert back[5] == LEAD
        assert back[6] == f"{LEAD}\n\n{LEAD} và hơn thế.\n\n{BODY}"
        upgrade(engine)  # and up again
    finally:
        engine.dispose()
