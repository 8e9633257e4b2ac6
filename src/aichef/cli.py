"""The ``aichef`` command: cook a recipe, list and show sessions, serve the web app.

Exit codes: 0 done; 1 the session failed (for example no recipe meets every constraint);
2 bad input, with a message naming the field and what is allowed. Nothing is written
before the request is valid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from aichef.errors import AIChefError, InvalidInput
from aichef.models import SessionRequest
from aichef.render import progress_bar, render_result, render_sessions
from aichef.sessions import TERMINAL, session_request
from asl.extras import missing_extra

__all__ = ["WEB_PACKAGES", "main"]

#: what ``aichef serve`` imports beyond AI Chef's core: the ``web`` extra of pyproject.toml
WEB_PACKAGES = ("fastapi", "starlette", "uvicorn")


def _words(values: list[str]) -> list[str]:
    """Repeated options and comma lists alike: --allergy nuts --allergy 우유,계란."""
    return [word.strip() for value in values for word in value.split(",") if word.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aichef", description="Personalised recipes with real nutrition and prices."
    )
    parser.add_argument(
        "--data-dir", help="where sessions are kept (default: $AICHEF_DATA_DIR or ~/.local/share/aichef)"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    cook = commands.add_parser("cook", help="make a recipe for a profile and show it")
    cook.add_argument("--target", required=True, help="keto, baby_food, diabetes, diet or fridge")
    cook.add_argument(
        "--allergy", action="append", default=[], help="an allergy (repeat, or comma list): nuts, 우유 ..."
    )
    cook.add_argument(
        "--health", action="append", default=[], help="health condition: hypertension, diabetes ..."
    )
    cook.add_argument("--level", default="beginner", help="cooking level: beginner, intermediate, advanced")
    cook.add_argument(
        "--budget", default="30000", help="budget in KRW: 30000, 30,000, 3만원, 3만 5천원 (default 30000)"
    )
    cook.add_argument(
        "--pantry",
        default="default",
        help="kept at home, not bought: default (salt, soy sauce, oil ...), none, or a comma list",
    )
    cook.add_argument("--servings", type=int, default=2, help="servings, 1 to 12 (default 2)")
    cook.add_argument(
        "--fridge", action="append", default=[], help="ingredients on hand (comma list): 계란,두부"
    )
    cook.add_argument("--max-calories", type=int, help="kcal per serving at most")
    cook.add_argument("--max-time", type=int, help="cooking time in minutes at most")
    cook.add_argument("--age-months", type=int, help="baby's age in months (baby_food)")
    cook.add_argument("--cuisine", default="any", help="korean, western, chinese, japanese or any")
    cook.add_argument("--spicy", type=int, default=2, help="spicy level 0 to 5")
    cook.add_argument("--language", default="ko", help="ko (default) or en")
    cook.add_argument("--json", action="store_true", help="print the combined result as JSON only")
    cook.set_defaults(command=_cook)

    sessions = commands.add_parser(
        "sessions", help="list the sessions cooked here (--all: every one, the web's too), newest first"
    )
    sessions.add_argument("--limit", type=int, default=20)
    sessions.add_argument("--all", action="store_true", help="every session of the data folder")
    sessions.set_defaults(command=_sessions)

    show = commands.add_parser("show", help="print a past session's result again")
    show.add_argument("session")
    show.add_argument("--json", action="store_true")
    show.set_defaults(command=_show)

    serve = commands.add_parser("serve", help="run the web app and HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="server processes sharing the port and the data"
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the server answers besides loopback (repeat; behind a proxy, its public "
        "name; '*' for any); also $AICHEF_ALLOWED_HOSTS, a comma list",
    )
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=None,
        help="json: one JSON object per log line, a line per request and per state transition "
        "(default: $AICHEF_LOG_FORMAT, else text)",
    )
    serve.set_defaults(command=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code: int = args.command(args)
        return code
    except InvalidInput as err:
        for problem in err.problems:
            print(f"aichef: {problem.message()}", file=sys.stderr)
        return 2
    except AIChefError as err:
        print(f"aichef: {err}", file=sys.stderr)
        return 2


def _request(args: argparse.Namespace) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "target": args.target,
        "allergies": _words(args.allergy),
        "healthConditions": _words(args.health),
        "cookingLevel": args.level,
        "budget": args.budget,
        "servings": args.servings,
        "preferences": {"cuisine": args.cuisine, "spicyLevel": args.spicy},
        "fridgeIngredients": _words(args.fridge),
        "pantry": args.pantry,
        "language": args.language,
    }
    if args.age_months is not None:
        profile["babyAgeMonths"] = args.age_months
    constraints = {"maxCalories": args.max_calories, "maxCookingTime": args.max_time}
    return {"profile": profile, "constraints": constraints}


def _kitchen(args: argparse.Namespace, read_only: bool = False) -> Any:
    from aichef.service import Kitchen

    return Kitchen(args.data_dir, read_only=read_only)


CLI_CLIENT = "aichef-command-line"  # the owner of sessions cooked here, as the page's browser id is


def _cook(args: argparse.Namespace) -> int:
    # read once, here: bad input stops before the kitchen opens its folder or writes anything
    request = session_request(_request(args))
    return asyncio.run(_cook_async(args, request))


async def _cook_async(args: argparse.Namespace, request: SessionRequest) -> int:
    kitchen = _kitchen(args)
    try:
        session = await kitchen.start_session(request, owner=CLI_CLIENT)
        session_id = session["sessionId"]
        final = session
        tty = sys.stderr.isatty()
        language = request.profile.language
        width = 0  # a shorter line after a longer one (the writing count gone) must not leave its tail
        async for final in kitchen.subscribe(session_id):
            bar = progress_bar(
                int(final.get("progress", 0)),
                str(final.get("phase", "")),
                writing=final.get("writing"),
                language=language,
            )
            shown = bar.ljust(width) if tty else bar
            width = max(width, len(bar))
            print(("\r" + shown) if tty else shown, end="" if tty else "\n", file=sys.stderr, flush=True)
        if tty:
            print(file=sys.stderr)
        await kitchen.wait(session_id)
        final = kitchen.get_session(session_id) or final
        return _report(kitchen, final, args.json)
    finally:
        await kitchen.close()


def _report(kitchen: Any, session: dict[str, Any], as_json: bool) -> int:
    session_id = session["sessionId"]
    if session["status"] != "completed":
        error = session.get("error") or {}
        message = error.get("message") or "the session did not complete"
        if as_json:
            print(
                json.dumps(
                    {"sessionId": session_id, "status": session["status"], "error": error}, ensure_ascii=False
                )
            )
        print(f"aichef: session {session_id} {session['status']}: {message}", file=sys.stderr)
        return 1
    result = kitchen.get_result(session_id)
    if result is None:
        print(f"aichef: session {session_id} has no stored result (it may have expired)", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(render_result(result))
        print(f"\n(session {session_id})")
    return 0


def _sessions(args: argparse.Namespace) -> int:
    kitchen = _kitchen(args, read_only=True)
    try:
        if not 1 <= args.limit <= 1000:
            raise InvalidInput.one("--limit", f"must be between 1 and 1000, got {args.limit}")
        if args.all:
            found = kitchen.list_all_sessions(args.limit)
        else:
            found = kitchen.list_sessions(args.limit, owner=CLI_CLIENT)
        print(render_sessions(found))
    finally:
        asyncio.run(kitchen.close())
    return 0


def _show(args: argparse.Namespace) -> int:
    kitchen = _kitchen(args, read_only=True)
    try:
        session = kitchen.get_session(args.session)
        if session is None:
            raise InvalidInput.one("session", f"no session {args.session!r} (see `aichef sessions`)")
        if session["status"] not in TERMINAL:
            print(progress_bar(int(session.get("progress", 0)), str(session.get("phase", ""))))
            return 0
        return _report(kitchen, session, args.json)
    finally:
        asyncio.run(kitchen.close())


def _serve(args: argparse.Namespace) -> int:
    try:
        from aichef.web import serve
    except ImportError as err:
        message = missing_extra(err, "web", WEB_PACKAGES)
        if message is None:
            raise
        raise AIChefError(f"serve: {message}") from None
    result: int = serve(
        args.host,
        args.port,
        args.data_dir,
        workers=args.workers,
        allowed_hosts=args.allowed_host,
        log_format=args.log_format,
    )
    return result


if __name__ == "__main__":
    raise SystemExit(main())
