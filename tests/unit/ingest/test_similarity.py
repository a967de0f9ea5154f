"""Near-duplicates and revisions of articles, and perceptual hashes of photos.

The texts are built in code from a few exemplar articles written in the province's
template: the same opening ("Thực hiện phong trào thi đua yêu nước..."), the same closing
(Bằng khen, "học tập và làm theo..."), the same district and commune. That template is the
trap: two *different* articles must not look alike because of it.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys

import pytest

from dienhinh.ingest import similarity
from dienhinh.ingest.similarity import (
    DUPLICATE_JACCARD,
    REVISION_MIN_JACCARD,
    compare,
    estimate_jaccard,
    exact_similarity,
    image_fingerprint,
    images_match,
    lsh_bands,
    lsh_candidate_probability,
    minhash,
    shingles,
)

# Old-style tone placement (Hoà) on purpose: resends are often retyped in new style (Hòa).
HOA = [
    "Chị Hoàng Thị Hoà, dân tộc Tày, sinh năm 1985, ở thôn Khe Bá, xã Xuân Hoà, huyện Bảo Yên, "
    "tỉnh Lào Cai.",
    "Thực hiện phong trào thi đua yêu nước, những năm qua chị luôn là tấm gương điển hình tiên "
    "tiến trong phát triển kinh tế gia đình.",
    "Năm 2015, gia đình chị còn thuộc diện hộ nghèo, cả nhà sống nhờ vào hai sào ruộng và mấy "
    "con lợn.",
    "Không cam chịu cảnh khó khăn, chị mạnh dạn vay 50 triệu đồng từ Ngân hàng Chính sách xã "
    "hội để trồng quế và nuôi trâu sinh sản.",
    "Ban ngày chị lên nương phát cỏ, tối về lại tìm đọc tài liệu hướng dẫn kỹ thuật chăm sóc "
    "cây quế.",
    "Đến nay, gia đình chị đã có 7 ha quế, đàn trâu 12 con và một ao cá rộng 800 mét vuông.",
    "Mỗi năm, sau khi trừ chi phí, gia đình thu lãi hơn 300 triệu đồng.",
    "Không chỉ làm giàu cho bản thân, chị Hoà còn nhiệt tình hướng dẫn kỹ thuật, cho bà con "
    "trong thôn mượn giống quế và vay vốn không lấy lãi.",
    "Nhờ sự giúp đỡ của chị, đã có 15 hộ trong thôn thoát nghèo bền vững.",
    "Là chi hội trưởng chi hội phụ nữ thôn, chị còn vận động chị em tham gia xây dựng nông "
    "thôn mới, hiến đất làm đường bê tông liên thôn dài 2 km.",
    "Với những thành tích đã đạt được, chị Hoà được Chủ tịch Ủy ban nhân dân tỉnh tặng Bằng "
    "khen và được bình chọn là gương điển hình tiên tiến trong phong trào thi đua yêu nước "
    "giai đoạn 2020 - 2025.",
    "Chị là tấm gương sáng để mọi người học tập và làm theo tư tưởng, đạo đức, phong cách Hồ "
    "Chí Minh.",
]

# A different person, same template, same commune and district.
MINH = [
    "Thầy Nguyễn Văn Minh, sinh năm 1980, giáo viên Trường Phổ thông dân tộc bán trú Tiểu học "
    "Xuân Hoà, huyện Bảo Yên, tỉnh Lào Cai.",
    "Thực hiện phong trào thi đua yêu nước, những năm qua thầy luôn là tấm gương điển hình tiên "
    "tiến trong sự nghiệp trồng người.",
    "Hơn 20 năm gắn bó với vùng cao, thầy đã đi qua nhiều điểm trường lẻ, nơi học trò phải lội "
    "suối băng rừng đến lớp.",
    "Mùa đông, thầy cùng đồng nghiệp quyên góp áo ấm, chăn màn cho các em học sinh bán trú.",
    "Thầy tự làm đồ dùng dạy học từ tre, nứa, vỏ hộp để giờ học toán trở nên sinh động.",
    "Nhờ phương pháp dạy học tích cực, tỷ lệ học sinh lớp thầy chủ nhiệm hoàn thành chương trình "
    "đạt 100 phần trăm, nhiều em đạt giải trong các kỳ thi cấp huyện.",
    "Thầy còn đến từng nhà vận động phụ huynh đưa con em ra lớp, không để học sinh bỏ học giữa "
    "chừng.",
    "Là tổ trưởng chuyên môn, thầy thường xuyên dự giờ, góp ý giúp giáo viên trẻ nâng cao tay "
    "nghề.",
    "Với những thành tích đã đạt được, thầy Minh được Chủ tịch Ủy ban nhân dân tỉnh tặng Bằng "
    "khen và được bình chọn là gương điển hình tiên tiến trong phong trào thi đua yêu nước "
    "giai đoạn 2020 - 2025.",
    "Thầy là tấm gương sáng để mọi người học tập và làm theo tư tưởng, đạo đức, phong cách Hồ "
    "Chí Minh.",
]

# Same commune, same crop (quế), same template: the closest an unrelated article gets.
THANG = [
    "Anh Lý Văn Thắng, dân tộc Dao, sinh năm 1990, ở thôn Khe Bá, xã Xuân Hoà, huyện Bảo Yên, "
    "tỉnh Lào Cai.",
    "Thực hiện phong trào thi đua yêu nước, những năm qua anh luôn là tấm gương điển hình tiên "
    "tiến trong phong trào thanh niên lập nghiệp.",
    "Sau khi tốt nghiệp trung cấp nông nghiệp, anh trở về quê thành lập tổ hợp tác chế biến "
    "quế với 9 thành viên.",
    "Tổ hợp tác thu mua vỏ quế của bà con, sơ chế thành quế ống, quế điếu để bán cho doanh "
    "nghiệp xuất khẩu.",
    "Năm 2022, sản phẩm quế điếu của tổ được công nhận đạt chuẩn OCOP 3 sao cấp tỉnh.",
    "Doanh thu của tổ hợp tác mỗi năm đạt gần 2 tỷ đồng, tạo việc làm thường xuyên cho 20 lao "
    "động địa phương.",
    "Là bí thư chi đoàn thôn, anh còn tổ chức cho đoàn viên làm đường, sửa nhà văn hoá và trồng "
    "cây xanh.",
    "Với những thành tích đã đạt được, anh Thắng được Chủ tịch Ủy ban nhân dân tỉnh tặng Bằng "
    "khen và được bình chọn là gương điển hình tiên tiến trong phong trào thi đua yêu nước "
    "giai đoạn 2020 - 2025.",
    "Anh là tấm gương sáng để mọi người học tập và làm theo tư tưởng, đạo đức, phong cách Hồ "
    "Chí Minh.",
]

COVER = (
    "Kính gửi Ban Thi đua - Khen thưởng tỉnh. Hội Liên hiệp Phụ nữ huyện Bảo Yên xin gửi bài "
    "viết về gương điển hình tiên tiến chị Hoàng Thị Hòa để Ban tổng hợp, đăng tải. Trân trọng "
    "cảm ơn!"
)


def article(sentences: list[str]) -> str:
    return "\n\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))


ORIGINAL = article(HOA)


def edited_hoa() -> str:
    """About a third of the article rewritten: four of twelve sentences replaced, the
    figures corrected in a fifth."""
    s = list(HOA)
    s[2] = (
        "Cách đây mười năm, gia đình chị vẫn là hộ nghèo của thôn, thu nhập chỉ trông vào mấy "
        "sào lúa nước."
    )
    s[4] = (
        "Chị tham gia đầy đủ các lớp tập huấn do Trạm Khuyến nông huyện tổ chức và áp dụng "
        "ngay vào vườn quế của mình."
    )
    s[5] = s[5].replace("7 ha", "9 ha").replace("12 con", "15 con")
    s[8] = "Đến cuối năm 2024, mười lăm hộ được chị giúp đỡ đã thoát nghèo, có hộ xây được nhà mới."
    s[9] = (
        "Trên cương vị chi hội trưởng phụ nữ, chị vận động hội viên hiến hơn 3.000 mét vuông "
        "đất để mở rộng đường liên thôn."
    )
    return article(s)


# --- shingles and MinHash ------------------------------------------------------------------


def test_shingles_ignore_spacing_case_punctuation_and_tone_style() -> None:
    assert shingles("Chị  Hoàng Thị HOÀ,\txã Xuân Hoà.") == shingles(
        "chị hoàng thị hòa xã xuân hòa"
    )
    assert shingles("") == set()
    assert shingles("… — !") == set()
    assert len(shingles("hai từ")) == 1  # shorter than k: one shingle of all the words
    assert all(0 <= h < 2**64 for h in shingles(ORIGINAL))
    with pytest.raises(ValueError, match="at least 1"):
        shingles("x", k=0)


# Computed once from the scheme in the module docstring. If this fails, the scheme changed
# and every stored signature and band is stale: write a migration, then update this.
EXPECTED_PREFIX = (
    18655312748561424,
    19987911953025275,
    109907207434937942,
    126107660498933421,
)


def test_minhash_is_deterministic_and_pinned() -> None:
    sig = minhash(ORIGINAL)
    assert len(sig) == 64
    assert sig == minhash(ORIGINAL)
    assert all(0 <= v < 2**63 for v in sig)  # fits a signed BIGINT and JSON
    assert sig[: len(EXPECTED_PREFIX)] == EXPECTED_PREFIX


def test_minhash_is_the_same_in_another_process() -> None:
    """Python's hash() is salted per process; the signature must not be."""
    code = "from dienhinh.ingest.similarity import minhash; import sys; print(minhash(sys.argv[1]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, ORIGINAL], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(minhash(ORIGINAL))


