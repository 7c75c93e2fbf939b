"""Copy the `responses` of bot/data/wording/conversation.yml into domain.yml.

Rasa reads its responses (utter_greet, the FAQ answers ...) from domain.yml; the wording is
edited in conversation.yml with everything else the assistant says. This rewrites only the
`responses:` block of domain.yml, keeping every other byte; the block is copied as written in
conversation.yml (same format as domain.yml), so comments and quoting survive.

    python -m scripts.sync_responses          # write domain.yml
    python -m scripts.sync_responses --check  # exit 1 when domain.yml is out of date
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_PATH = ROOT / "domain.yml"
CONVERSATION_PATH = ROOT / "bot" / "data" / "wording" / "conversation.yml"

_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def _block(lines: list[str], name: str, where: str) -> tuple[int, int]:
    """Line indexes [start, end) of top-level `name:`'s body (after its key line)."""
    try:
        key = next(i for i, line in enumerate(lines) if re.match(rf"^{name}\s*:\s*(#.*)?$", line))
    except StopIteration:
        raise SystemExit(f"{where}: no top-level '{name}:' block") from None
    end = next((i for i in range(key + 1, len(lines)) if _TOP_LEVEL_KEY.match(lines[i])), len(lines))
    return key + 1, end


def responses_body(conversation_text: str) -> str:
    """The lines under `responses:` in conversation.yml, without trailing blank lines."""
    lines = conversation_text.splitlines(keepends=True)
    start, end = _block(lines, "responses", str(CONVERSATION_PATH))
    return "".join(lines[start:end]).rstrip() + "\n"


def synced_domain(domain_text: str, conversation_text: str) -> str:
    """domain.yml's text with its `responses` block replaced; the blank lines after the old
    block (before the next key) are kept, and so is everything else."""
    lines = domain_text.splitlines(keepends=True)
    start, end = _block(lines, "responses", str(DOMAIN_PATH))
    old = "".join(lines[start:end])
    gap = old[len(old.rstrip()) :]  # the newline and blank lines that end the old block
    gap = gap if gap.startswith("\n") else "\n" + gap.lstrip("\n")
    new_block = responses_body(conversation_text).rstrip("\n") + gap
    return "".join(lines[:start]) + new_block + "".join(lines[end:])


def responses_of(text: str) -> dict:
    """The parsed `responses` mapping of a YAML text."""
    return (yaml.safe_load(text) or {}).get("responses") or {}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when out of date")
    args = parser.parse_args(argv)
    from bot.domain.wording import load_conversation_wording

    load_conversation_wording(CONVERSATION_PATH)  # refuse to copy an invalid file
    conversation = CONVERSATION_PATH.read_text(encoding="utf-8")
    domain = DOMAIN_PATH.read_text(encoding="utf-8")
    synced = synced_domain(domain, conversation)
    if responses_of(synced) != responses_of(conversation):  # the copy must mean the same
        print("the responses block could not be copied faithfully; check its indentation", file=sys.stderr)
        return 2
    if synced == domain:
        print("domain.yml responses are up to date")
        return 0
    if args.check:
        print("domain.yml responses differ from conversation.yml: run python -m scripts.sync_responses",
              file=sys.stderr)
        return 1
    DOMAIN_PATH.write_text(synced, encoding="utf-8")
    print(f"wrote the responses of {CONVERSATION_PATH.relative_to(ROOT)} into domain.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
