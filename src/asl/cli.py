"""The ``asl`` command: validate a definition, run it, or run the AWS conformance corpus.

Exit codes: 0 success; 1 the execution failed or cases failed; 2 bad input (an invalid
definition, input or option), always with a message and never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from asl._json_limits import JSONLimitError, parse_json
from asl._validation.pending import mark
from asl._validation.template import is_template, load_template, pending_values
from asl.definition import read_definition
from asl.errors import ASLError, DefinitionError
from asl.runtime.api_executions import MAX_INPUT_BYTES, MAX_INPUT_DEPTH
from asl.runtime.interpreter import Execution, StateMachine
from asl.validate import iter_errors, iter_template_errors

__all__ = ["SERVER_PACKAGES", "main"]

#: what ``asl serve`` imports beyond the runtime: the ``server`` extra of pyproject.toml
SERVER_PACKAGES = ("uvicorn",)


class UsageError(Exception):
    """Bad input on the command line: reported in one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.command(args)
        return result
    except UsageError as err:
        print(f"asl: {err}", file=sys.stderr)
        return 2
    except DefinitionError as err:
        print("asl: invalid definition:", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except ASLError as err:
        print(f"asl: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`asl history ... | head`): nothing more to say
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asl", description="Run Amazon States Language state machines locally."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check a definition as ValidateStateMachineDefinition does"
    )
    validate.add_argument(
        "file",
        help="definition file (.json, .yaml), or a SAM/CloudFormation template: every state machine in it",
    )
    validate.add_argument("--substitution", "-s", action="append", default=[], metavar="NAME=VALUE")
    validate.set_defaults(command=_validate)

    run = commands.add_parser("run", help="run one execution and print its output")
    run.add_argument("file", help="definition file (.json, .yaml)")
    run.add_argument("--input", default="{}", help="execution input: JSON text, or @FILE")
    run.add_argument("--handlers", help="Python module or .py file whose functions serve Lambda tasks")
    run.add_argument("--substitution", "-s", action="append", default=[], metavar="NAME=VALUE")
    run.add_argument(
        "--tables",
        metavar="PATH",
        help="SQLite file of local DynamoDB tables for dynamodb:* tasks (created if missing); "
        "also exported as $ASL_TABLES so handlers can open the same file",
    )
    run.add_argument("--name", help="execution name (default: a UUID)")
    run.add_argument("--history", action="store_true", help="also print the execution's events as a table")
    run.set_defaults(command=_run)

    conformance = commands.add_parser("conformance", help="run AWS-recorded cases and report by category")
    conformance.add_argument("paths", nargs="+", help="directories or .jsonl files of cases")
    conformance.add_argument("--failures", action="store_true", help="list every failing case and why")
    conformance.add_argument(
        "--types-only",
        action="store_true",
        help="compare only the types of history events, not whole recorded histories",
    )
    conformance.set_defaults(command=_conformance)

    executions = commands.add_parser("executions", help="list the executions kept in a durable store")
    executions.add_argument(
        "store", help="an executions.sqlite file (read only; a running runtime may use it)"
    )
    executions.add_argument("--status", help="RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED")
    executions.add_argument("--limit", type=int, default=20)
    executions.set_defaults(command=_executions)

    history = commands.add_parser("history", help="print a stored execution's events as a table")
    history.add_argument("store", help="an executions.sqlite file")
    history.add_argument("execution", help="the execution's ARN or name")
    history.set_defaults(command=_history)

    serve = commands.add_parser(
        "serve", help="serve the Step Functions and DynamoDB APIs over HTTP for boto3 and the AWS CLI"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8083, help="port to listen on (default: 8083)")
    serve.add_argument(
        "--data-dir",
        help="folder of tables.sqlite and executions.sqlite "
        "(default: $ASL_DATA_DIR, else $XDG_DATA_HOME/asl or ~/.local/share/asl)",
    )
    serve.add_argument("--handlers", help="Python module or .py file whose functions serve Lambda tasks")
    serve.add_argument(
        "--region", default="us-east-1", help="region in the ARNs it makes (default: us-east-1)"
    )
    serve.add_argument("--account", default="123456789012", help="12-digit account id in its ARNs")
    serve.add_argument(
        "--synchronous",
        type=str.lower,
        choices=("full", "normal"),
        help="normal: a commit survives the process being killed; full: also a power cut, for an fsync "
        "per commit (default: $ASL_SYNCHRONOUS, else normal)",
    )
    serve.add_argument(
        "--retention-days",
        type=float,
        default=90.0,
        help="delete executions this many days after they closed, at start and every hour "
        "(default: 90, as AWS)",
    )
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=None,
        help="json: one JSON object per log line, a line per request and per state transition "
        "(default: $ASL_LOG_FORMAT, else text)",
    )
    serve.add_argument(
        "--mock-config",
        metavar="FILE",
        help="a Step Functions Local mock configuration (MockConfigFile.json): StartExecution of "
        "'<state machine ARN>#<test case>' runs that test case (default: $SFN_MOCK_CONFIG)",
    )
    serve.add_argument(
        "--lambda-endpoint",
        metavar="URL",
        help="call the Lambda Invoke API at URL for Lambda tasks no --handlers function serves "
        "(e.g. http://127.0.0.1:3001, where `sam local start-lambda` listens)",
    )
    serve.set_defaults(command=_serve)
    return parser


