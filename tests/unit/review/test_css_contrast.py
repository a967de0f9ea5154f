"""WCAG contrast of the console's text, computed from review/static/app.css itself: every
colour a rule gives text, on the background it sits on, at least 4.5:1 (WCAG 2.1 AA for
normal-size text: most of the console's text is small, .85rem or less).

Which background a text colour sits on is read from the stylesheet: the rule's own
background; else the background of a rule matching one of the selector's ancestors
(``header.top a`` sits on ``header.top``); else every panel the console puts text on (the
page, tables, notices, the total rows...), since such a colour (``.muted``, ``.error``) may
land on any of them. A rule that only paints a background (a badge, a state, a grid cell)
carries the inherited text colour. Opacity dims the text it applies to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import dienhinh.review

APP_CSS = Path(dienhinh.review.__file__).parent / "static" / "app.css"
MINIMUM = 4.5
WHITE = (255.0, 255.0, 255.0, 1.0)

Colour = tuple[float, float, float, float]  # r, g, b in 0..255, alpha in 0..1
_NAMED = {"white": WHITE, "black": (0.0, 0.0, 0.0, 1.0)}
# A badge, a state, a tag, a grid cell: a chip holding only its own label, not a panel
# other coloured text is put on.
_CHIP = re.compile(r"\.(?:state|mstate|outcome|badge|tag|cell|swatch)(?:-[\w-]+)?\b")


@dataclass(frozen=True, slots=True)
class Rule:
    selector: str
    decls: dict[str, str]


@dataclass(frozen=True, slots=True)
class Pair:
    selector: str
    fg: Colour
    bg: Colour
    on: str  # where the background comes from

    @property
    def ratio(self) -> float:
        return contrast(self.fg, self.bg)


def parse(css: str) -> list[Rule]:
    """Every style rule, one per selector, @media blocks flattened, var(--x) resolved."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules: list[Rule] = []
    # Innermost blocks only: an @media's own braces never match, its rules do.
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {}
        for part in body.split(";"):
            name, sep, value = part.partition(":")
            if sep:
                decls[name.strip()] = value.strip()
        for sel in selectors.split(","):
            rules.append(Rule(" ".join(sel.split()), decls))
    root = {k: v for r in rules if r.selector == ":root" for k, v in r.decls.items()}

    def resolve(value: str) -> str:
        return re.sub(r"var\((--[\w-]+)\)", lambda m: root[m.group(1)], value)

    return [Rule(r.selector, {k: resolve(v) for k, v in r.decls.items()}) for r in rules]


def colour(value: str) -> Colour | None:
    """The one solid colour of a declaration's value; None for none, inherit, gradients."""
    value = value.strip().lower()
    if "gradient" in value or "url(" in value:
        return None
    if m := re.search(r"#([0-9a-f]{3,8})\b", value):
        h = m.group(1)
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h)
        alpha = int(h[6:8], 16) / 255 if len(h) == 8 else 1.0
        return (float(int(h[0:2], 16)), float(int(h[2:4], 16)), float(int(h[4:6], 16)), alpha)
    if m := re.search(r"rgba?\(([^)]*)\)", value):
        parts = [p for p in re.split(r"[\s,/]+", m.group(1)) if p]
        r, g, b = (float(p) for p in parts[:3])
        alpha = 1.0
        if len(parts) > 3:
            alpha = float(parts[3].rstrip("%")) / (100 if parts[3].endswith("%") else 1)
        return (r, g, b, alpha)
    for word in value.split():
        if word in _NAMED:
            return _NAMED[word]
    return None


def over(fg: Colour, bg: Colour, alpha: float = 1.0) -> Colour:
    """``fg`` (its own alpha times ``alpha``) composited on the opaque ``bg``."""
    a = fg[3] * alpha
    r, g, b = (fg[i] * a + bg[i] * (1 - a) for i in range(3))
    return (r, g, b, 1.0)


def luminance(c: Colour) -> float:
    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def contrast(fg: Colour, bg: Colour) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


_SIMPLE = re.compile(r"[.#]?[\w-]+|\[[^\]]*\]|::?[\w-]+(?:\([^)]*\))?")


def _compounds(selector: str) -> list[frozenset[str]]:
    """``header.top nav a.active`` -> [{header, .top}, {nav}, {a, .active}]."""
    return [frozenset(_SIMPLE.findall(c)) for c in selector.replace(">", " ").split()]


def _matches(rule: list[frozenset[str]], path: list[frozenset[str]]) -> bool:
    """Whether a rule's selector matches the last element of ``path`` (descendants only)."""
    if not rule:
        return True
    if not path or not rule[-1] <= path[-1]:
        return False
    head = rule[:-1]
    return any(_matches(head, path[:i]) for i in range(len(path) - 1, -1, -1)) if head else True


def _background(rule: Rule) -> Colour | None:
    for name in ("background-color", "background"):
        if name in rule.decls and (c := colour(rule.decls[name])) is not None:
            return c
    return None


