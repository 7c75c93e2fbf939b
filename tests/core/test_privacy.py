"""No e-mail address or phone number in clear in logs."""

from __future__ import annotations

import io
import logging
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.base.privacy import (
    RedactingFilter,
    install_log_redaction,
    mask_email,
    mask_phone,
    redact,
    uninstall_log_redaction,
)

EMAIL = "jane.doe@acme.com"
PHONE = "+15035550123"


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jane.doe@acme.com", "j***@a***.com"),
        ("bob@mail.example.co.uk", "b***@m***.uk"),
        ("x@localhost", "x***@l***"),
        ("not-an-address", "***"),
    ],
)
def test_mask_email(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+15035550123", "+1******0123"),
        ("(503) 555-0123", "+1******0123"),
        ("+44 20 7946 0958", "+44******0958"),
        ("12", "+1**"),             # too short to keep any digit
        ("no number", "no number"),  # nothing phonenumbers can parse: digits (none) hidden
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "text",
    [
        f"reach me at {EMAIL} or {PHONE}",
        "call (503) 555-0123 or 503.555.0123 or 503 555 0123 or 5035550123, cheers",
        "UK office +44 20 7946 0958; mail JANE.DOE@ACME.COM",
        "jörg.müller@beispiel.de and +1 503-555-0123",
        "local 555-0123 please",
    ],
)
def test_redact_hides_every_address_and_number(text: str) -> None:
    out = redact(text)
    for secret in ("jane.doe", "JANE.DOE", "acme", "ACME", "jörg", "5550123", "555-0123",
                   "555.0123", "555 0123", "7946 0958"):
        assert secret not in out, out
    assert redact(out) == out  # idempotent


@pytest.mark.parametrize(
    "text",
    [
        "12 sites in 3 states, zip 97201, 250 employees",
        "2026-12-01 22:30:00 rasa 3.6.21 took 1234567 ms",
        "postgresql+psycopg2://postgres@127.0.0.1:5432/leads",
        "lead #42 grade A score 88 (contract ends 2027-05)",
        "",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


@settings(max_examples=40, deadline=None)
@given(
    local=st.from_regex(r"[a-z][a-z0-9._+-]{1,12}", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{1,10}\.(com|org|net|io|us)", fullmatch=True),
    line=st.integers(2000000, 9999999),
    area=st.sampled_from(["503", "212", "415", "971", "206"]),
    before=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
)
def test_redact_never_leaks_generated_contacts(local: str, domain: str, line: int, area: str,
                                               before: str) -> None:
    email = f"{local}@{domain}"
    phone = f"+1{area}{line}"
    out = redact(f"{before} {email} / {phone} ok")
    assert email not in out and phone not in out and str(line) not in out


@pytest.fixture
def redaction() -> Iterator[None]:
    install_log_redaction()
    yield
    uninstall_log_redaction()


def test_log_lines_are_redacted(redaction: None, caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("tests.privacy.child")
    with caplog.at_level(logging.INFO):
        log.info("new lead from %s, phone %s", EMAIL, PHONE)
        log.warning("f-string style: %s", {"email": EMAIL, "phone": "(503) 555-0123"})
        try:
            raise ValueError(f"invalid address {EMAIL}")
        except ValueError:
            log.exception("could not save the lead of %s", EMAIL)
    text = caplog.text
    assert "j***@a***.com" in text and "+1******0123" in text
    assert EMAIL not in text and PHONE not in text and "555-0123" not in text
    for record in caplog.records:
        assert EMAIL not in record.getMessage()
    assert "ValueError: invalid address j***@a***.com" in text  # traceback redacted too


def test_existing_handlers_get_the_filter(redaction: None) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.privacy.own_handler")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install_log_redaction()  # idempotent: picks up the handler added since
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        logger.warning("callback for %s at %s", EMAIL, PHONE)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "callback for j***@a***.com at +1******0123\n"
    assert any(isinstance(f, RedactingFilter) for f in logging.getLogger().filters)


def test_filter_alone_redacts_a_record() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "mail %s", (EMAIL,), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "mail j***@a***.com"


def test_uninstall_restores_plain_logging(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    uninstall_log_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("tests.privacy.after").info("raw %s", EMAIL)
    assert EMAIL in caplog.text