def _substitutions(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--substitution takes NAME=VALUE, got {pair!r}")
        values[name] = value
    return values


def _validate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if _is_template_file(path):
        return _validate_template(path)
    definition, problems = read_definition(path, _substitutions(args.substitution))
    # What is still ${Name} after the substitutions given comes at deploy time: any value may come.
    marked = mark(definition)
    problems += iter_errors(marked)
    if problems:
        raise DefinitionError(problems)
    to_come = pending_values(marked)
    more = f" ({len(to_come)} values to come at deploy time: {', '.join(to_come[:5])})" if to_come else ""
    print(f"{args.file}: valid{more}")
    return 0


def _is_template_file(path: Path) -> bool:
    """A SAM or CloudFormation template rather than a definition: it has Resources and no States."""
    try:
        text = path.read_text(encoding="utf-8")
        return is_template(load_template(text, str(path))[0])
    except (OSError, UnicodeDecodeError, DefinitionError, RecursionError):
        return False  # reading it as a definition says what is wrong (too deep: its depth limit)


def _validate_template(path: Path) -> int:
    findings = list(iter_template_errors(path))
    errors = [finding for finding in findings if finding.kind == "error"]
    if not findings:
        print(f"{path}: no AWS::Serverless::StateMachine or AWS::StepFunctions::StateMachine resource")
    for finding in findings:
        if finding.kind == "unchecked":
            print(f"{path}: {finding.resource}: not checked ({finding.source}): {finding.problem.message}")
        elif finding.kind == "checked":
            print(f"{path}: {finding.resource}: {finding.problem.message} ({finding.source})")
    if errors:
        print(f"asl: invalid state machine definitions in {path}:", file=sys.stderr)
        for finding in errors:
            print(f"  {finding}", file=sys.stderr)
        return 2
    print(f"{path}: valid")
    return 0


def _run(args: argparse.Namespace) -> int:
    tables = _open_tables(args.tables) if args.tables else None
    try:
        handlers = _load_handlers(args.handlers) if args.handlers else {}
        machine = StateMachine(Path(args.file), handlers, _substitutions(args.substitution), tables=tables)
        execution = machine.run(_input(args.input), name=args.name)
    finally:
        if tables is not None:
            tables.close()
    if args.history:
        print(history_table(execution))
        print()
    if execution.status == "SUCCEEDED":
        print(json.dumps(execution.output, indent=2, ensure_ascii=False))
        return 0
    print(f"execution {execution.status}: {execution.error}: {execution.cause}", file=sys.stderr)
    return 1


def _open_tables(path: str) -> Any:
    import os
    import sqlite3

    from asl.dynamodb import TableStore

    try:
        store = TableStore(path)
    except (sqlite3.Error, OSError) as err:  # a folder, a file that is not a database ...
        raise UsageError(f"--tables: cannot open {path!r} as a tables file: {err}") from None
    # handlers run in this process: they find the same file here, as Lambda finds config in its environment
    os.environ["ASL_TABLES"] = path
    return store


def _input(text: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"--input: cannot read {text[1:]!r}: {err.strerror}") from None
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise UsageError(f"--input is larger than the {MAX_INPUT_BYTES // 1024} KiB AWS allows for an input")
    try:
        return parse_json(text, max_depth=MAX_INPUT_DEPTH, what="--input")
    except JSONLimitError as err:
        raise UsageError(f"--input must be JSON: {err.syntax}" if err.syntax else str(err)) from None


def _load_handlers(reference: str) -> dict[str, Callable[..., Any]]:
    """Functions of a module (or .py file): its HANDLERS mapping, else every public function."""
    try:
        if reference.endswith(".py"):
            spec = importlib.util.spec_from_file_location(Path(reference).stem, reference)
            if spec is None or spec.loader is None:
                raise UsageError(f"--handlers: cannot load {reference!r}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(reference)
    except (ImportError, OSError) as err:
        raise UsageError(f"--handlers: cannot import {reference!r}: {err}") from None
    declared = getattr(module, "HANDLERS", None)
    if isinstance(declared, dict):
        return dict(declared)
    return {
        name: value
        for name, value in vars(module).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
    }


def history_table(execution: Execution | list[dict[str, Any]]) -> str:
    """The events as a readable table: id, previous id, type, state and a short detail."""
    rows = [("ID", "PREV", "TYPE", "STATE", "DETAIL")]
    events = execution if isinstance(execution, list) else execution.history
    for event in events:
        details: dict[str, Any] = next((v for k, v in event.items() if k.endswith("EventDetails")), {}) or {}
        state = details.get("name", "")
        detail = details.get("error") or details.get("output") or details.get("input") or ""
        if details.get("cause"):
            detail = f"{detail}: {details['cause']}"
        detail = detail if len(detail) <= 60 else detail[:57] + "..."
        rows.append((str(event["id"]), str(event["previousEventId"]), event["type"], str(state), detail))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] for row in rows
    )


