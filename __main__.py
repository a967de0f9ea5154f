"""The command line: `dienhinh` (the console script) and `python -m dienhinh`.

A command's start-up is mostly imports (SQLAlchemy, the models, the configuration schema),
which allocate several hundred thousand objects that live as long as the process. Left
on, the cyclic garbage collector scans them again and again while they are being made
(about 150 collections, a full one among them, before a poll has done anything: a third
of the CPU of a poll with no new mail, issue 15). So it is paused during the imports, and
what they made is then frozen (``gc.freeze``: kept out of every later collection, as the
Python documentation suggests for long-lived start-up objects) before it is switched back
on for the command itself.
"""

from __future__ import annotations

import gc


def run() -> int:
    gc.disable()
    try:
        from dienhinh.worker.cli import main
    finally:
        gc.freeze()
        gc.enable()
    return main()


if __name__ == "__main__":
    raise SystemExit(run())
