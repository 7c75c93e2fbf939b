"""Send customers the plan they asked for by email, through SMTP (SMTP_URL).

    SMTP_URL=smtp://user:password@mail.example.com:587   STARTTLS when the server offers it
    SMTP_URL=smtps://user:password@mail.example.com      TLS from the first byte (port 465)

(user and password URL-encoded; both optional for a relay that takes mail from this host).
The message has a text and an HTML part (bot.notify.plan_email), comes from the agency
(bot/data/agency.yml, or SMTP_FROM), and replies go to the agency's address.

The standard library's smtplib, blocking: the outbox's delivery worker runs it on its own
thread, and an action that delivers at once uses `asyncio.to_thread`; never on the event loop.
`deliver()` raises DeliveryFailed with the server's reason (addresses masked): the outbox
retries with back-off and the dashboard shows it. The customer never sees an error.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Optional
from urllib.parse import unquote, urlsplit

from bot.base.privacy import mask_email, redact
from bot.base.settings import Settings
from bot.leads.models import Lead
from bot.notify.agency import Agency, load_agency
from bot.notify.base import DeliveryFailed, LeadEvent
from bot.notify.plan_email import compose_plan_email

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
SCHEMES = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send, from SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool = False
    username: Optional[str] = None
    password: Optional[str] = None

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        """Parse SMTP_URL; ValueError (without the password) when it is not one."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not {scheme!r}://")
        if not parts.hostname:
            raise ValueError("SMTP_URL has no host (smtp://user:pass@host:port)")
        try:
            port = parts.port or SCHEMES[scheme]
        except ValueError as error:
            raise ValueError("SMTP_URL has an invalid port") from error
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=scheme == "smtps",
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def describe(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


def build_message(lead: Lead, recipient: str, agency: Agency,
                  sender: Optional[str] = None) -> EmailMessage:
    """The plan email for `lead` to `recipient`: text and HTML alternatives."""
    composed = compose_plan_email(lead, agency)
    message = EmailMessage()
    from_header = agency.sender(sender)
    message["Subject"] = composed.subject
    message["From"] = from_header
    name = " ".join((lead.contact_name or "").split())  # one line: no header injection
    message["To"] = formataddr((name, recipient)) if name else recipient
    if agency.email:
        message["Reply-To"] = formataddr((agency.name, agency.email))
    message["Date"] = formatdate(localtime=False)
    domain = agency.bare_address(from_header).rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(composed.text)
    message.add_alternative(composed.html, subtype="html")
    return message


def send_message(server: SmtpServer, message: EmailMessage,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
    """Hand `message` to the SMTP server; DeliveryFailed with the reason unless accepted."""
    context = ssl.create_default_context()
    try:
        if server.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if not server.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if server.username:
                smtp.login(server.username, server.password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = ", ".join(f"{code} {_text(reply)}" for code, reply in error.recipients.values())
        raise DeliveryFailed(f"the server refused the recipient: {redact(codes)}") from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryFailed(f"SMTP {error.smtp_code}: {redact(_text(error.smtp_error))}") \
            from error
    except (smtplib.SMTPException, OSError) as error:  # refused connection, timeout, TLS
        raise DeliveryFailed(f"{type(error).__name__}: {redact(str(error))[:300]}") from error
    if refused:  # some recipients refused (we send to one: not reached)
        raise DeliveryFailed(f"the server refused {len(refused)} recipient(s)")


def _text(reply: object) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)


class EmailNotifier:
    """Sends the plan to the customer who asked for it (a `Notifier` of `plan` events)."""

    name = "Email"
    kinds: frozenset[str] = frozenset({"plan"})

    def __init__(self, settings: Optional[Settings] = None, *,
                 timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.settings = settings or Settings.from_env()
        self.timeout = timeout
        self.server: Optional[SmtpServer] = None
        if self.settings.smtp_url:
            try:
                self.server = SmtpServer.from_url(self.settings.smtp_url)
            except ValueError as error:
                # Not set up, then: plans wait in the outbox, and the log says why.
                log.error("email is off: %s", error)

    @property
    def configured(self) -> bool:
        return self.server is not None

    @property
    def destination(self) -> str:
        return f"email via {self.server.describe()}" if self.server else "email (not set up)"

    def notify(self, event: LeadEvent) -> bool:
        try:
            self.deliver(event)
            return True
        except DeliveryFailed:
            return False  # logged by deliver

    def deliver(self, event: LeadEvent) -> None:
        """Send the plan of each lead of a `plan` event to `event.recipient` (default: the
        lead's address). DeliveryFailed says why not."""
        if event.kind not in self.kinds:
            raise DeliveryFailed(f"email takes no {event.kind} events")
        if self.server is None:
            raise DeliveryFailed("email is not set up (SMTP_URL)")
        agency = load_agency()
        for lead in event.leads:
            recipient = event.recipient or lead.email
            if not recipient:
                raise DeliveryFailed(f"lead #{lead.id} has no email address")
            try:
                message = build_message(lead, recipient, agency, self.settings.smtp_from)
            except Exception as error:  # noqa: BLE001 - a broken template or agency.yml
                log.warning("plan email for lead #%s not built: %s", lead.id,
                            redact(str(error))[:300])
                raise DeliveryFailed(f"cannot build the email: {type(error).__name__}: "
                                     f"{redact(str(error))[:200]}") from error
            try:
                send_message(self.server, message, self.timeout)
            except DeliveryFailed as error:
                log.warning("plan email for lead #%s to %s not sent: %s", lead.id,
                            mask_email(recipient), error)
                raise
            log.info("plan email for lead #%s sent to %s via %s", lead.id,
                     mask_email(recipient), self.server.describe())