def _open_store(path: str) -> Any:
    from asl.store import ExecutionStore

    if not Path(path).is_file():
        raise UsageError(f"no execution store at {path!r}")
    return ExecutionStore(path, exclusive=False)


def _executions(args: argparse.Namespace) -> int:
    store = _open_store(args.store)
    try:
        rows = [("STARTED", "STATUS", "NAME", "ERROR")]
        for index, record in enumerate(store.executions(status=args.status)):
            if index >= args.limit:
                break
            rows.append(
                (
                    record.start_date.isoformat(timespec="seconds"),
                    record.status,
                    record.name,
                    record.error or "",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    finally:
        store.close()
    return 0


def _history(args: argparse.Namespace) -> int:
    store = _open_store(args.store)
    try:
        record = store.execution(args.execution) or next(
            (r for r in store.executions() if r.name == args.execution), None
        )
        if record is None:
            raise UsageError(f"no execution {args.execution!r} in {args.store}")
        print(history_table([event for event, _thread in store.events(record.id)]))
    finally:
        store.close()
    return 0


def _serve(args: argparse.Namespace) -> int:
    import contextlib

    from asl import observe
    from asl.extras import missing_extra
    from asl.store import ExecutionStore

    try:
        from asl.server import create_app, default_data_dir, serve
    except ImportError as err:
        message = missing_extra(err, "server", SERVER_PACKAGES)
        if message is None:
            raise
        raise UsageError(f"serve: {message}") from None

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, got {args.port}")
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d{1,2}", args.region):
        raise UsageError(f"--region must be a region name such as ap-northeast-2, got {args.region!r}")
    if not re.fullmatch(r"\d{12}", args.account):
        raise UsageError(f"--account must be 12 digits, got {args.account!r}")
    if not 0 < args.retention_days <= 36_500:
        raise UsageError(
            f"--retention-days must be more than 0 and at most 36500, got {args.retention_days:g}"
        )
    if args.log_format is None and os.environ.get("ASL_LOG_FORMAT", "text").strip().lower() not in (
        "text",
        "json",
    ):
        raise UsageError(f"ASL_LOG_FORMAT must be text or json, got {os.environ['ASL_LOG_FORMAT']!r}")
    handlers = _load_handlers(args.handlers) if args.handlers else {}
    mocks = _mock_config(args.mock_config)
    lambda_endpoint = _lambda_endpoint(args.lambda_endpoint) if args.lambda_endpoint else None
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--data-dir: cannot create {str(data_dir)!r}: {err.strerror}") from None
    # opened once here so a store another server holds is reported in one line, not by uvicorn
    ExecutionStore(data_dir / "executions.sqlite", synchronous=args.synchronous).close()
    print(f"asl serve: http://{args.host}:{args.port} (data in {data_dir})", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"asl serve: warning: no credentials are checked; whoever reaches {args.host}:{args.port} "
            "can read the tables and run the handlers",
            file=sys.stderr,
        )
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops cleanly on Ctrl-C, then raises it again
        try:
            app = create_app(
                data_dir,
                handlers,
                synchronous=args.synchronous,
                retention=timedelta(days=args.retention_days),
                region=args.region,
                account=args.account,
                mock_config=mocks,
                lambda_endpoint=lambda_endpoint,
            )
            if observe.use_log_format(args.log_format, "ASL_LOG_FORMAT") == "json":
                serve(app, host=args.host, port=args.port, log_format="json")
            else:
                serve(app, host=args.host, port=args.port)
        except SystemExit as stop:  # uvicorn has logged why (e.g. the port is taken)
            return 2 if stop.code else 0
    return 0


def _lambda_endpoint(url: str) -> Any:
    from asl.integrations.lambda_http import LambdaEndpoint

    try:
        return LambdaEndpoint(url)
    except ValueError as err:
        raise UsageError(f"--lambda-endpoint: {err}") from None


def _mock_config(option: str | None) -> Any:
    """The mock configuration ``--mock-config`` or, as Step Functions Local reads it,
    ``$SFN_MOCK_CONFIG`` names (read now: a bad file stops ``asl serve`` before it listens)."""
    from asl.mocks import MockConfigError, load_mock_config

    where, path = (
        ("--mock-config", option) if option else ("SFN_MOCK_CONFIG", os.environ.get("SFN_MOCK_CONFIG"))
    )
    if not path:
        return None
    try:
        return load_mock_config(path)
    except MockConfigError as err:
        raise UsageError(f"{where}: {err}") from None


def _conformance(args: argparse.Namespace) -> int:
    from asl.conformance import load_cases, run_cases

    paths = [Path(p) for p in args.paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(
            f"no conformance cases at {', '.join(missing)} (give the directory of *.jsonl case files, "
            "such as ../shared/conformance)"
        )
    try:
        summary = run_cases(load_cases(*paths), whole_history=not args.types_only)
    except ValueError as err:
        raise UsageError(str(err)) from None
    print(f"{'CATEGORY':24}{'PASSED':>8}{'FAILED':>8}{'RATE':>9}")
    passed = failed = 0
    for category, results in sorted(summary.by_category.items()):
        ok = sum(r.passed for r in results)
        passed, failed = passed + ok, failed + len(results) - ok
        print(f"{category:24}{ok:8}{len(results) - ok:8}{100 * ok / len(results):8.1f}%")
    if args.failures:
        for result in summary.results:
            if not result.passed:
                print(f"\nFAIL {result.case.id}")
                for problem in result.problems:
                    print(f"  {problem}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