def test_minhash_of_short_and_empty_texts() -> None:
    assert minhash("") == ()
    assert minhash("...") == ()
    sig = minhash("Chị Hoàng Thị Hoà ở xã Xuân Hoà")  # 3 shingles: most bins densified
    assert len(sig) == 64
    assert sig == minhash("chị hoàng thị hòa ở xã xuân hòa")
    assert len(minhash(ORIGINAL, num_perm=128)) == 128
    with pytest.raises(ValueError, match="num_perm"):
        minhash(ORIGINAL, num_perm=0)


def test_estimate_tracks_exact_jaccard() -> None:
    pairs = [
        (ORIGINAL, ORIGINAL.replace("7 ha", "8 ha")),
        (ORIGINAL, edited_hoa()),
        (ORIGINAL, article(MINH)),
        (ORIGINAL, COVER + "\n\n" + ORIGINAL),
    ]
    for a, b in pairs:
        exact = exact_similarity(a, b)
        assert abs(estimate_jaccard(minhash(a), minhash(b)) - exact) < 0.15, exact
    assert estimate_jaccard(minhash(ORIGINAL), minhash(ORIGINAL)) == 1.0
    assert estimate_jaccard((), minhash(ORIGINAL)) == 0.0
    with pytest.raises(ValueError, match="length"):
        estimate_jaccard(minhash(ORIGINAL), minhash(ORIGINAL, num_perm=32))


