"""A compilation of short profiles in one document or body: one article per profile.

Why: mass organisations and education offices gather the quarter's exemplars from their
branches into one page ("Những người gieo chữ ...": "1. Cô Lò Thị Hương ...", "2. Thầy
...", or "Gương thứ nhất:"). Each profile is an exemplar the Board reviews, tags and
counts on its own. A dossier's numbered sections ("1. Sơ lược lý lịch", "2. Thành tích")
and sections that all speak of one person are one article, and must stay so.
"""

from __future__ import annotations

from dienhinh.core.types import ArticleDraft
from dienhinh.ingest.article import Block, build_article
from dienhinh.ingest.context import ExtractContext
from dienhinh.ingest.extract import extract_message
from dienhinh.ingest.split import split_blocks, split_pasted
from factory import DOCX_TYPE, Attach, Para, make_docx_paragraphs, make_email

LETTERHEAD = [Block(text="UBND HUYỆN VĂN BÀN", bold=True), Block(text="PHÒNG GIÁO DỤC", bold=True)]

# Sentences about someone called {n} (the given name), varied so no two profiles read alike.
_SENTENCES = (
    "Năm {y}, {h} {n} nhận nhiệm vụ ở nơi xa nhất của xã, đường vào bản chỉ có lối mòn.",
    "Những ngày đầu, {h} {n} đi bộ hơn mười cây số để vận động từng gia đình.",
    "Nhờ sự kiên trì ấy, số người tham gia tăng từ {a} lên {b} chỉ sau hai năm.",
    "Bà con trong bản quý mến gọi {h} {n} là người nhà, ai có việc khó cũng tìm đến.",
    "Không dừng lại ở đó, {h} {n} còn tự học thêm để hướng dẫn các hộ cách làm mới.",
    "Năm {z}, {h} {n} được Chủ tịch UBND huyện tặng Giấy khen vì thành tích xuất sắc.",
)


def _profile(h: str, n: str, seed: int) -> list[str]:
    vals = {"h": h.lower(), "n": n, "y": 2008 + seed, "z": 2016 + seed, "a": 10 + seed, "b": 90}
    text = " ".join(s.format(**vals) for s in _SENTENCES)
    return [text, " ".join(s.format(**vals) for s in reversed(_SENTENCES))]


PEOPLE = [
    ("Cô", "Lò Thị Hương", "Hương", "15 năm bám bản Nậm Xé"),
    ("Thầy", "Đinh Công Lực", "Lực", "hiệu trưởng xây trường bằng lòng dân"),
    ("Chị", "Hà Thị Lán", "Lán", "người mẹ của học sinh bán trú"),
]


def _compilation(heading: str = "{k}. {h} {name} – {what}", *, bold: bool = True) -> list[Block]:
    blocks = [
        *LETTERHEAD,
        Block(text="NHỮNG NGƯỜI GIEO CHỮ TRÊN QUÊ HƯƠNG VĂN BÀN", bold=True),
        Block(text="Năm học vừa qua, ngành Giáo dục huyện có nhiều tấm gương tiêu biểu."),
    ]
    for k, (h, name, given, what) in enumerate(PEOPLE, 1):
        blocks.append(Block(text=heading.format(k=k, h=h, name=name, what=what), bold=bold))
        blocks += [Block(text=p) for p in _profile(h, given, k)]
    return blocks


def test_numbered_profiles_are_one_article_each() -> None:
    groups = split_blocks(_compilation())
    assert len(groups) == 3
    for group, (h, name, _, what) in zip(groups, PEOPLE, strict=True):
        # the letterhead goes with every profile (its unit tags each), the number is dropped
        assert [b.text for b in group[:2]] == ["UBND HUYỆN VĂN BÀN", "PHÒNG GIÁO DỤC"]
        [title] = [b.text for b in group if b.heading]
        assert title == f"{h} {name} – {what}"
    assert "Đinh Công Lực" not in " ".join(b.text for b in groups[0])


def test_profiles_in_a_docx_are_tagged_apart(ctx: ExtractContext) -> None:
    paras = [Para(b.text, bold=b.bold) for b in _compilation()]
    mail = make_email(
        attachments=[Attach("guong tieu bieu.docx", make_docx_paragraphs(paras), DOCX_TYPE)]
    )
    out = extract_message(mail, ctx)
    assert [a.title for a in out.articles] == [f"{h} {n} – {w}" for h, n, _, w in PEOPLE]
    assert [a.flags for a in out.articles] == [["split:1/3"], ["split:2/3"], ["split:3/3"]]


def test_word_markers_and_a_marker_on_its_own_line() -> None:
    words = ["nhất", "hai", "ba"]
    blocks = list(LETTERHEAD)
    for k, (h, name, given, _what) in enumerate(PEOPLE):
        blocks += [
            Block(text=f"Gương thứ {words[k]}:", bold=True),
            Block(text=f"{h.upper()} {name.upper()}", bold=True),
            *(Block(text=p) for p in _profile(h, given, k)),
        ]
    groups = split_blocks(blocks)
    assert [next(b.text for b in g if b.heading) for g in groups] == [
        f"{h.upper()} {n.upper()}" for h, n, _, _ in PEOPLE
    ]


