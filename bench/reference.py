"""The reference script of bench/ingest.py: the naive ingest the product must beat.

FETCHes every message (imapclient, BODY.PEEK[], batches of 100), parses it with
email.message_from_bytes and extracts text with python-docx, pypdf and
BeautifulSoup(html.parser), storing nothing. Its own file, so that it can run as a fresh
process with only its own imports (the ratio counts process start on both sides):

    python bench/reference.py PORT USER PASSWORD   -> prints {"seconds", "chars"} as JSON
"""

from __future__ import annotations

import email
import io
import json
import sys
import time
from collections.abc import Callable
from typing import Any


def run(connect: Callable[[], Any]) -> tuple[float, int]:
    """(seconds, characters extracted); ``connect`` returns a logged-in IMAPClient."""
    import docx
    import pypdf
    from bs4 import BeautifulSoup

    t0 = time.perf_counter()
    chars = 0
    with connect() as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search("ALL")
        for i in range(0, len(uids), 100):
            resp = c.fetch(uids[i : i + 100], ["BODY.PEEK[]"])
            for data in resp.values():
                msg = email.message_from_bytes(data[b"BODY[]"])
                for part in msg.walk():
                    ctype = part.get_content_type()
                    name = (part.get_filename() or "").lower()
                    if part.is_multipart():
                        continue
                    payload = part.get_payload(decode=True) or b""
                    if name.endswith(".docx"):
                        d = docx.Document(io.BytesIO(payload))
                        chars += sum(len(p.text) for p in d.paragraphs)
                        for t in d.tables:
                            for row in t.rows:
                                chars += sum(len(cell.text) for cell in row.cells)
                    elif name.endswith(".pdf") or ctype == "application/pdf":
                        r = pypdf.PdfReader(io.BytesIO(payload))
                        chars += sum(len(p.extract_text() or "") for p in r.pages)
                    elif ctype == "text/html":
                        chars += len(BeautifulSoup(payload, "html.parser").get_text())
    return time.perf_counter() - t0, chars


def main(argv: list[str]) -> None:
    from imapclient import IMAPClient

    port, user, password = int(argv[0]), argv[1], argv[2]

    def connect() -> Any:
        c = IMAPClient("127.0.0.1", port, ssl=False, timeout=30)
        c.login(user, password)
        return c

    seconds, chars = run(connect)
    print(json.dumps({"seconds": seconds, "chars": chars}))


if __name__ == "__main__":
    main(sys.argv[1:])
