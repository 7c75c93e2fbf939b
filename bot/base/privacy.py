"""Keep customers' e-mail addresses and phone numbers out of logs.

`mask_email` / `mask_phone` hide one value, `redact` every one found in free text, and
`install_log_redaction()` makes every log record pass through `redact` before any handler
formats it. Slack messages to the sales team and the dashboard show contact details in clear;
logs, stdout of batch jobs and error messages never do.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Callable, Optional

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

DEFAULT_REGION = "US"  # numbers written without +country code are read as US numbers

# Deliberately broad (unicode letters, any alphabetic TLD): over-masking a log line costs
# nothing, a missed address leaks it. A masked address ("j***@a***.com") does not match again;
# "user@127.0.0.1" in a database URL does not match (no alphabetic TLD).
EMAIL_RE = re.compile(r"[\w.!#$%&'*+=?^`{|}~-]+@(?:[\w-]+\.)+[^\W\d_]{2,}")
_SEPARATORS = frozenset(" -.()/")
# Cheap pre-check: phonenumbers' matcher is ~1 ms per line; most log lines have no run of
# seven or more digits (possibly separated) and can skip it.
_MAYBE_PHONE = re.compile(r"\d(?:[\s().\-/]{0,3}\d){6}")


def mask_email(email: str) -> str:
    """`jane.doe@acme.com` -> `j***@a***.com` (first letters and the top-level domain kept)."""
    local, _, domain = str(email).strip().rpartition("@")
    if not local or not domain:
        return "***"
    host, dot, tld = domain.rpartition(".")
    if not dot:
        host, tld = domain, ""
    return f"{local[0]}***@{host[:1]}***" + (f".{tld}" if tld else "")


def _mask_number(number: phonenumbers.PhoneNumber) -> str:
    national = phonenumbers.national_significant_number(number)
    keep = 4 if len(national) > 6 else 2 if len(national) > 4 else 0
    return f"+{number.country_code}" + "*" * (len(national) - keep) + national[len(national) - keep:]


def mask_phone(phone: str) -> str:
    """`+15035550123` -> `+1******0123` (country code and last four digits kept)."""
    try:
        return _mask_number(phonenumbers.parse(str(phone), DEFAULT_REGION))
    except phonenumbers.NumberParseException:
        # Not a number phonenumbers understands: still hide all but the last four digits.
        digits = [i for i, ch in enumerate(str(phone)) if ch.isdigit()]
        hidden = set(digits[:-4])
        return "".join("*" if i in hidden else ch for i, ch in enumerate(str(phone)))


def _looks_like_phone(raw: str) -> bool:
    digits = sum(ch.isdigit() for ch in raw)
    return raw.startswith("+") or digits >= 10 or any(ch in _SEPARATORS for ch in raw)


def redact(text: str) -> str:
    """Mask every e-mail address and phone number in `text`."""
    if not text:
        return text
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), str(text))
    if not _MAYBE_PHONE.search(text):
        return text
    # POSSIBLE, not VALID: a number that is merely plausible (a made-up area code, a local
    # "555-0123") is still hidden. A bare 7-9 digit run ("took 1234567 ms") is not a phone.
    matches = [m for m in PhoneNumberMatcher(text, DEFAULT_REGION, leniency=Leniency.POSSIBLE)
               if _looks_like_phone(m.raw_string)]
    for match in reversed(matches):  # from the end, so earlier offsets stay right
        text = text[:match.start] + _mask_number(match.number) + text[match.end:]
    return text


def redact_record(record: logging.LogRecord) -> None:
    """Replace a record's message (and rendered traceback) with its redacted text, once."""
    if getattr(record, "_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string must not break logging
        message = f"{record.msg} {record.args}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        # Formatters reuse exc_text when it is set, so the traceback is rendered redacted.
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True  # type: ignore[attr-defined]


class RedactingFilter(logging.Filter):
    """A filter that masks e-mail addresses and phone numbers; it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_lock = threading.Lock()
_filter: Optional[RedactingFilter] = None
_previous_factory: Optional[Callable[..., logging.LogRecord]] = None


def install_log_redaction() -> RedactingFilter:
    """Redact every log record of this process; idempotent.

    Adds the filter to the root logger and to every handler that exists now, and wraps the
    log record factory so handlers added later (Rasa, Sanic and pytest add their own) and
    records logged on child loggers (logger filters do not see propagated records) are
    redacted too.
    """
    global _filter, _previous_factory
    with _lock:
        if _filter is None:
            _filter = RedactingFilter()
        loggers: list[Any] = [logging.getLogger()]
        loggers += [obj for obj in logging.Logger.manager.loggerDict.values()
                    if isinstance(obj, logging.Logger)]
        loggers[0].addFilter(_filter)
        for logger in loggers:
            for handler in logger.handlers:
                handler.addFilter(_filter)  # addFilter ignores a filter already present
        if _previous_factory is None:
            previous = logging.getLogRecordFactory()

            def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = previous(*args, **kwargs)
                redact_record(record)
                return record

            _previous_factory = previous
            logging.setLogRecordFactory(factory)
        return _filter


def uninstall_log_redaction() -> None:
    """Undo `install_log_redaction()` (for tests)."""
    global _previous_factory
    with _lock:
        if _previous_factory is not None:
            logging.setLogRecordFactory(_previous_factory)
            _previous_factory = None
        if _filter is not None:
            loggers: list[Any] = [logging.getLogger()]
            loggers += [obj for obj in logging.Logger.manager.loggerDict.values()
                        if isinstance(obj, logging.Logger)]
            for logger in loggers:
                logger.removeFilter(_filter)
                for handler in logger.handlers:
                    handler.removeFilter(_filter)