def test_three_bold_name_lines_without_numbers_split_two_do_not() -> None:
    assert len(split_blocks(_compilation("{h} {name}: {what}"))) == 3
    two = [b for b in _compilation("{h} {name}: {what}")]
    cut = next(i for i, b in enumerate(two) if b.text.startswith("Chị Hà"))
    assert len(split_blocks(two[:cut])) == 1
    # not emphasised: a sentence-like line in the text, not a heading
    assert len(split_blocks(_compilation("{h} {name}: {what}", bold=False))) == 1


def test_dossier_sections_and_one_persons_sections_stay_one_article() -> None:
    h, name, given, _ = PEOPLE[0]
    sections = ["Sơ lược lý lịch", "Thành tích đạt được", "Các hình thức khen thưởng"]
    dossier = [Block(text=f"{name.upper()}", bold=True)]
    for k, s in enumerate(sections, 1):
        dossier += [
            Block(text=f"{k}. {s}", bold=True),
            *(Block(text=p) for p in _profile(h, given, k)),
        ]
    assert len(split_blocks(dossier)) == 1
    # each numbered heading names the same person: one portrait in parts
    same = [Block(text="CHÂN DUNG MỘT NHÀ GIÁO", bold=True)]
    for k, part in enumerate(["những năm đầu", "đổi mới cách dạy", "niềm vui hôm nay"], 1):
        same += [Block(text=f"{k}. {h} {name} – {part}", bold=True)]
        same += [Block(text=p) for p in _profile(h, given, k)]
    assert len(split_blocks(same)) == 1


def test_a_heading_whose_person_the_text_never_names_again_does_not_split() -> None:
    blocks = _compilation()
    i = next(i for i, b in enumerate(blocks) if b.text.startswith("2. Thầy"))
    for j in (i + 1, i + 2):
        blocks[j] = Block(text=blocks[j].text.replace("Lực", "ấy"))
    assert len(split_blocks(blocks)) == 1


def test_a_long_opening_before_the_numbered_people_is_an_article_with_examples() -> None:
    blocks = _compilation()
    opening = " ".join(_profile("anh", "Páo", 9)) * 2  # about 180 words before "1."
    blocks.insert(3, Block(text=opening))
    assert len(split_blocks(blocks)) == 1


def test_profiles_too_short_are_a_list_not_articles() -> None:
    blocks = list(LETTERHEAD)
    for k, (h, name, given, _what) in enumerate(PEOPLE, 1):
        blocks += [
            Block(text=f"{k}. {h} {name}", bold=True),
            Block(text=f"{h} {given} đạt giải nhất."),
        ]
    assert len(split_blocks(blocks)) == 1


def test_a_pasted_compilation_splits_as_a_document_does() -> None:
    paras = ["Năm học vừa qua, ngành Giáo dục huyện có nhiều tấm gương tiêu biểu."]
    for k, (h, name, given, what) in enumerate(PEOPLE, 1):
        paras += [f"{k}. {h} {name} – {what}", *_profile(h, given, k)]
    draft = ArticleDraft(
        title="Những người gieo chữ trên quê hương Văn Bàn",
        text="\n\n".join(paras),
        source="text-body",
        origin="body",
    )
    parts = split_pasted(draft)
    assert [a.title for a in parts] == [f"{h} {n} – {w}" for h, n, _, w in PEOPLE]


def test_collectives_named_after_their_head_word() -> None:
    teams = [
        ("Hợp tác xã Chè Tả Phìn", "Phìn"),
        ("Chi hội Phụ nữ thôn Cốc Lầy", "Lầy"),
        ("Tổ an ninh xã Y Tý", "Tý"),
    ]
    blocks = list(LETTERHEAD)
    for k, (name, last) in enumerate(teams, 1):
        blocks.append(Block(text=f"{k}. {name}", bold=True))
        blocks += [Block(text=p) for p in _profile("ở", last, k)]
    assert len(split_blocks(blocks)) == 3


def test_a_list_of_names_in_capitals_each_with_a_paragraph() -> None:
    """A youth union's list: each exemplar's name alone in capitals (not bold), then one
    paragraph that never repeats it ("Sinh năm 1996, dân tộc Mông, ..."); a collective's
    line whose name its paragraph does not say again stays with the profile above."""
    people = [("GIÀNG A DẾ", "Mông"), ("TRIỆU THỊ MAI", "Dao"), ("LÙ VĂN PHÚ", "Giáy")]
    blocks = [*LETTERHEAD, Block(text="DANH SÁCH GƯƠNG THANH NIÊN TIÊU BIỂU", bold=True)]
    for k, (name, people_of) in enumerate(people):
        text = " ".join(_profile("anh", "ấy", k)).replace("anh ấy", f"người {people_of}")
        blocks += [Block(text=name), Block(text=text)]
    blocks += [
        Block(text="CHI ĐOÀN THÔN KHE CHÁM, XÃ NẬM XÂY"),
        Block(text=" ".join(_profile("chi đoàn", "ấy", 7))),
    ]
    groups = split_blocks(blocks)
    assert [next(b.text for b in g if b.heading) for g in groups] == [n for n, _ in people]
    assert "CHI ĐOÀN THÔN KHE CHÁM, XÃ NẬM XÂY" in [b.text for b in groups[-1]]


