"""The console's small pure parts: periods, filters, config, text rendering, downloads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dienhinh.core.errors import ConfigError
from dienhinh.review.config import ReviewConfig, load
from dienhinh.review.queue import Filters, period_bounds
from dienhinh.review.views.files import image_type
from dienhinh.review.web import content_disposition, render_text


def test_periods_are_local_months_and_quarters() -> None:
    tz = "Asia/Ho_Chi_Minh"
    assert period_bounds("2024-03", tz) == (
        datetime(2024, 2, 29, 17, tzinfo=UTC),
        datetime(2024, 3, 31, 17, tzinfo=UTC),
    )
    assert period_bounds("2024-Q4", tz) == (
        datetime(2024, 9, 30, 17, tzinfo=UTC),
        datetime(2024, 12, 31, 17, tzinfo=UTC),
    )
    assert period_bounds("2024-12", tz)[1] == datetime(2024, 12, 31, 17, tzinfo=UTC)
    for bad in ("2024-13", "2024-Q5", "24-01", "2024-1", "x"):
        assert period_bounds(bad, tz) is None


def test_filters_from_request_parameters() -> None:
    assert Filters.from_params({}).state == "pending-review"
    f = Filters.from_params(
        {"state": "bogus", "period": "2024-1", "before": "12x", "flagged": "1", "q": " bac ha "}
    )
    assert (f.state, f.period, f.before, f.flagged, f.q) == ("", "", None, True, "bac ha")
    assert Filters.from_params({"state": ""}).state == ""
    assert "state=&" in Filters(state="", unit="bat-xat").query_string() + "&"


def test_review_config(make_config) -> None:
    assert load(make_config()) == ReviewConfig()
    cfg = load(make_config(review={"port": 9000, "secure_cookies": "true", "page_size": 20}))
    assert (cfg.port, cfg.secure_cookies, cfg.page_size) == (9000, "true", 20)
    assert load(make_config(review={"workers": 4})).workers == 4
    for bad, key in (
        ({"port": "80"}, "review.port"),
        ({"port": 70000}, "review.port"),
        ({"page_size": 0}, "review.page_size"),
        ({"workers": 0}, "review.workers"),
        ({"secure_cookies": "maybe"}, "review.secure_cookies"),
        ({"colour": "red"}, "review.colour"),
        ({"base_url": "ftp://x"}, "review.base_url"),
    ):
        with pytest.raises(ConfigError) as err:
            load(make_config(review=bad))
        assert err.value.key == key


def test_article_text_is_escaped_with_paragraphs_kept() -> None:
    html = str(render_text('Một <script>x</script>\ndòng hai\n\n<img src=x onerror="y">'))
    assert html == (
        '<p>Một &lt;script&gt;x&lt;/script&gt;<br>dòng hai</p><p>&lt;img src=x onerror="y"&gt;</p>'
    )


def test_downloads_name_the_file_safely() -> None:
    cd = content_disposition("attachment", 'bài "viết";\r\n.docx')
    assert cd.startswith('attachment; filename="b_i _vi_t____.docx"; ')
    assert "\r" not in cd and "\n" not in cd
    assert cd.endswith("filename*=UTF-8''b%C3%A0i%20%22vi%E1%BA%BFt%22%3B%0D%0A.docx")


def test_only_real_images_are_images() -> None:
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert image_type(b"<svg onload=alert(1)>") is None
    assert image_type(b"GIF89a") == "image/gif"
