"""`python -m bot ...`: the command line (argparse).

Every top-level command is registered by one small function taking the subparsers object and
setting `handler=` (a function of the parsed args returning an exit code). To add a command,
write `add_<name>_command(subparsers)` and list it in `COMMANDS`. Handlers import what they need
when they run, so `python -m bot leads export` does not load Rasa.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import datetime
from typing import Any, Callable, Optional, Sequence

from bot.domain.canonical import GRADES, LEAD_STATUSES

Registrar = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


# --- leads -----------------------------------------------------------------------------------


def _aware(value: str) -> datetime:
    """argparse type: an ISO-8601 datetime with a UTC offset."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO-8601 datetime") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset, e.g. -08:00")
    return moment


def _open_store() -> Any:
    from bot.base.settings import Settings
    from bot.leads.store import open_lead_store

    # Migrated on first contact: a fresh install exports nothing rather than failing on a
    # missing table.
    store = open_lead_store(Settings.from_env())
    # Updates spooled during a database outage belong in every listing; apply them first.
    store.replay_spool()
    return store


def _leads_export(args: argparse.Namespace) -> int:
    from bot.leads.export import write_leads

    store = _open_store()
    try:
        write_leads(store.iter_leads(), sys.stdout, args.format)
    finally:
        store.close()
    return 0


def _leads_list(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        leads = store.list_leads(grade=args.grade, status=args.status,
                                 after_hours=True if args.after_hours else None,
                                 since=args.since, until=args.until)
    finally:
        store.close()
    from bot.notify.slack import lead_title

    out = sys.stdout
    out.write(f"{'id':>5}  {'grade':<5} {'score':>5}  {'status':<8} {'hours':<5}  "
              f"{'updated (UTC)':<16}  lead\n")
    for lead in leads:
        title = lead_title(lead).replace("\n", " ")
        out.write(f"{lead.id:>5}  {lead.grade:<5} {lead.score:>5}  {lead.status:<8} "
                  f"{'after' if lead.after_hours else 'open':<5}  "
                  f"{lead.updated_at:%Y-%m-%d %H:%M}  {title[:60]}\n")
    out.write(f"{len(leads)} lead{'s' if len(leads) != 1 else ''}\n")
    return 0


def _leads_digest(args: argparse.Namespace) -> int:
    from bot.domain.hours import load_business_hours
    from bot.notify.base import notifiers_from_settings
    from bot.notify.digest import run_digest
    from bot.base.settings import Settings

    settings = Settings.from_env()
    store = _open_store()
    try:
        return run_digest(store, notifiers_from_settings(settings), load_business_hours(),
                          settings.now(), sys.stdout, since=args.since, until=args.until)
    finally:
        store.close()


def add_leads_command(subparsers: Any) -> None:
    """`leads export|list|digest`."""
    leads = subparsers.add_parser("leads", help="export, list or digest the leads")
    actions = leads.add_subparsers(dest="leads_action", metavar="ACTION")
    actions.required = True

    export = actions.add_parser("export", help="print every lead (CONTRACT section 7)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl",
                        help="jsonl: one JSON object per line; csv: header and rows")
    export.set_defaults(handler=_leads_export)

    listing = actions.add_parser("list", help="a table of leads, newest first")
    listing.add_argument("--grade", choices=GRADES)
    listing.add_argument("--status", choices=LEAD_STATUSES)
    listing.add_argument("--after-hours", action="store_true", help="only after-hours leads")
    listing.add_argument("--since", type=_aware, help="created or updated at/after (ISO-8601)")
    listing.add_argument("--until", type=_aware, help="created or updated before (ISO-8601)")
    listing.set_defaults(handler=_leads_list)

    digest = actions.add_parser(
        "digest", help="post the after-hours leads to Slack (printed when Slack is not set up)")
    digest.add_argument("--since", type=_aware, help="window start (default: last closing)")
    digest.add_argument("--until", type=_aware,
                        help="window end (default: this morning's opening, or now when closed)")
    digest.set_defaults(handler=_leads_digest)


# --- run -------------------------------------------------------------------------------------


def _run(args: argparse.Namespace) -> int:
    from bot.runtime.launcher import run_foreground

    return run_foreground()


def add_run_command(subparsers: Any) -> None:
    """`run`: the whole assistant in the foreground (what `make run` starts)."""
    run = subparsers.add_parser("run", help="start Rasa, the action server and the web app")
    run.set_defaults(handler=_run)


# --- resume ----------------------------------------------------------------------------------


def _resume(args: argparse.Namespace) -> int:
    from bot.rasa_adapters.http_api import resume_conversation
    from bot.base.settings import Settings

    settings = Settings.from_env()
    if not resume_conversation(settings, args.sender_id):
        print(f"could not resume {args.sender_id}: is the Rasa server up with BOT_API_TOKEN set?", file=sys.stderr)
        return 1
    store = _open_store()
    store.set_paused(args.sender_id, False)
    print(f"resumed {args.sender_id}: the assistant answers this conversation again")
    return 0


def add_resume_command(subparsers: Any) -> None:
    """`resume SENDER_ID`: an agent hands a paused conversation back to the assistant."""
    resume = subparsers.add_parser("resume", help="let the assistant answer a paused conversation again")
    resume.add_argument("sender_id", help="the conversation's sender id (on the lead)")
    resume.set_defaults(handler=_resume)


# --- the parser ------------------------------------------------------------------------------

COMMANDS: tuple[Registrar, ...] = (
    add_run_command,
    add_leads_command,
    add_resume_command,
)


def build_parser(commands: Sequence[Registrar] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot",
                                     description="Carrier Advisor command line")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for register in commands:
        register(subparsers)
    return parser


def _setup_output() -> None:
    from bot.base.privacy import install_log_redaction

    # Exports carry names in any script; don't let a C locale turn them into a crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8", errors="backslashreplace")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Parse `argv` and run the command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    _setup_output()
    from bot.leads.store import LeadStoreUnavailable
    from bot.base.yamldata import DataFileError

    try:
        return int(args.handler(args) or 0)
    except LeadStoreUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except DataFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `... | head` closed the pipe: not an error. Point stdout at /dev/null so the
        # interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