def test_roman_headings_in_capitals_after_a_compilation_title_and_lead() -> None:
    """Four headings "I. CỰU CHIẾN BINH X - ...", one "IV. NỮ CỰU CHIẾN BINH Y": title words
    before the name; the compilation's title, date line and lead go with the first
    profile, whose title is its own heading."""
    heads = [
        ("CỰU CHIẾN BINH SẦN VĂN PÁO - NGƯỜI GIỮ MỐC", "Páo"),
        ("CỰU CHIẾN BINH TRẦN VĂN BỔNG LÀM GIÀU TỪ ĐỒI CAM", "Bổng"),
        ("NỮ CỰU CHIẾN BINH HOÀNG THỊ LIÊN KỂ CHUYỆN BÁC", "Liên"),
    ]
    blocks = [
        Block(text="HỘI CCB TỈNH LÀO CAI", bold=True),
        Block(text="TẬP HỢP GƯƠNG CỰU CHIẾN BINH TIÊU BIỂU", bold=True),
        Block(text="6 tháng đầu năm 2019", bold=True),
        Block(text="Phát huy bản chất Bộ đội Cụ Hồ, các cấp Hội có nhiều gương tiêu biểu."),
    ]
    for roman, (head, given) in zip(("I", "II", "III"), heads, strict=True):
        blocks += [Block(text=f"{roman}. {head}", bold=True)]
        blocks += [Block(text=p) for p in _profile("ông", given, len(blocks))]
    groups = split_blocks(blocks)
    assert [next(b.text for b in g if b.heading) for g in groups] == [h for h, _ in heads]
    arts = [build_article(g, source="docx", origin="x") for g in groups]
    assert arts[0].title == heads[0][0]
    assert "Phát huy bản chất Bộ đội Cụ Hồ" in arts[0].text


def test_models_numbered_by_word_and_a_category_before_the_name() -> None:
    """ "Mô hình 1: Tổ hợp tác rau an toàn thôn Sơn Lầu", "Mô hình 2: “Đổi rác lấy quà” ở
    thị trấn Phố Lu" (the marker says an exemplar follows: the place it names will do),
    "1. Tập thể: Công đoàn Công ty Thủy điện Nậm Mu", "2. Cá nhân: Anh Hoàng Văn Phúc"."""
    models = [
        ("Mô hình 1: Tổ hợp tác rau an toàn thôn Sơn Lầu, xã Gia Phú", "Lầu"),
        ("Mô hình 2: “Đổi rác thải nhựa lấy quà” ở thị trấn Phố Lu", "Lu"),
    ]
    blocks = list(LETTERHEAD)
    for head, place in models:
        blocks += [Block(text=head), *(Block(text=p) for p in _profile("ở", place, 3))]
    assert len(split_blocks(blocks)) == 2
    kinds = [
        ("1. Tập thể: Công đoàn Công ty cổ phần Thủy điện Nậm Mu", "Mu"),
        ("2. Cá nhân: An toàn viên Hoàng Văn Phúc - Mỏ đồng Sin Quyền", "Phúc"),
    ]
    blocks = list(LETTERHEAD)
    for head, name in kinds:
        blocks += [Block(text=head, bold=True), *(Block(text=p) for p in _profile("anh", name, 5))]
    assert [next(b.text for b in g if b.heading) for g in split_blocks(blocks)] == [
        "Tập thể: Công đoàn Công ty cổ phần Thủy điện Nậm Mu",
        "Cá nhân: An toàn viên Hoàng Văn Phúc - Mỏ đồng Sin Quyền",
    ]


def test_a_pasted_body_without_emphasis_splits_on_short_name_lines() -> None:
    """A compilation pasted into a mail body keeps no bold: its name lines are short lines
    without a full stop, each followed by a paragraph naming the person again."""
    paras = ["Công đoàn tỉnh giới thiệu gương đoàn viên, người lao động tiêu biểu quý II."]
    for h, name, given, _ in PEOPLE:
        paras += [f"Đoàn viên {name} - Công đoàn Chè Phong Hải", " ".join(_profile(h, given, 2))]
    draft = ArticleDraft(
        title="GIỚI THIỆU GƯƠNG ĐOÀN VIÊN TIÊU BIỂU", text="\n\n".join(paras), source="html-body"
    )
    parts = split_pasted(draft)
    assert [a.title for a in parts] == [
        f"Đoàn viên {n} - Công đoàn Chè Phong Hải" for _, n, _, _ in PEOPLE
    ]
    # the same lines in bold-less prose that reads on ("... Hải." ends a sentence): one piece
    prose = [p + "." if p.startswith("Đoàn viên") else p for p in paras]
    same = ArticleDraft(title=draft.title, text="\n\n".join(prose), source="html-body")
    assert len(split_pasted(same)) == 1
