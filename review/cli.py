"""`dienhinh serve` and `dienhinh user add|passwd|disable`: the console's subcommands.

Kept light (argparse only at import): the web stack is imported inside the handlers, so
`dienhinh poll` never pays for it. Passwords are read from the terminal without echo, or
from standard input with ``--password-stdin`` (scripts); never from the command line,
where ``ps`` and the shell history would show them.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

from dienhinh.core.config import ENV_CONFIG, Config

__all__ = ["register"]

Handler = Callable[[Config, argparse.Namespace, TextIO], int]


def register(sub: Any) -> dict[str, Handler]:
    sp = sub.add_parser("serve", help="run the editors' web console")
    sp.add_argument("--host", help="address to listen on (default: review.host)")
    sp.add_argument("--port", type=int, help="port (default: review.port)")
    sp.add_argument(
        "--workers", type=int, help="processes serving the console (default: review.workers)"
    )
    sp = sub.add_parser("user", help="console accounts: add, passwd, disable")
    us = sp.add_subparsers(dest="user_command", required=True)
    p = us.add_parser("add", help="create an account")
    p.add_argument("login")
    p.add_argument("--role", choices=["editor", "admin"], default="editor")
    p.add_argument("--name", default="", help="display name (Vietnamese, with diacritics)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = us.add_parser("passwd", help="set an account's password (ends its sessions)")
    p.add_argument("login")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p = us.add_parser("disable", help="disable an account (ends its sessions; the row stays)")
    p.add_argument("login")
    p = us.add_parser("enable", help="enable a disabled account")
    p.add_argument("login")
    return {"serve": cmd_serve, "user": cmd_user}


def cmd_serve(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    import uvicorn

    from dienhinh.review.app import create_app
    from dienhinh.review.config import load
    from dienhinh.store.engines import open_engine
    from dienhinh.store.migrate import check_schema

    review = load(config)
    engine = open_engine(config)
    check_schema(engine)
    host = args.host or review.host
    port = args.port if args.port is not None else review.port
    workers = args.workers if args.workers is not None else review.workers
    if workers < 1:
        raise SystemExit("dienhinh: --workers must be at least 1")
    out.write(f"console: http://{host}:{port}/\n")
    out.flush()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "proxy_headers": True,
        "forwarded_allow_ips": review.forwarded_allow_ips,
        "server_header": False,
        "log_level": "warning" if args.quiet else "info",
    }
    if workers == 1:
        uvicorn.run(create_app(config, engine=engine, review=review), **options)
        return 0
    # Several processes: uvicorn starts each from an import string, and each builds its
    # own application from the same configuration file.
    engine.dispose()
    if config.path is not None:
        os.environ[ENV_CONFIG] = str(config.path)
    uvicorn.run(
        "dienhinh.review.app:app_from_environment", factory=True, workers=workers, **options
    )
    return 0


def _password(args: argparse.Namespace) -> str:
    if getattr(args, "password_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise SystemExit("dienhinh: the two passwords differ")
    return first


def cmd_user(config: Config, args: argparse.Namespace, out: TextIO) -> int:
    from sqlalchemy.orm import Session

    from dienhinh.review import auth
    from dienhinh.store.engines import open_engine

    engine = open_engine(config)
    actor = f"cli:{getpass.getuser()}"
    try:
        with Session(engine) as s:
            if args.user_command == "add":
                user = auth.add_user(
                    s,
                    args.login,
                    _password(args),
                    role=args.role,
                    display_name=args.name,
                    actor=actor,
                )
                s.commit()
                out.write(f"user {user.login} ({user.role}) created" + "\n")
            elif args.user_command == "passwd":
                auth.set_password(s, args.login, _password(args), actor=actor)
                s.commit()
                out.write(f"password of {args.login} changed; its sessions ended" + "\n")
            else:
                active = args.user_command == "enable"
                auth.set_active(s, args.login, active, actor=actor)
                s.commit()
                out.write(f"user {args.login} {'enabled' if active else 'disabled'}" + "\n")
    except auth.AccountError as err:
        sys.stderr.write(f"dienhinh: {err}\n")
        return 2
    return 0
