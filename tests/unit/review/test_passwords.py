"""The password policy (review/passwords.py) and the throttle's arithmetic (review/auth.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, literal, select

from dienhinh.review import auth
from dienhinh.review.config import ReviewConfig
from dienhinh.review.passwords import (
    _LIST,
    MIN_LENGTH,
    OBVIOUS,
    common_passwords,
    password_problem,
)


@pytest.mark.parametrize(
    ("password", "login", "why"),
    [
        ("ngắn-quá-1", "", "ít nhất 12"),
        ("qwerty123456", "", "phổ biến"),  # in the list as it is
        ("1q2w3e4r5t6y", "", "phổ biến"),
        ("Password@2024", "", "dễ đoán"),  # a common word, padded
        ("!!Monkey12345", "", "dễ đoán"),
        ("LàoCai@2024!!", "", "dễ đoán"),  # an obvious word of the place, any case, accents
        ("matkhau123456", "", "dễ đoán"),
        ("anh-yeu-em-1990", "", "dễ đoán"),
        ("quan.tri.2025!", "", "dễ đoán"),
        ("boss2-ngay-xuan", "Boss2", "tên đăng nhập"),  # the login inside, any case
        ("BOSS2BOSS2BOSS2", "boss2", "tên đăng nhập"),
        ("31415926535897", "", "chữ cái"),
        ("2024-12-31 23:59", "", "chữ cái"),
        ("abababababab", "", "khác nhau"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, login: str, why: str) -> None:
    problem = password_problem(password, login)
    assert problem is not None and why in problem, (password, problem)


@pytest.mark.parametrize(
    "password",
    [
        "mat-khau-rat-dai-1",  # the tests' own
        "Trăng rằm bản Tả Van",
        "cay-che-shan-tuyet-9",
        "correct horse battery staple",
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, "mai") is None


def test_the_shipped_list_is_a_few_thousand_with_its_source_named() -> None:
    words = common_passwords()
    assert 3000 <= len(words) <= 10000
    assert {"password", "iloveyou", "qwerty123456"} <= words
    header = _LIST.read_text(encoding="utf-8").splitlines()[:4]
    assert any("Source:" in line and "Django" in line for line in header)
    assert all(w == w.lower() and w.strip() == w for w in words)
    assert all(o.isascii() and o.isalpha() for o in OBVIOUS)
    assert MIN_LENGTH == auth.MIN_PASSWORD == 12


def test_throttle_delays_double_from_the_limit_up_to_the_cap() -> None:
    delays = [auth.throttle_delay(n, 5, 1, 900) for n in range(20)]
    assert delays[:5] == [0, 0, 0, 0, 0]
    assert delays[5:16] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900]
    assert delays[16:] == [900] * 4
    assert auth.throttle_delay(10**6, 5, 1, 900) == 900  # no overflow far past the cap
    assert auth.throttle_delay(3, 3, 30, 3600) == 30


def test_the_sql_delay_is_the_same_arithmetic() -> None:
    """The CASE the conditional UPDATE computes, evaluated by SQLite, equals
    throttle_delay for every count."""
    cfg = ReviewConfig(lockout_base_seconds=1, lockout_max_seconds=900)
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        for n in range(40):
            got = conn.execute(select(auth._delay_sql(literal(n), 5, cfg))).scalar_one()
            assert got == auth.throttle_delay(n, 5, 1, 900), n
    engine.dispose()