# --- LSH bands -----------------------------------------------------------------------------


def test_band_keys_shape() -> None:
    keys = lsh_bands(minhash(ORIGINAL))
    assert len(keys) == 16
    assert keys[3].startswith("b03:")
    assert all(len(k) == 20 for k in keys)  # fits article_band.band (String(40))
    assert lsh_bands(()) == []
    with pytest.raises(ValueError, match="bands"):
        lsh_bands(minhash(ORIGINAL), bands=5)


def test_near_duplicates_share_a_band() -> None:
    base = set(lsh_bands(minhash(ORIGINAL)))
    for near in (
        ORIGINAL.replace("Hoà", "Hòa").upper(),
        ORIGINAL.replace("7 ha", "8 ha"),
        ORIGINAL.replace("300 triệu", "350 triệu").replace("15 hộ", "16 hộ"),
        COVER + "\n\n" + ORIGINAL,
    ):
        assert base & set(lsh_bands(minhash(near)))


def test_different_articles_share_no_band() -> None:
    texts = [article(HOA), article(MINH), article(THANG)]
    keys = [set(lsh_bands(minhash(t))) for t in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            assert not keys[i] & keys[j], (i, j)


def test_different_random_texts_rarely_share_a_band() -> None:
    """GIVEN 60 unrelated texts over a small shared vocabulary (so short phrases recur)
    THEN of the 1,770 pairs almost none become candidates (about 3 expected at J≈0.1)."""
    rng = random.Random(7)
    vocab = " ".join(HOA + MINH + THANG).split()
    texts = [" ".join(rng.choice(vocab) for _ in range(300)) for _ in range(60)]
    keys = [set(lsh_bands(minhash(t))) for t in texts]
    pairs = sum(bool(keys[i] & keys[j]) for i in range(60) for j in range(i + 1, 60))
    assert pairs <= 10


def test_documented_probability_curve() -> None:
    assert lsh_candidate_probability(0.8) == pytest.approx(0.9998, abs=1e-4)
    assert lsh_candidate_probability(0.5) == pytest.approx(0.644, abs=1e-3)
    assert lsh_candidate_probability(0.1) < 0.002


# --- compare -------------------------------------------------------------------------------


def test_same_text_other_spacing_case_and_tone_style_is_duplicate() -> None:
    resent = "  ".join(ORIGINAL.replace("Hoà", "Hòa").upper().split()).replace(". ", ".\n\t")
    verdict, sim, reason = compare(ORIGINAL, resent)
    assert (verdict, sim) == ("duplicate", 1.0)
    assert "Same text" in reason


def test_forward_with_cover_paragraph_is_duplicate() -> None:
    forwarded = COVER + "\n\n" + ORIGINAL.replace("Hoà", "Hòa")
    assert exact_similarity(ORIGINAL, forwarded) < DUPLICATE_JACCARD  # Jaccard alone fails
    verdict, sim, reason = compare(ORIGINAL, forwarded, hint_b="Fwd: Bài gương điển hình")
    assert verdict == "duplicate"
    assert sim >= 0.95
    assert "earlier text is found in the later" in reason


def test_trimmed_resend_is_duplicate() -> None:
    """GIVEN the first mail carried the article plus the unit's signature block
    WHEN the resend has the article alone THEN it is a duplicate."""
    signed = (
        ORIGINAL + "\n\nNgười viết: Lương Thị Mai, Hội Liên hiệp Phụ nữ huyện Bảo Yên, "
        "điện thoại 0912 345 678, thư điện tử maibaoyen@example.vn, ngày 12 tháng 3 năm 2025."
    )
    assert compare(signed, ORIGINAL)[0] == "duplicate"


def test_tiny_fix_without_hint_is_duplicate() -> None:
    verdict, sim, _ = compare(ORIGINAL, ORIGINAL.replace("7 ha", "8 ha"))
    assert verdict == "duplicate"
    assert DUPLICATE_JACCARD <= sim < 1.0


def test_edited_version_is_revision() -> None:
    edited = edited_hoa()
    verdict, sim, reason = compare(ORIGINAL, edited)
    assert verdict == "revision", (sim, reason)
    assert REVISION_MIN_JACCARD <= sim < DUPLICATE_JACCARD
    assert "Edited" in reason


@pytest.mark.parametrize(
    "hint",
    [
        "Bản sửa - gương điển hình chị Hoàng Thị Hòa",
        "Re: gui lai ban da chinh sua",  # typed without accents
        "Gửi lại bản đã chỉnh sửa, đề nghị Ban thay thế bài cũ",
        "ĐÍNH CHÍNH số liệu",
    ],
)
def test_short_edit_with_correction_hint_is_revision(hint: str) -> None:
    verdict, sim, reason = compare(ORIGINAL, ORIGINAL.replace("7 ha", "8 ha"), hint_b=hint)
    assert verdict == "revision"
    assert sim >= DUPLICATE_JACCARD
    assert "corrected version" in reason


def test_identical_text_with_correction_hint_is_revision_saying_so() -> None:
    verdict, _, reason = compare(ORIGINAL, ORIGINAL, hint_b="Bổ sung ảnh")
    assert verdict == "revision"
    assert "same as the earlier one" in reason


def test_hint_does_not_link_different_articles() -> None:
    verdict, _, _ = compare(ORIGINAL, article(MINH), hint_b="Bản sửa")
    assert verdict == "different"


def test_hint_words_match_whole_words_only() -> None:
    # "bổ sung" inside other words would be a false hint; "ban suat" is not "ban sua".
    verdict, _, _ = compare(ORIGINAL, ORIGINAL.replace("7 ha", "8 ha"), hint_b="ban suat an")
    assert verdict == "duplicate"


def test_different_articles_in_the_same_template_are_different() -> None:
    """Same commune, same district, same opening and closing sentences, even the same crop:
    still different articles, and not close to any threshold."""
    texts = [article(HOA), article(MINH), article(THANG)]
    for i in range(len(texts)):
        for j in range(len(texts)):
            if i == j:
                continue
            verdict, sim, reason = compare(texts[i], texts[j])
            assert verdict == "different", (i, j, sim, reason)
            assert sim < 0.1
            assert "Different article" in reason


def test_template_sentences_alone_do_not_make_short_notes_alike() -> None:
    """GIVEN two short notes that are mostly template, about different people
    THEN too little is left to call them anything but different."""
    note_a = " ".join([HOA[0], HOA[1], HOA[10], HOA[11]])
    note_b = " ".join([THANG[0], THANG[1], THANG[7], THANG[8]])
    raw = exact_similarity(note_a, note_b)
    verdict, _, reason = compare(note_a, note_b, hint_b="bản sửa")
    assert verdict == "different", (raw, reason)


def test_caller_can_ignore_frequent_shingles() -> None:
    # Pretend the store found the Hoà article's closing sentences in most articles.
    frequent = shingles(" ".join(HOA[10:]))
    a = article(HOA)
    b = article(HOA[:3]) + " " + article(THANG[2:7]) + " " + " ".join(HOA[10:])
    assert compare(a, b, ignore=frequent)[1] < compare(a, b)[1]


def test_text_without_words_is_different() -> None:
    assert compare("", "")[0] == "different"
    assert compare("...", ORIGINAL)[0] == "different"


# --- photos --------------------------------------------------------------------------------


def _photo(seed: int, *, quality: int = 95) -> bytes:
    """A photo-like picture: a sky-to-field gradient and a few shapes."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    img = Image.new("RGB", (320, 240))
    draw = ImageDraw.Draw(img)
    top, bottom = [rng.randrange(256) for _ in range(3)], [rng.randrange(256) for _ in range(3)]
    for y in range(240):
        t = y / 239
        draw.line(
            [(0, y), (319, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(6):
        x, y = rng.randrange(280), rng.randrange(200)
        w, h = rng.randrange(30, 140), rng.randrange(30, 120)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _resave(data: bytes, *, quality: int, scale: float = 1.0) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        out = (
            img.resize((round(img.width * scale), round(img.height * scale))) if scale != 1 else img
        )
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def test_recompressed_photo_matches() -> None:
    pytest.importorskip("PIL")
    for seed in range(10):
        original = _photo(seed)
        h = image_fingerprint(original)
        assert h is not None and len(h) == 16  # fits asset.phash (String(16))
        assert images_match(h, image_fingerprint(_resave(original, quality=30)))
        assert images_match(h, image_fingerprint(_resave(original, quality=60, scale=0.5)))


def test_different_photos_do_not_match() -> None:
    pytest.importorskip("PIL")
    hashes = [image_fingerprint(_photo(seed)) for seed in range(10)]
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            assert not images_match(hashes[i], hashes[j]), (i, j, hashes[i], hashes[j])


def test_no_perceptual_hash_without_pillow_or_image(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("PIL")
    photo = _photo(1)
    assert image_fingerprint(b"not an image") is None
    assert image_fingerprint(photo[:200]) is None  # truncated
    assert images_match(None, None) is False
    monkeypatch.setitem(sys.modules, "PIL", None)  # import now raises ImportError
    assert image_fingerprint(photo) is None


def test_flat_picture_has_no_hash() -> None:
    pytest.importorskip("PIL")
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (100, 80), (200, 30, 30)).save(buf, "PNG")
    assert image_fingerprint(buf.getvalue()) is None


def test_module_exports_are_defined() -> None:
    assert all(hasattr(similarity, name) for name in similarity.__all__)


class _Lookup:
    """The duplicates.Lookup protocol over a few stored texts: {id: (message_pk, unit, text)}."""

    def __init__(self, stored: dict[int, tuple[int, str | None, str]]) -> None:
        from collections import Counter

        from dienhinh.ingest.duplicates import Stored

        self._counter = Counter
        self.rows = {
            i: Stored(i, mpk, list(similarity.minhash(text)), unit)
            for i, (mpk, unit, text) in stored.items()
        }
        self.texts = {i: text for i, (_m, _u, text) in stored.items()}
        self.fps = {"fp-" + str(i): i for i in stored}

    def exact(self, fingerprint: str, not_message: int):
        i = self.fps.get(fingerprint)
        return self.rows[i] if i is not None and self.rows[i].message_pk != not_message else None

    def band_hits(self, bands: list[str]):
        return self._counter(
            i
            for i, st in self.rows.items()
            for b in similarity.lsh_bands(tuple(st.signature))
            if b in bands
        )

    def stored(self, ids):
        return [self.rows[i] for i in ids if i in self.rows]

    def text(self, article_id: int) -> str:
        return self.texts[article_id]


@pytest.mark.parametrize("exact", [True, False], ids=["same-fingerprint", "near-duplicate"])
@pytest.mark.parametrize(
    ("earlier", "later", "verdict"),
    [
        ("bat-xat", "bac-ha", "other-unit"),  # another unit's article: the editor decides
        ("bat-xat", "bat-xat", "duplicate"),  # the unit's own resend
        ("bat-xat", None, "duplicate"),  # a sender no unit is known by: a plain resend
        (None, "bac-ha", "duplicate"),
    ],
)
def test_a_duplicate_of_another_units_article_is_its_own_verdict(
    exact: bool, earlier: str | None, later: str | None, verdict: str
) -> None:
    from dienhinh.ingest.duplicates import decide

    lookup = _Lookup({7: (1, earlier, ORIGINAL)})
    text = ORIGINAL if exact else COVER + "\n\n" + ORIGINAL
    match = decide(
        lookup,
        text=text,
        fingerprint="fp-7" if exact else "",
        signature=list(similarity.minhash(text)),
        message_pk=2,
        unit=later,
    )
    assert match is not None and match.original_id == 7
    assert match.verdict == verdict
    assert match.original_unit == earlier
    if verdict == "other-unit":
        assert "Sent before by bat-xat." in match.reason


def test_containment_is_the_share_of_a_part_found_in_a_whole():
    """A piece of a text is wholly contained whatever the whole's length; a different
    text is not; a text too short for a shingle is contained in nothing."""
    from dienhinh.ingest.similarity import containment

    whole = " ".join(
        f"câu thứ {i} nói về mô hình trồng chè của bà con thôn {i}." for i in range(40)
    )
    part = " ".join(whole.split()[200:320])
    assert containment(part, whole) == 1.0
    assert containment(whole, part) < 0.5
    assert containment("một đoạn văn hoàn toàn khác hẳn về chuyện nuôi cá hồi ở Sa Pa", whole) == 0
    assert containment("hai từ", whole) == 0.0
