"""The export folder: layout, safe names, manifest, atomic replacement."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from lxml import html

from dienhinh.core.errors import RetryablePublishError
from dienhinh.publish.folder import FolderPublisher
from dienhinh.publish.render import slugify
from pubtools import make_item


def visible(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_one_directory_with_html_images_and_manifest(tmp_path):
    root = tmp_path / "export"
    item = make_item(tmp_path, article_id=42, cover=1)
    receipt = FolderPublisher(root, timezone="Asia/Ho_Chi_Minh").publish(item)
    assert receipt.remote_id == "000042-guong-sang-thoat-ngheo-o-y-ty"
    assert receipt.url is None
    d = root / receipt.remote_id
    assert visible(root) == [receipt.remote_id]
    assert sorted(p.name for p in d.iterdir()) == ["images", "index.html", "manifest.json"]
    assert visible(d / "images") == ["01.jpg", "02.jpg"]
    assert (d / "images" / "01.jpg").read_bytes() == item.images[0].path.read_bytes()

    page = (d / "index.html").read_text(encoding="utf-8")
    doc = html.document_fromstring(page)
    assert doc.findtext(".//title") == "Gương sáng thoát nghèo ở Y Tý"
    assert doc.find(".//meta[@charset]").get("charset") == "utf-8"
    # self-contained: no script, no remote resource; the cover comes first
    assert doc.xpath("//script") == []
    assert [i.get("src") for i in doc.iter("img")] == ["images/02.jpg", "images/01.jpg"]
    assert "UBND huyện Bát Xát · ngày 06/05/2024" in doc.findtext(".//p[@class='meta']")

    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert m["title"] == item.title and m["lead"] == item.lead
    assert m["unit"] == {"code": "bat-xat", "name": "UBND huyện Bát Xát"}
    assert [c["code"] for c in m["campaigns"]] == ["nong-thon-moi", "du-lich"]
    assert (m["subject_type"], m["kind"]) == ("individual", "exemplar")
    assert m["received_at"] == "2024-05-06T10:00:00+07:00" and m["received_date"] == "2024-05-06"
    assert m["message_id"] == "abc@laocai.gov.vn"
    assert m["cover"] == "images/02.jpg"
    assert m["images"][0] == {
        "file": "images/01.jpg",
        "caption": "Chú thích ảnh 0",
        "content_type": "image/jpeg",
        "size": item.images[0].size,
        "sha256": item.images[0].sha256,
        "original_filename": "../../ảnh 0.jpg",
        "cover": False,
    }


def test_titles_never_escape_the_folder():
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("..") == "bai-viet"
    assert slugify("Đường lên Sa Pa – mùa hoa đỗ quyên") == "duong-len-sa-pa-mua-hoa-do-quyen"
    long = slugify("Gương " * 40)
    assert len(long) <= 60 and not long.endswith("-")


def test_hostile_title_stays_inside_and_inert(tmp_path):
    root = tmp_path / "export"
    item = make_item(tmp_path, title='../../<script>alert(1)</script>"', images=0)
    name = FolderPublisher(root, timezone="UTC").publish(item).remote_id
    assert name == "000007-script-alert-1-script"
    assert [p.parent for p in tmp_path.rglob("index.html")] == [root / name]
    page = (root / name / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not (root / name / "images").exists()


def test_republishing_replaces_the_directory_even_with_a_new_title(tmp_path):
    root = tmp_path / "export"
    pub = FolderPublisher(root, timezone="UTC")
    item = make_item(tmp_path)
    first = pub.publish(item).remote_id
    assert pub.publish(item).remote_id == first  # idempotent
    edited = dataclasses.replace(item, title="Tiêu đề mới", images=item.images[:1])
    second = pub.publish(edited).remote_id
    assert second == "000007-tieu-de-moi"
    assert visible(root) == [second]  # no hidden leftovers either
    assert visible(root / second / "images") == ["01.jpg"]
    other = make_item(tmp_path, article_id=8)
    pub.publish(other)
    assert visible(root) == [second, "000008-guong-sang-thoat-ngheo-o-y-ty"]


def test_a_crash_while_writing_leaves_the_previous_version_whole(tmp_path, monkeypatch):
    root = tmp_path / "export"
    pub = FolderPublisher(root, timezone="UTC")
    item = make_item(tmp_path)
    name = pub.publish(item).remote_id
    before = (root / name / "index.html").read_bytes()

    real_copy = shutil.copyfile
    calls = []

    def crash_on_second_image(src, dst, *a, **kw):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_copy(src, dst, *a, **kw)

    monkeypatch.setattr("dienhinh.publish.folder.shutil.copyfile", crash_on_second_image)
    edited = dataclasses.replace(item, title="Bản sửa")
    with pytest.raises(RetryablePublishError, match="No space left on device"):
        pub.publish(edited)
    assert visible(root) == [name]
    assert (root / name / "index.html").read_bytes() == before
    monkeypatch.undo()
    assert pub.publish(edited).remote_id == "000007-ban-sua"
    assert visible(root) == ["000007-ban-sua"]


def test_leftovers_of_an_interrupted_swap_are_swept(tmp_path):
    root = tmp_path / "export"
    pub = FolderPublisher(root, timezone="UTC")
    item = make_item(tmp_path)
    name = pub.publish(item).remote_id
    (root / ".tmp-000007-abc").mkdir()
    (root / ".old-000007-def" / "d").mkdir(parents=True)
    (root / ".tmp-000070-keep").mkdir()  # another article's: not ours to touch
    pub.publish(item)
    assert sorted(p.name for p in root.iterdir()) == [".tmp-000070-keep", name]