def _is_text(rule: Rule) -> bool:
    # A pseudo-element with empty content draws a shape, not text; a dialog's backdrop
    # shades the page behind the dialog, whose own box holds the text.
    if rule.selector.endswith("::backdrop"):
        return False
    return rule.decls.get("content", "").strip() not in ('""', "''")


def text_pairs(rules: list[Rule]) -> list[Pair]:
    body = next(r for r in rules if r.selector == "body")
    page_fg = colour(body.decls["color"]) or (0.0, 0.0, 0.0, 1.0)
    page_bg = _background(body) or WHITE
    painted = [r for r in rules if _background(r) is not None]

    def context(selector: str) -> tuple[Colour, Colour, str] | None:
        """The colour and background an ancestor rule gives this selector's element."""
        path = _compounds(selector)
        for depth in range(len(path) - 1, 0, -1):
            for r in reversed(painted):
                if _matches(_compounds(r.selector), path[:depth]):
                    fg = colour(r.decls.get("color", "")) or page_fg
                    return fg, over(_background(r) or WHITE, page_bg), r.selector
        return None

    panels = [(page_bg, "body"), (WHITE, "white")] + [
        (over(bg, page_bg), r.selector)
        for r in painted
        if "color" not in r.decls
        and not _CHIP.search(r.selector)
        and _is_text(r)
        and (bg := _background(r)) is not None
    ]
    pairs: list[Pair] = []
    for r in rules:
        if not _is_text(r):
            continue
        fg = colour(r.decls.get("color", ""))
        bg = _background(r)
        alpha = float(r.decls.get("opacity", "1"))
        if fg is None and bg is None and alpha == 1:
            continue
        ctx = context(r.selector)
        if bg is not None:  # a painted rule: its own text, or the text it inherits
            text = fg or (ctx[0] if ctx else page_fg)
            base = over(bg, ctx[1] if ctx else page_bg)
            pairs.append(Pair(r.selector, over(text, base, alpha), base, r.selector))
        elif ctx is not None:  # text inside a painted ancestor
            text = fg or ctx[0]
            pairs.append(Pair(r.selector, over(text, ctx[1], alpha), ctx[1], ctx[2]))
        else:  # a text colour for anywhere: every panel
            text = fg or page_fg
            for base, name in panels:
                pairs.append(Pair(r.selector, over(text, base, alpha), base, name))
    return pairs


def _failures(pairs: list[Pair]) -> list[str]:
    def hexa(c: Colour) -> str:
        return "#" + "".join(f"{round(v):02x}" for v in c[:3])

    return [
        f"{p.selector}: {hexa(p.fg)} on {hexa(p.bg)} ({p.on}) = {p.ratio:.2f}:1"
        for p in pairs
        if p.ratio < MINIMUM
    ]


def test_every_text_colour_of_the_console_reads_at_4_5_to_1() -> None:
    pairs = text_pairs(parse(APP_CSS.read_text(encoding="utf-8")))
    assert _failures(pairs) == []
    # The parser saw the stylesheet: the greys, the grid's cells, the red header's links.
    seen = {p.selector for p in pairs}
    assert {".muted", ".cell-future", ".cell-unresolved", "header.top a", "body"} <= seen
    assert {p.on for p in pairs if p.selector == "header.top a"} == {"header.top"}
    assert len(pairs) > 100


def test_the_check_fails_on_grey_small_print() -> None:
    # The greys the console had before issue 13: the future cell's and the muted text on a
    # total row; and text dimmed by opacity.
    css = """
    :root { --muted: #646970; }
    body { color: #1d2327; background: #f6f7f7; }
    .muted { color: var(--muted); }
    table.compliance tr.grand-total { background: #dde7f3; }
    .cell-future { background: #e7e6e6; color: #808080; }
    header.top { background: #a4161a; color: #fff; }
    header.top nav a { opacity: .6; }
    .menu::before { content: ""; background: #fff; }
    dialog::backdrop { background: rgba(0, 0, 0, .35); }
    """
    failures = _failures(text_pairs(parse(css)))
    assert any(f.startswith(".cell-future: #808080 on #e7e6e6") for f in failures)
    assert any(f.startswith(".muted: #646970 on #dde7f3") for f in failures)
    assert any(f.startswith("header.top nav a:") and "(header.top)" in f for f in failures)
    assert not any(f.startswith(".menu::before") for f in failures)  # a shape, not text
    assert not any("backdrop" in f for f in failures)  # a shade, not a surface
    assert len(failures) == 3


def test_contrast_is_wcag_s_formula() -> None:
    black, grey = (0.0, 0.0, 0.0, 1.0), colour("#767676")
    assert grey is not None
    assert round(contrast(black, WHITE), 2) == 21.0
    assert round(contrast(grey, WHITE), 2) == 4.54  # the lightest grey that passes on white
    assert colour("rgba(0, 0, 0, .5)") == (0.0, 0.0, 0.0, 0.5)
    assert colour("rgb(255 255 255)") == WHITE
    assert over((0.0, 0.0, 0.0, 0.5), WHITE)[:3] == (127.5, 127.5, 127.5)
    assert colour("none") is None and colour("linear-gradient(#fff, #fff)") is None
