"""Unit attribution of forwards from personal addresses, measured over every client format.

Why: a unit's staff often write from a personal Gmail or Yahoo box; a colleague forwards
the message to the Board. Then only the original's signature or its display name names
the unit ("Phòng Nội vụ - UBND huyện Bảo Yên", "Lan - Sở Y tế"), and the forwarded
original's origin (``ForwardOrigin``) is the only place where the tagger can read it. A
signature or name lost by one client's format silently moves the article to no unit.

The mail is generated: for each unit of the shipped directory, an original in one of
several signature and display-name styles (full name, alias, upper case, no diacritics,
one-line signature, "-- " delimiter, different closing formulas), sent from a personal
address, forwarded by a personal address through each client format of
test_forward_clients (Outlook desktop/web/2003, Gmail web/phone, Yahoo, Zimbra,
Thunderbird, Apple Mail macOS and iPhone), in Vietnamese and English, text and HTML.
The styles were written apart from the tagger's rules and are not tuned to them.
"""

from __future__ import annotations

import html as htmllib
import itertools
import random
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import test_forward_clients as clients  # this folder's test module: one copy, as pytest loads it

from dienhinh.classifiers.tagging import tag_outcome
from dienhinh.core.config import TaggingConfig
from dienhinh.core.text import strip_diacritics
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from factory import article_text, make_email

ROOT = Path(__file__).resolve().parents[3]
PERSONS = [
    "Nguyễn Thị Lan",
    "Lò Văn Minh",
    "Hoàng Thu Trang",
    "Phạm Đức Anh",
    "Vũ Thị Hồng Nhung",
    "Đặng Quốc Việt",
    "Sầm Thị Duyên",
    "Bùi Minh Khôi",
]
DOMAINS = ["gmail.com", "yahoo.com", "yahoo.com.vn"]
FORWARDERS = ["Ngô Thu Hằng <thuhang.ngo@gmail.com>", "Tô Văn Hải <tovanhai1990@yahoo.com>"]


@dataclass(frozen=True)
class Styled(clients.Original):
    """An original whose closing formula varies (and may be a "-- " delimiter)."""

    closing: str = "Trân trọng!"

    def plain_body(self) -> str:
        close = "-- " if self.closing == "--" else self.closing
        return "\n\n".join([self.title, *self.paras, close + "\n" + "\n".join(self.signature)])

    def html_body(self, *, gmail_signature: bool = False) -> str:
        e = htmllib.escape
        parts = [f"<div><b>{e(self.title)}</b></div><div><br></div>"]
        parts += [f"<div>{e(p)}</div><div><br></div>" for p in self.paras]
        sig = "<br>".join(e(x) for x in self.signature)
        if gmail_signature or self.closing == "--":
            parts.append(
                '-- <br><div dir="ltr" class="gmail_signature" '
                f'data-smartmail="gmail_signature">{sig}</div>'
            )
        else:
            parts.append(f"<div>{e(self.closing)}</div><div>{sig}</div>")
        return "".join(parts)


def _units() -> list[dict[str, object]]:
    return tomllib.loads((ROOT / "units.toml").read_text(encoding="utf-8"))["unit"]


def _local(person: str, rnd: random.Random) -> str:
    words = strip_diacritics(person).lower().replace("đ", "d").split()
    return rnd.choice(
        [
            f"{words[-1]}.{words[0]}{rnd.randint(80, 99)}",
            f"{''.join(words)}",
            f"{words[-1]}{words[0]}",
        ]
    )


def _phone(rnd: random.Random) -> str:
    return f"0{rnd.choice([912, 983, 868, 214])} {rnd.randint(100, 999)} {rnd.randint(100, 999)}"


