"""Outgoing mail: acknowledgements, reminders, the editors' digest and admin alerts.

All off by default; each kind is enabled in ``[notify]`` (``config.py``). The modules:

* ``config``: the section's loader and the SMTP URL parser.
* ``rules``: who never gets an acknowledgement (auto-replies, bounces, lists, no-reply,
  our own address), reusing ingest's judgement of automatic mail.
* ``compose``: the Vietnamese mails with their anti-loop headers.
* ``transport``: SMTP (smtps, STARTTLS, plain on loopback) or dry-run .eml files.
* ``outbox``: the ledger that makes each notification happen once (see its docstring for
  what a crash in the middle of a send leaves behind).
* ``jobs``: what the worker calls: ``acknowledge_new``, ``remind_units``, ``send_digest``,
  ``send_alert``.
* ``cli``: ``dienhinh notify {ack,remind,digest}``.
"""
