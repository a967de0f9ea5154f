"""Every tag the taggers give, written out to compare two trees (a speed-up must change none).

Builds the labelled corpus (all writers, tests/fixtures/corpus), the eval and unit-mail
fixture sets (tests/fixtures/eval, tests/fixtures/unitmail) and the demo Maildir, extracts
every message once and keeps the extracted messages in a pickle (``--outcomes``: made when
missing, read when present, so two trees tag the very same input). Then tags each message
as the extraction workers do (``tag_outcome``, and once more with a learned sender address)
and each article as the slow lane does (``tag_article``), and writes every unit, tag,
confidence, evidence item, flag and review reason as sorted JSON.

    PYTHONPATH=<tree A's parent> python bench/tagging_snapshot.py --outcomes X.pickle a.json
    PYTHONPATH=<tree B's parent> python bench/tagging_snapshot.py --outcomes X.pickle b.json
    cmp a.json b.json

``--extra DIR`` adds the ``*.eml`` of another folder (the shared samples, say).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _module(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def extract_all(extra: list[Path]) -> list[tuple[str, Any]]:
    """(name, extracted message) for every message of the sets above."""
    from dienhinh.ingest.context import ExtractContext
    from dienhinh.ingest.extract import extract_message

    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures.eval import build as eval_build
    from fixtures.unitmail import build as unitmail_build

    tmp = Path(tempfile.mkdtemp(prefix="tagging-snapshot-"))
    _module(ROOT / "tests" / "fixtures" / "corpus" / "build.py", "corpus_build").build(
        tmp / "corpus"
    )
    eval_build.build(tmp / "eval")
    unitmail_build.build(tmp / "unitmail")
    files = [
        (f"{d}/{p.name}", p)
        for d in ("corpus", "eval", "unitmail")
        for p in sorted((tmp / d).glob("*.eml"))
    ]
    files += [(f"demo/{p.name}", p) for p in sorted((ROOT / "demo" / "maildir").rglob("*.demo"))]
    for folder in extra:
        files += [(f"{folder.name}/{p.name}", p) for p in sorted(folder.glob("*.eml"))]
    ctx = ExtractContext(blob_root=tmp / ".blobs")
    return [(name, extract_message(path.read_bytes(), ctx)) for name, path in files]


def snapshot(outcomes: list[tuple[str, Any]]) -> dict[str, Any]:
    """Every output of the taggers for ``outcomes``, by message (and article)."""
    from dienhinh.classifiers.calibration import CALIBRATION_FILE
    from dienhinh.classifiers.decision import DECISION_FILE
    from dienhinh.classifiers.tagging import tag_article, tag_outcome
    from dienhinh.core.config import TaggingConfig

    def settings(learned: tuple[tuple[str, str], ...] = ()) -> TaggingConfig:
        return TaggingConfig(
            units_file=ROOT / "units.toml",
            campaigns_file=ROOT / "campaigns.toml",
            model_file=ROOT / "var" / "no-model.pickle",
            calibration_file=CALIBRATION_FILE,
            campaign_decision_file=DECISION_FILE,
            learned=learned,
        )

    def tag(s: Any) -> Any:
        return None if s is None else dataclasses.asdict(s)

    plain = settings()
    out: dict[str, Any] = {}
    for variant in ("plain", "learned"):
        for name, o in outcomes:
            sender = o.headers.from_addr.strip().lower()
            s = settings(((sender, "bao-yen"),)) if variant == "learned" and sender else plain
            t = tag_outcome(o, s)
            out[f"{variant}:{name}"] = {
                "unit": tag(t.unit),
                "group": t.unit_group,
                "verified": t.sender_verified,
                "flags": t.flags,
                "articles": [
                    {
                        "tags": [tag(x) for x in a.suggestions],
                        "flagged": a.flagged,
                        "reasons": a.reasons,
                    }
                    for a in t.articles
                ],
            }
            for i, draft in enumerate(o.articles):
                late = tag_article(
                    draft,
                    s,
                    headers=o.headers,
                    unit_code=t.unit.value if t.unit else None,
                    unit_flags=list(t.flags),
                    unit_confidence=t.unit.confidence if t.unit else None,
                )
                out[f"{variant}:{name}:late{i}"] = {
                    "tags": [tag(x) for x in late.suggestions],
                    "flagged": late.flagged,
                    "reasons": late.reasons,
                }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the JSON to write")
    ap.add_argument("--outcomes", type=Path, help="the extracted messages (made when missing)")
    ap.add_argument("--extra", type=Path, action="append", default=[], help="more *.eml")
    args = ap.parse_args(argv)
    if args.outcomes is not None and args.outcomes.exists():
        outcomes = pickle.loads(args.outcomes.read_bytes())
    else:
        outcomes = extract_all(args.extra)
        if args.outcomes is not None:
            args.outcomes.write_bytes(pickle.dumps(outcomes))
    result = snapshot(outcomes)
    args.out.write_text(
        json.dumps(result, ensure_ascii=False, indent=0, sort_keys=True, default=str),
        encoding="utf-8",
    )
    tags = sum(len(a["tags"]) for v in result.values() for a in v.get("articles", [v]))
    print(f"{len(outcomes)} messages, {len(result)} entries, {tags} tags: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
