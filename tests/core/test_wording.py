"""bot.domain.wording (conversation.yml, plan.yml), the responses copied into domain.yml, the
schema adapter's file:line errors and the one reload rule of every data file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.base.schema import load_cached
from bot.base.yamldata import DataFileError
from bot.domain.wording import (
    CONVERSATION_PATH,
    MESSAGE_WORDS,
    load_conversation_wording,
    load_plan_wording,
)
from scripts.sync_responses import DOMAIN_PATH, responses_of, synced_domain

SHIPPED = CONVERSATION_PATH.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "conversation.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


# --------------------------------------------------------------------------- shipped files


def test_domain_responses_match_conversation_yml() -> None:
    domain = DOMAIN_PATH.read_text(encoding="utf-8")
    assert responses_of(domain) == responses_of(SHIPPED), (
        "domain.yml's responses differ from bot/data/wording/conversation.yml: "
        "run python -m scripts.sync_responses"
    )


def test_shipped_wording_loads_and_has_every_message() -> None:
    wording = load_conversation_wording()
    assert set(MESSAGE_WORDS) <= set(wording.messages)
    assert wording.responses == responses_of(SHIPPED)
    assert load_plan_wording().kinds == {"ILEC": "local phone company", "CLEC": "competitive carrier"}


def test_a_sentence_written_once_is_used_in_two_messages() -> None:
    wording = load_conversation_wording()
    closed = wording.text("office_closed", next_opening="Monday at 8:00 AM")
    assert closed == "Our office is closed right now; we open Monday at 8:00 AM."
    for key in ("handoff_after_hours", "office_closed_note"):
        assert wording.text(key, next_opening="Monday at 8:00 AM").startswith(closed + " ")


# --------------------------------------------------------------------------- sync script


def test_sync_rewrites_only_the_responses_block() -> None:
    domain = DOMAIN_PATH.read_text(encoding="utf-8")
    edited = SHIPPED.replace("Thanks for stopping by.", "Thanks for dropping by.")
    assert edited != SHIPPED
    synced = synced_domain(domain, edited)
    assert responses_of(synced) == responses_of(edited)
    before, after = domain.splitlines(), synced.splitlines()
    assert len(before) == len(after)
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == [
        next(i for i, line in enumerate(before) if "Thanks for stopping by." in line)
    ]
    assert synced_domain(domain, SHIPPED) == domain  # in sync: not a byte changes


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "old, new, marker, words",
    [
        ('  ask_affirmation:\n    text: "Just to be sure: did you mean {value}?"',
         '  ask_affirmation:\n    text: "Just to be sure: did you mean {valeu}?"', "{valeu}",
         ["messages.ask_affirmation", "{valeu}", "{value}"]),
        ("  agent_joining:\n", "  agent_joinning:\n", None, ["messages", "agent_joining"]),
        ("  required: ", "  requird: ", None, ["problems", "'required'"]),
        ('  bad_email: "\\"{value}\\"', '  bad_email: "\\"{email}\\"', "bad_email:", ["problems.bad_email", "{email}"]),
        ("    text: \"{office_closed} The assistant", "    text: \"{callback_promised} The assistant",
         "{callback_promised}", ["office_closed_note", "name"]),
        ("      - {title: \"Outages\", payload: '/inform{\"challenge\": \"reliability\"}'}",
         "      - {title: \"Outages\"}", "{title: \"Outages\"}", ["questions.challenges", "payload"]),
        ("  utter_goodbye:\n    - text: \"Thanks for stopping by. Come back any time!\"",
         "  utter_goodbye:\n    - buttons: []", "- buttons: []", ["responses.utter_goodbye", "text"]),
        ("\nintent_descriptions:", "\nintent_descriptionz:", "intent_descriptionz", ["unknown section"]),
    ],
)
def test_conversation_errors_name_file_and_line(tmp_path: Path, old: str, new: str,
                                                marker: str | None, words: list[str]) -> None:
    assert old in SHIPPED
    text = SHIPPED.replace(old, new, 1)
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as err:
        load_conversation_wording(path)
    message = str(err.value)
    assert message.startswith(f"{path}:") and err.value.line > 0, message
    if marker is not None:
        assert err.value.line == next(i for i, line in enumerate(text.splitlines(), 1) if marker in line), message
    for word in words:
        assert word in message, message


# --------------------------------------------------------------------------- reload rule


def test_every_loader_picks_up_an_edit_and_reuses_an_unchanged_file(tmp_path: Path) -> None:
    path = _write(tmp_path, SHIPPED)
    first = load_conversation_wording(path)
    assert load_conversation_wording(path) is first
    path.write_text(SHIPPED.replace("Which company is this for?", "Which company is it?"), encoding="utf-8")
    _bump_mtime(path)
    assert load_conversation_wording(path).question("company_name").text == "Which company is it?"


def test_a_broken_edit_keeps_the_last_good_version_and_says_where(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, "1", "n.txt")
    calls: list[str] = []

    def build(p: Path) -> int:
        calls.append(p.read_text())
        if not p.read_text().isdigit():
            raise DataFileError(p, 1, "not a number")
        return int(p.read_text())

    assert load_cached(path, build) == 1 and load_cached(path, build) == 1 and len(calls) == 1
    path.write_text("x")
    _bump_mtime(path)
    with caplog.at_level("ERROR"):
        assert load_cached(path, build) == 1 and load_cached(path, build) == 1
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}:1: not a number (still using the previous version of this file until it is fixed)"]
    assert len(calls) == 2  # the broken version is parsed once, not on every use
    path.write_text("22")
    _bump_mtime(path)
    assert load_cached(path, build) == 22


def test_a_broken_file_that_never_loaded_raises(tmp_path: Path) -> None:
    path = _write(tmp_path, "x", "n.txt")

    def build(p: Path) -> int:
        raise DataFileError(p, 1, "not a number")

    with pytest.raises(DataFileError, match="n.txt:1: not a number"):
        load_cached(path, build)
