"""Each process converts with a LibreOffice profile of its own (ingest/convert.py).

Why: the profile used to be one fixed directory per user (``dienhinh-convert-UID/profile``).
Two processes converting at once (two workers, a test run beside a bench) shared it, and
LibreOffice instances sharing a profile fail at random ("source file could not be
loaded", a lock left by the other). Here two processes convert real documents at the same
moment with the real LibreOffice, several times over, and every conversion must succeed;
each process's profile is private (0700) and gone when the process ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dienhinh.ingest import convert
from factory import DocSpec, article_text, make_docx

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="LibreOffice (libreoffice-writer-nogui) missing: run scripts/test-setup",
    ),
]

ROUNDS = 3

# One converting process: waits for the start signal, converts its document ROUNDS times
# (one .odt and one .rtf per round, so the two processes overlap for several seconds),
# prints the profile it used, and checks the profile's mode while it exists.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from dienhinh.ingest import convert
    from dienhinh.ingest.context import ExtractContext

    doc, start, blobs = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    ctx = ExtractContext(blob_root=blobs)
    data = doc.read_bytes()
    while not start.exists():
        time.sleep(0.01)
    for i in range({rounds}):
        [art] = convert.convert_legacy(data, doc.name, ctx)
        assert "converted" in art.flags and art.text, art
        print("TEXT", len(art.text), flush=True)
    [(key, profile)] = convert._profiles.items()
    print("PROFILE", profile, oct(profile.stat().st_mode & 0o777), flush=True)
    """
).format(rounds=ROUNDS)


def _rtf(seed: int) -> bytes:
    title, paras = article_text(seed)
    body = "".join(
        "\\pard " + "".join(c if ord(c) < 128 else f"\\u{ord(c)}?" for c in p) + "\\par\n"
        for p in [title, *paras]
    )
    return ("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n" + body + "}").encode()


def _odt(tmp: Path) -> bytes:
    """An .odt saved by LibreOffice (its own profile, in ``tmp``) from a python-docx file."""
    title, paras = article_text(77)
    (tmp / "in.docx").write_bytes(make_docx(DocSpec(title=title, paragraphs=paras)))
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(tmp / 'mkprofile').as_uri()}",
            "--convert-to",
            "odt",
            "--outdir",
            str(tmp),
            str(tmp / "in.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (tmp / "in.odt").read_bytes()


def test_two_processes_convert_at_once_each_with_its_own_profile(tmp_path: Path) -> None:
    """GIVEN two processes (same user, same TMPDIR) WHEN both convert documents with
    LibreOffice at the same moment, three times each THEN every conversion succeeds, each
    used a profile of its own (0700, under the private conversion directory), and both
    profiles are removed when the processes end."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    docs = [tmp_path / "a.odt", tmp_path / "b.rtf"]
    docs[0].write_bytes(_odt(tmp_path))
    docs[1].write_bytes(_rtf(78))
    start = tmp_path / "go"
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(doc), str(start), str(tmp_path / f"blobs{i}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for i, doc in enumerate(docs)
    ]
    time.sleep(1.0)  # both started and waiting
    started = time.monotonic()
    start.touch()
    outs = [p.communicate(timeout=300) for p in procs]
    took = time.monotonic() - started
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
        assert out.count("TEXT ") == ROUNDS, out
    profiles = [
        next(line.split()[1:] for line in out.splitlines() if line.startswith("PROFILE"))
        for out, _ in outs
    ]
    root = tmpdir / f"dienhinh-convert-{os.getuid()}"
    assert profiles[0][0] != profiles[1][0]
    for path, mode in profiles:
        assert Path(path).parent == root and mode == "0o700"
        assert not Path(path).exists(), f"{path} left behind after its process ended"
    assert not [p for p in root.iterdir() if p.name.startswith("profile-")]
    print(f"two processes x {ROUNDS} conversions in {took:.1f} s")


def test_a_killed_process_profile_is_removed_by_the_next_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a process killed with SIGKILL after creating its profile WHEN another process
    makes its own profile THEN the dead one's profile is removed; a live one's is kept."""
    monkeypatch.setattr(convert.tempfile, "tempdir", str(tmp_path))
    root = convert._temp_root()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, tempfile; tempfile.tempdir = sys.argv[1];"
            "from dienhinh.ingest import convert;"
            "print(convert._profile(convert._temp_root()), flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    dead = Path(child.stdout.readline().strip())
    assert dead.is_dir() and dead.parent == root
    live = root / f"profile-{os.getppid()}-keep"  # the test runner's parent: alive
    live.mkdir()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    monkeypatch.setattr(convert, "_profiles", {})
    mine = convert._profile(root)
    try:
        assert not dead.exists()
        assert live.is_dir()
        assert mine.is_dir() and mine.stat().st_mode & 0o777 == 0o700
        assert mine.name.startswith(f"profile-{os.getpid()}-")
    finally:
        convert._remove_profiles(os.getpid())
    assert not mine.exists()