def _originals(channel: str, n: int, seed: int) -> list[tuple[str, Styled]]:
    """``n`` originals (unit code, message) whose unit is named only in the signature
    (``channel == "signature"``) or only in the display name (``"display-name"``)."""
    rnd = random.Random(seed)
    units = _units()
    out: list[tuple[str, Styled]] = []
    for i in range(n):
        u = units[i % len(units)]
        name = str(u["name"])
        alias = rnd.choice([name, *u.get("aliases", [])])  # type: ignore[list-item]
        person = rnd.choice(PERSONS)
        addr = f"{_local(person, rnd)}@{rnd.choice(DOMAINS)}"
        phone = _phone(rnd)
        title, paras = article_text(1000 + seed * 97 + i)
        closing = rnd.choice(["Trân trọng!", "Trân trọng.", "Trân trọng cảm ơn!", "--"])
        if channel == "signature":
            style = i % 6
            signature = (
                (person, f"Chuyên viên - {name}", f"ĐT: {phone}"),
                (person, f"Cán bộ {alias}", f"Điện thoại: {phone}"),
                (f"{person} | {alias} | {phone}",),
                (person.upper(), name.upper(), phone),
                (strip_diacritics(person), strip_diacritics(name), f"Mobile: {phone}"),
                (person, f"Văn phòng {name}", f"Email: {addr}"),
            )[style]
            display = person
        else:
            signature = (person, f"ĐT: {phone}")
            display = rnd.choice(
                [f"{person} - {alias}", f"{alias} ({person})", f"VP {name}", f"{alias}"]
            )
        out.append(
            (
                str(u["code"]),
                Styled(
                    display,
                    addr,
                    str(u["code"]),
                    rnd.choice(["Bài viết gương điển hình", "Gửi bài tháng 12", "bài viết"]),
                    title,
                    tuple(paras),
                    signature,
                    closing=closing,
                ),
            )
        )
    return out


@pytest.fixture(scope="module")
def tagging(tmp_path_factory: pytest.TempPathFactory) -> TaggingConfig:
    return TaggingConfig(
        units_file=ROOT / "units.toml",
        campaigns_file=ROOT / "campaigns.toml",
        model_file=tmp_path_factory.mktemp("model") / "absent.pkl",
    )


def measure(
    channel: str,
    ctx: ExtractContext,
    tagging: TaggingConfig,
    *,
    per_case: int = 2,
    seed: int | None = None,
) -> tuple[Counter[str], list[str]]:
    """Outcomes ("right", "wrong", "none", "lost": no article) per forward, and the cases
    that were not right."""
    cases = list(itertools.product(clients.CLIENTS, ("vi", "en"), ("plain", "html")))
    if seed is None:
        seed = 7 if channel == "signature" else 8
    originals = _originals(channel, per_case * len(cases), seed=seed)
    tally: Counter[str] = Counter()
    misses: list[str] = []
    for k, (unit, o) in enumerate(originals):
        client, locale, fmt = cases[k % len(cases)]
        prefix, plain, html = clients.CLIENTS[client](o, locale == "vi")
        raw = make_email(
            from_=FORWARDERS[k % 2],
            subject=f"{prefix}{o.subject}" if prefix else "Gửi Ban bài viết",
            text=plain if fmt == "plain" else None,
            html=html if fmt == "html" else None,
        )
        out = extract_message(raw, ctx)
        if not out.articles:
            verdict = "lost"
        else:
            tags = tag_outcome(out, tagging)
            got = tags.unit.value if tags.unit else None
            verdict = "right" if got == unit else "none" if got is None else "wrong"
        tally[verdict] += 1
        if verdict != "right":
            misses.append(f"{verdict} {client}-{locale}-{fmt} {unit}: {o.name} / {o.signature}")
    return tally, misses


@pytest.mark.parametrize("channel", ["signature", "display-name"])
def test_personal_forwards_are_attributed_to_the_unit(
    channel: str, ctx: ExtractContext, tagging: TaggingConfig
) -> None:
    """GIVEN 88 forwards (every client x locale x text/html, twice) of originals sent
    from personal addresses, each unit named only in the signature, or only in the
    display name WHEN extracted and tagged THEN every article comes out and is attributed
    to the unit that wrote it."""
    tally, misses = measure(channel, ctx, tagging)
    assert tally["lost"] == 0, misses
    assert tally["right"] == sum(tally.values()), (tally, misses[:20])
