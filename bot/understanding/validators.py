"""Validate one answer of a customer into a canonical slot value, or say why not.

Every function is pure, takes any input (empty, 10 MB, emoji, HTML, SQL-looking text) and
never raises: it returns a `Result` holding either the canonical value or a reason code with a
short hint the bot can show. Hints never echo the customer's text (it may hold markup).
Input is capped at MAX_INPUT characters: no real answer is longer, and it bounds the work.
"""

from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Final, Generic, Optional, TypeVar

from bot.understanding.locations import CityInfo, default_gazetteer

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_INPUT = 2000

# Reason codes (stable: the bot chooses its re-ask message from them).
EMPTY = "empty"
INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
NOT_A_NUMBER = "not_a_number"
NOT_POSITIVE = "not_positive"
NOT_WHOLE = "not_whole"
TOO_LARGE = "too_large"
UNKNOWN_STATE = "unknown_state"
NOT_A_ZIP = "not_a_zip"
UNKNOWN_ZIP = "unknown_zip"
UNKNOWN_CITY = "unknown_city"
UNKNOWN_DATE = "unknown_date"
YEAR_ONLY = "year_only"
ERROR = "error"

MAX_LOCATIONS = 100_000
MAX_EMPLOYEES = 10_000_000  # the largest US employers are around two million


@dataclass(frozen=True)
class Result(Generic[T]):
    """A canonical value (reason None) or a reason code and a hint for the customer."""

    value: Optional[T] = None
    reason: Optional[str] = None
    hint: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _good(value: T) -> Result[T]:
    return Result(value=value)


def _bad(reason: str, hint: str) -> Result[Any]:
    return Result(reason=reason, hint=hint)


def _safe(func: Callable[..., Result[T]]) -> Callable[..., Result[T]]:
    """Never raise: cap the text, refuse non-strings and empty text, log anything unexpected."""

    def wrapper(text: Any, *args: Any, **kwargs: Any) -> Result[T]:
        if not isinstance(text, str) or not text.strip():
            return _bad(EMPTY, "I didn't catch an answer there.")
        try:
            return func(text[:MAX_INPUT], *args, **kwargs)
        except Exception:  # noqa: BLE001 - a validator must never break the conversation
            log.exception("validator %s failed", func.__name__)
            return _bad(ERROR, "Sorry, I couldn't read that. Could you rephrase it?")

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


# ---- email -------------------------------------------------------------------------------

_EMAIL_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"]+@[^\s<>()\[\],;:\"]+")


@_safe
def validate_email(text: str) -> Result[str]:
    """The first e-mail address in the text, normalised ("Bob@Example.COM" -> "Bob@example.com").

    Syntax only (email-validator, check_deliverability=False): no DNS lookups at run time.
    """
    from email_validator import EmailNotValidError
    from email_validator import validate_email as _validate

    match = _EMAIL_CANDIDATE.search(text)
    if not match:
        return _bad(INVALID_EMAIL, "That doesn't look like an email address (like name@company.com).")
    candidate = match.group(0).strip(".'`")
    try:
        return _good(_validate(candidate, check_deliverability=False).normalized)
    except EmailNotValidError:
        return _bad(INVALID_EMAIL, "That email address doesn't look valid. Could you check it?")


# ---- phone -------------------------------------------------------------------------------


def _nanp_fiction_ok(number: Any) -> bool:
    """555-0100..0199 in a real area code: reserved for fiction and tests, well formed.

    phonenumbers' metadata (9.x, checked) already calls 503-555-0123 valid, so this only
    matters if a future metadata update starts refusing the 555 exchange: then we still
    accept the number when its area code is real, which we test by validating the same
    area code with an ordinary exchange ("2000000").
    """
    import phonenumbers

    national = str(number.national_number)
    if number.country_code != 1 or len(national) != 10 or national[3:8] != "55501":
        return False
    probe = phonenumbers.PhoneNumber(country_code=1, national_number=int(national[:3] + "2000000"))
    return phonenumbers.is_valid_number(probe)


@_safe
def validate_phone(text: str) -> Result[str]:
    """A phone number in E.164 ("503-555-0123", "(503) 555 0123", "+1 503 555 0123" ->
    "+15035550123"). US is the default region; other countries need their +code. Only
    numbers phonenumbers calls valid are accepted (with the 555-01XX test numbers, see
    _nanp_fiction_ok). An extension is dropped: E.164 has none."""
    import phonenumbers

    candidates = [m.number for m in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)]
    if not candidates:
        try:
            candidates = [phonenumbers.parse(text, "US")]
        except phonenumbers.NumberParseException:
            candidates = []
    for number in candidates:
        e164 = phone_e164(number)
        if e164:
            return _good(e164)
    return _bad(INVALID_PHONE, "That doesn't look like a valid phone number (like 503-555-0123).")


def phone_e164(number: Any) -> Optional[str]:
    """E.164 of a parsed phonenumbers.PhoneNumber that we accept (see validate_phone), else None."""
    import phonenumbers

    if phonenumbers.is_valid_number(number) or (phonenumbers.is_possible_number(number) and _nanp_fiction_ok(number)):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


# ---- numbers -----------------------------------------------------------------------------

_UNITS = {
    "zero": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "single": 1, "couple": 2, "cpl": 2, "both": 2, "pair": 2, "trio": 3,
}
# Spanish number words, as customers who mix Spanish and English count ("dos oficinas", "cinco
# tiendas"). Not "uno"/"una" ("una tienda" is no count, as "a store" is not) nor "once" (11,
# and an English word).
SPANISH_UNITS = {
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "veinte": 20,
}
_UNITS.update(SPANISH_UNITS)
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "mm": 1_000_000}
_GLUE = {"a", "an", "and", "of", "half"}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_SCALES) | {"dozen", "half"}

# Digits glued to other letters are no number here: "the 90s", "4g", "10am", "3rd" ("5k" and
# "25ish" are).
_NUM_TOKEN = re.compile(r"-?\d(?:[\d,]*\d)?(?:\.\d+)?(?:k|m|mm|ish)?(?![\da-z])|[a-z]+", re.IGNORECASE)
_DIGITS = re.compile(r"^(-?)(\d[\d,]*(?:\.\d+)?)(k|m|mm)?$", re.IGNORECASE)


def _digits_value(token: str) -> Optional[float]:
    if token.lower().endswith("ish"):
        token = token[:-3]  # "25ish"
    match = _DIGITS.match(token)
    if not match:
        return None
    sign, number, suffix = match.groups()
    if "," in number and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number):
        return None  # "3,4" is a list, not a number
    value = float(number.replace(",", ""))
    if suffix:
        value *= 1000 if suffix.lower() == "k" else 1_000_000
    return -value if sign else value


def parse_number_words(words: list[str]) -> Optional[float]:
    """Value of one number phrase given as words: ["4"], ["twenty", "five"], ["a", "dozen"],
    ["half", "a", "dozen"], ["5k"], ["1,200"], ["two", "hundred", "and", "fifty"],
    ["a", "single"]. None when the words hold no number (["a"], ["of"])."""
    total = 0.0
    current: Optional[float] = None
    half = False
    seen = False
    last = ""  # the kind of the previous number word: "unit", "tens" or "" (other)
    previous = ""  # the previous word
    for raw in words:
        word = raw.lower().strip("~+")
        if not word or word in {"-", "and", "of"}:
            continue
        if word in _UNITS and previous in ("couple", "cpl") and last == "unit" and 3 <= _UNITS[word] <= 4:
            current = float(_UNITS[word])  # "a couple three": two or three, a range at its top
            previous = word
            continue
        previous = word
        digits = _digits_value(word)
        if digits is not None:
            if seen:
                break  # "3 4": two numbers; the first one counts
            current = digits if current is None else current * digits  # "a 100" -> 100
            seen = True
            last = ""
        elif word in ("a", "an"):
            current = 1.0 if current is None else current
        elif word == "half":
            half = True
        elif word in _UNITS:
            if last == "unit" or (last == "tens" and _UNITS[word] >= 10):
                break  # "three, two in Boise and one in Nampa": a count, then a breakdown
            current = (current or 0.0) + _UNITS[word] if seen else float(_UNITS[word])
            seen = True
            last = "unit"
        elif word in _TENS:
            if last in ("unit", "tens"):
                break  # "five twenty": two numbers
            current = (current or 0.0) + _TENS[word] if seen else float(_TENS[word])
            seen = True
            last = "tens"
        elif word == "dozen":
            current = (1.0 if current is None else current) * 12
            seen = True
            last = ""
        elif word in _SCALES:
            scale = _SCALES[word]
            base = 1.0 if current is None else current
            if scale >= 1000:
                total += base * scale
                current = None
            else:
                current = base * scale
            seen = True
            last = ""
        else:
            return None
    if not seen:
        return None
    value = total + (current or 0.0)
    return value / 2 if half else value


def first_number(text: str) -> Optional[float]:
    """The first number phrase in free text ("about 4 offices" -> 4, "a dozen" -> 12,
    "minus 3" -> -3); None when there is none."""
    tokens = _NUM_TOKEN.findall(text[:MAX_INPUT])
    i = 0
    while i < len(tokens):
        token = tokens[i].lower()
        starts = _digits_value(token) is not None or token in NUMBER_WORDS or (
            token in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1].lower() in {"dozen", "couple", "single", "hundred", "thousand", "million"}
        )
        if starts:
            j = i
            while j < len(tokens) and (
                _digits_value(tokens[j].lower()) is not None
                or tokens[j].lower() in NUMBER_WORDS
                or tokens[j].lower() in _GLUE
            ):
                j += 1
            # trailing glue ("4 and") is not part of the number
            while j > i + 1 and tokens[j - 1].lower() in _GLUE:
                j -= 1
            value = parse_number_words(tokens[i:j])
            if value is not None:
                negative = i > 0 and tokens[i - 1].lower() in {"minus", "negative"}
                return -value if negative and value > 0 else value
            i = j
        i += 1
    return None


# Words that take a number back: "40, no, more like 55", "3 - sorry, 4", "12, actually make
# that 15" (the extractor's count rules read them too: site_count_revisions._REVISION_WORDS).
TAKE_BACK_WORDS: Final = frozenset({"no", "nope", "nah", "wait", "actually", "sorry", "mean", "rather", "correction",
                                    "scratch", "make"})
# (in free text "make" and "mean" only as "make it/that", "I mean": "12, we make 3 products")
_TAKEN_BACK = re.compile(r"\b(?:" + "|".join(sorted(TAKE_BACK_WORDS - {"make", "mean"}))
                         + r"|make\s+(?:it|that)|i\s+mean|more\s+like)\b", re.IGNORECASE)
_A_NUMBER = re.compile(r"\d|\b(?:" + "|".join(sorted(NUMBER_WORDS)) + r")\b", re.IGNORECASE)


def _count(text: str, maximum: int, noun: str) -> Result[int]:
    first = _A_NUMBER.search(text[:MAX_INPUT])
    if first is not None:
        # the number after the last taking back, when there is one ("40, no, more like 55")
        backs = [m for m in _TAKEN_BACK.finditer(text[:MAX_INPUT]) if m.start() > first.start()]
        if backs and first_number(text[backs[-1].end():]) is not None:
            text = text[backs[-1].end():]
    value = first_number(text)
    if value is None:
        return _bad(NOT_A_NUMBER, f"Could you give me the number of {noun} as a number, like 4?")
    if value <= 0:
        return _bad(NOT_POSITIVE, f"The number of {noun} should be at least 1.")
    if value != int(value):
        return _bad(NOT_WHOLE, f"Could you give me a whole number of {noun}?")
    if value > maximum:
        return _bad(TOO_LARGE, f"That seems like a lot of {noun}. Could you double-check the number?")
    return _good(int(value))


# "5 or 6", "8-10", "three to four": two numbers joined as a range (counts_alone._RANGE_WORDS too).
RANGE_JOINERS: Final = frozenset({"or", "to", "-", "\u2013"})
_RANGE = re.compile(r"(?P<low>\b[\w,]+)\s*(?:" + "|".join(re.escape(w) if not w.isalpha() else rf"\b{w}\b"
                                                         for w in sorted(RANGE_JOINERS))
                    + r")\s*(?P<high>[\w,]+\b)", re.IGNORECASE)


def range_top(text: str) -> Optional[float]:
    """The top of the first range of numbers in the text ("5 or 6 offices" -> 6), else None."""
    for match in _RANGE.finditer(text[:MAX_INPUT]):
        low, high = first_number(match.group("low")), first_number(match.group("high"))
        if low is not None and high is not None and 0 < low < high:
            return high
    return None


@_safe
def parse_count(text: str) -> Result[int]:
    """Number of sites: "4", "four", "a dozen", "4 offices", "one", "single" -> int; a range at
    its top ("5 or 6" -> 6: a broker quotes for the sites there may be, as the extractor reads
    it, docs/nlu-evaluation.md). Zero or negative -> not_positive; over 100,000 -> too_large;
    none -> not_a_number."""
    top = range_top(text)
    return _count(text if top is None else f"{top:g}", MAX_LOCATIONS, "locations")


@_safe
def parse_headcount(text: str) -> Result[int]:
    """Head count: "50", "fifty", "about 200 people", "5k", "1,200" -> int. Same reasons as
    parse_count, with too_large above ten million."""
    return _count(text, MAX_EMPLOYEES, "employees")


# ---- contract end ------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_YEAR = r"(?P<y>20\d{2}|'\d{2})"
_SEASON = r"(?P<season>spring|summer|fall|autumn|winter)"
# A season as a month: its middle month, or its last with "end of" ("next fall" -> October);
# winter is the one that starts the year, as people say "this winter" in December.
_SEASON_MONTHS = {"spring": (4, 5), "summer": (7, 8), "fall": (10, 11), "autumn": (10, 11), "winter": (1, 2)}
# Part of a year as a month ("early 2027" -> 2027-02, "mid next year" -> June, "late 2027" -> November).
_PART_MONTHS = {"early": 2, "beginning": 2, "start": 2, "mid": 6, "middle": 6, "late": 11, "first": 6, "second": 12}
_SMALL = r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty[- ]?four|thirty[- ]?six|a couple of|couple of|a couple)"

# Each pattern: (compiled regex, kind). "strong" kinds are dates on their own; "weak" ones
# (a month alone, "6 months") only count where the text is about the contract (see
# find_dates' `strict`).
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), kind)
    for p, kind in (
        (r"\b(?P<y>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b", "ymd"),
        (r"\b(?P<y>20\d{2})[-/](?P<m>\d{1,2})\b(?![-/]\d)", "ym"),
        (r"\b(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>20\d{2}|\d{2})\b", "mdy"),
        (r"\b(?<![/\d])(?P<m>\d{1,2})[/-](?P<y>20\d{2})\b", "my"),
        (r"\b(?P<end>(?:the\s+)?end\s+of\s+)?" + _MONTH + r"(?:\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?)?(?:\s*,|\s+of)?\s*" + _YEAR + r"\b", "named"),
        (r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"\b", "dmy"),
        (r"\b(?:the\s+)?end\s+of\s+(?P<y>20\d{2})\b", "end_year_n"),
        (r"\b(?:(?:the\s+)?end\s+of\s+)?q(?P<q>[1-4])(?:\s+(?:of\s+)?" + _YEAR + r")?\b", "quarter"),
        (r"\b(?:(?:at\s+)?(?:the\s+)?end\s+of\s+(?:(?P<which>this|next|the)\s+)?(?P<unit>year|month|quarter)|(?P<which2>this\s+|next\s+)?year[- ]end|eoy)\b", "end_of"),
        (r"\b(?P<rel>next|this|coming|in|by|until|till|til|through|thru|around|before|(?:the\s+)?end\s+of)\s+" + _MONTH + r"(?!\s*\d)\b", "rel_month"),
        (r"\b(?P<pre>in\s+)?(?:about\s+|around\s+|roughly\s+|another\s+|like\s+)?" + _SMALL + r"\s+(?:more\s+)?(?P<unit>months?|mos?|years?|yrs?|weeks?)\b(?!\s+ago)(?P<post>\s+(?:from\s+now|left|to\s+go|remaining|out))?", "relative"),
        (r"\b(?P<status>month[- ]to[- ]month|out\s+of\s+(?:our\s+|the\s+)?contract|no\s+contract|not\s+under\s+(?:a\s+)?contract|off\s+contract|(?:already\s+)?expired|(?:do\s+not|don'?t|dont)\s+have\s+(?:a|any)\s+contract|not\s+(?:in|on)\s+(?:a\s+)?contract)\b", "status"),
        (r"^\W*" + _MONTH + r"\W*$", "bare_month"),
        (r"^\W*(?:the\s+)?" + _SEASON + r"\W*$", "season_alone"),
        (r"\b(?P<edge>(?:the\s+)?end\s+of\s+(?=(?:next|this|coming)\s))?"
         r"(?:(?P<rel>next|this|coming|in|by|until|till|til|through|thru|around|before|early|late|mid|"
         r"(?:the\s+)?(?:end|beginning|start|middle)\s+of)[- ]+(?:the\s+)?)?" + _SEASON
         + r"(?:\s+(?:of\s+)?" + _YEAR + r")?\b", "season"),
        (r"\b(?P<part>early|mid|late|(?:the\s+)?(?:beginning|start|middle)\s+of|(?:the\s+)?first\s+half\s+of|"
         r"(?:the\s+)?second\s+half\s+of)[- ]*(?:(?P<which>this|next)\s+year|" + _YEAR + r")\b", "part_year"),
    )
)

_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
    "twentyfour": 24, "thirtysix": 36, "acoupleof": 2, "coupleof": 2, "acouple": 2,
}


@dataclass(frozen=True)
class DateMatch:
    """A contract-end expression found in text: char offsets, the ISO value, whether it is a
    date by itself (strong) and which pattern found it (kind)."""

    start: int
    end: int
    value: str
    strong: bool
    kind: str


def _month_num(text: str) -> int:
    return _MONTHS[text.lower().rstrip(".")[:3]]


def _year(text: str) -> int:
    return 2000 + int(text[1:]) if text.startswith("'") else int(text)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _last_day(year: int, month: int) -> str:
    return date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _next_month_occurrence(month: int, today: date, *, strictly_after: bool) -> int:
    """Year of the next `month`: this year unless it has passed (or is now, if strict)."""
    if month > today.month or (month == today.month and not strictly_after):
        return today.year
    return today.year + 1


def _value(match: re.Match[str], kind: str, today: date) -> Optional[tuple[str, bool]]:
    g = match.groupdict()
    if kind == "ymd":
        return date(int(g["y"]), int(g["m"]), int(g["d"])).isoformat(), True
    if kind in ("ym", "my"):
        month = int(g["m"])
        return (f"{int(g['y']):04d}-{month:02d}", True) if 1 <= month <= 12 else None
    if kind == "mdy":
        a, b, year = int(g["a"]), int(g["b"]), _year(g["y"]) if len(g["y"]) == 4 else 2000 + int(g["y"])
        month, day = (a, b) if a <= 12 else (b, a)  # US order unless the first can't be a month
        return date(year, month, day).isoformat(), True
    if kind in ("named", "dmy"):
        year, month = _year(g["y"]), _month_num(g["mon"])
        if g.get("d"):
            return date(year, month, int(g["d"])).isoformat(), True
        if g.get("end"):
            return _last_day(year, month), True
        return f"{year:04d}-{month:02d}", True
    if kind == "end_year_n":
        return f"{int(g['y'])}-12-31", True
    if kind == "quarter":
        quarter = int(g["q"])
        month = quarter * 3
        year = _year(g["y"]) if g.get("y") else _next_month_occurrence(month, today, strictly_after=False)
        return _last_day(year, month), True
    if kind == "end_of":
        which = (g.get("which") or g.get("which2") or "this").strip().lower()
        offset = 1 if which == "next" else 0
        unit = (g.get("unit") or "year").lower()
        if unit == "year":
            return f"{today.year + offset}-12-31", True
        if unit == "month":
            target = _add_months(today, offset)
            return _last_day(target.year, target.month), True
        quarter_end = ((today.month - 1) // 3 + 1) * 3
        target = _add_months(date(today.year, quarter_end, 1), 3 * offset)
        return _last_day(target.year, target.month), True
    if kind == "rel_month":
        month = _month_num(g["mon"])
        rel = " ".join(g["rel"].lower().split())
        if g["mon"].lower() == "may" and rel not in ("next", "by", "until", "till", "til", "through", "thru", "end of", "the end of"):
            return None  # "this may help", "in may" ... too often the verb
        year = _next_month_occurrence(month, today, strictly_after=(rel == "next"))
        if rel == "this":
            year = today.year
        if rel.endswith("end of"):
            return _last_day(year, month), True
        return f"{year:04d}-{month:02d}", rel in ("next", "this", "until", "till", "til", "through", "thru", "by")
    if kind == "relative":
        n = g["n"].lower().replace(" ", "").replace("-", "")
        count = int(n) if n.isdigit() else _WORD_NUMBERS.get(n)
        if not count or count > 120:
            return None
        unit = g["unit"].lower()
        strong = bool(g.get("pre") or g.get("post"))
        if unit.startswith("w"):
            return (today + timedelta(weeks=count)).isoformat(), strong
        months = count * 12 if unit.startswith("y") else count
        target = _add_months(today, months)
        return f"{target.year:04d}-{target.month:02d}", strong
    if kind == "status":
        return f"{today.year:04d}-{today.month:02d}", False
    if kind == "season":
        rel = " ".join((g.get("rel") or "").lower().split())
        if not rel and not g.get("y"):
            return None  # "prices fall", "winter storms": a season alone is an answer only (season_alone)
        middle, last = _SEASON_MONTHS[g["season"].lower()]
        month = last if rel.endswith("end of") or rel == "late" or g.get("edge") else middle
        year = _year(g["y"]) if g.get("y") else _next_month_occurrence(month, today, strictly_after=(rel == "next"))
        return f"{year:04d}-{month:02d}", rel != "in"
    if kind == "season_alone":
        month = _SEASON_MONTHS[g["season"].lower()][0]
        return f"{_next_month_occurrence(month, today, strictly_after=False):04d}-{month:02d}", False
    if kind == "part_year":
        part = g["part"].lower().split()
        month = _PART_MONTHS[part[1] if part[0] == "the" else part[0]]
        year = _year(g["y"]) if g.get("y") else today.year + (1 if (g.get("which") or "").lower() == "next" else 0)
        return f"{year:04d}-{month:02d}", True
    if kind == "bare_month":
        month = _month_num(g["mon"])
        year = _next_month_occurrence(month, today, strictly_after=False)
        return f"{year:04d}-{month:02d}", False
    return None


# Cheap look-ahead: which families of patterns can match at all (most messages have none),
# and what each pattern needs before it is worth running.
_NEEDS: dict[str, tuple[str, ...]] = {
    "ymd": ("digit",), "ym": ("digit",), "mdy": ("digit",), "my": ("digit",),
    "named": ("digit", "month"), "dmy": ("digit", "month"), "end_year_n": ("digit", "word"),
    "quarter": ("word",), "end_of": ("word",), "rel_month": ("month",), "relative": ("word",),
    "status": ("word",), "bare_month": ("month",), "season": ("season",), "season_alone": ("season",),
    "part_year": ("word",),
}
_HAS_DIGIT = re.compile(r"\d")
_HAS_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)
_HAS_WORD = re.compile(r"\b(?:end|eoy|q[1-4]|months?|mos?|years?|yrs?|weeks?|contract|expired|year[- ]end|early|mid|late|20\d\d)\b", re.IGNORECASE)
_HAS_SEASON = re.compile(r"\b(?:spring|summer|fall|autumn|winter)\b", re.IGNORECASE)


def find_dates(text: str, today: date) -> list[DateMatch]:
    """Every contract-end expression in free text, longest first where they overlap, in order.

    "strong" matches are dates by themselves ("March 2027", "03/2027", "next June",
    "in 6 months", "end of next year"); weak ones ("6 months", "month-to-month", "in June")
    are dates only where the text is about a contract (the extractor decides).
    """
    text = text[:MAX_INPUT]
    has = {"digit": bool(_HAS_DIGIT.search(text)), "month": bool(_HAS_MONTH.search(text)), "word": bool(_HAS_WORD.search(text)),
           "season": bool(_HAS_SEASON.search(text))}
    if not any(has.values()):
        return []
    found: list[DateMatch] = []
    for pattern, kind in _DATE_PATTERNS:
        if not all(has[need] for need in _NEEDS[kind]):
            continue
        for match in pattern.finditer(text):
            try:
                result = _value(match, kind, today)
            except (ValueError, KeyError, OverflowError):
                result = None  # "2027-02-30", month 13: not a date
            if result is not None:
                found.append(DateMatch(match.start(), match.end(), result[0], result[1], kind))
    found.sort(key=lambda m: (-(m.end - m.start), m.start))
    kept: list[DateMatch] = []
    for match in found:
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def parse_contract_end(text: Any, today: date) -> Optional[str]:
    """When the current contract ends, as "YYYY-MM-DD" or "YYYY-MM", or None.

    "March 2027" -> "2027-03", "03/2027" -> "2027-03", "2027-03-31", "next June" (the June
    after this month), "in 6 months" (month precision), "end of next year" -> "YYYY-12-31",
    "Q3 2027" -> "2027-09-30", "month-to-month" / "out of contract" -> this month (free now).
    A bare year ("2027") is too vague and gives None, so the bot asks for the month.
    """
    result = validate_contract_end(text, today)
    return result.value if result.ok else None


_ISH = re.compile(r"(?<=[a-z])[- ]?ish\b", re.IGNORECASE)  # "june-ish", "june ish"
_YEAR_ALONE = re.compile(r"\b20\d\d\b")


@_safe
def validate_contract_end(text: str, today: date) -> Result[str]:
    """parse_contract_end as a Result: reason unknown_date when no date is found, year_only
    when only a year is ("not until 2028": which month is still to ask)."""
    matches = find_dates(_ISH.sub("", text), today)
    if not matches:
        if _YEAR_ALONE.search(text):
            return _bad(YEAR_ONLY, "Which month of that year, roughly?")
        return _bad(UNKNOWN_DATE, "When does your contract end? A month and year is fine, like March 2027.")
    return _good(matches[0].value)


# ---- places ------------------------------------------------------------------------------

_PLACE_TOKEN = re.compile(r"\d{5}(?:-\d{4})?|[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F.'\u2019]*")
# Two-letter codes that are also English words: a state only when written in capitals, or
# when the whole answer is a list of two-letter codes ("or, wa").
WORD_CODES = frozenset({"or", "in", "me", "hi", "ok", "oh", "de", "la", "pa", "al", "co", "ma", "id", "wa"})
# State codes that people send alone as a chat reply ("ok", "Hi!", "OH"): as a whole message
# they are not a state; answering the states question, bot.conversation.answer_parsing still reads them as one.
CHAT_REPLY_CODES = frozenset({"ok", "hi", "oh"})
_MAX_NGRAM = 4


@_safe
def validate_states(text: str) -> Result[list[str]]:
    """Every US state in an answer, as USPS codes in order ("Oregon and Washington",
    "OR, WA", "new york / new jersey", "Portland and Boise" via their cities, a ZIP).
    Nothing recognisable ("Narnia") -> unknown_state."""
    gazetteer = default_gazetteer()
    matches = list(_PLACE_TOKEN.finditer(text))
    tokens = [m.group(0) for m in matches]
    codes_only = bool(tokens) and all(len(t.strip(".")) == 2 for t in tokens if t.lower() not in ("and", "or"))
    not_codes = _words_among_codes(text, matches) if codes_only else set()
    found: list[str] = []
    last_code = -1  # the last token read as a two-letter code, for a list of them ("tx and ok")
    i = 0
    while i < len(tokens):
        if i in not_codes:
            i += 1
            continue
        for n in range(min(_MAX_NGRAM, len(tokens) - i), 0, -1):
            phrase = " ".join(tokens[i : i + n])
            listed = n == 1 and _listed_after_a_code(text, matches, last_code, i)
            code = _place_state(gazetteer, phrase, codes_only=codes_only or listed, single=len(tokens) == 1)
            if code:
                if n == 1 and len(phrase.strip(".")) == 2:
                    last_code = i
                if code not in found:
                    found.append(code)
                i += n
                break
        else:
            i += 1
    if not found:
        return _bad(UNKNOWN_STATE, "I couldn't find a US state there. State names or codes work, like Oregon or WA.")
    return _good(found)


def _listed_after_a_code(text: str, matches: list[re.Match[str]], last_code: int, k: int) -> bool:
    """Token k follows the code at last_code in a list ("in tx and ok", "tx, ok"): a word code
    there is a state too, but not "in" or "or", words in such a list ("tx or in az")."""
    if last_code < 0 or k <= last_code or matches[k].group(0).lower() in ("in", "or"):
        return False
    if not _joins_a_list(text[matches[last_code].end():matches[k].start()]):
        return False
    # the list ends there or goes on with a code: "tx, me and my partner" is no Maine
    rest = text[matches[k].end():].lstrip()
    return not rest or rest[0] in ",.;!?)" or (k + 1 < len(matches) and len(matches[k + 1].group(0)) == 2
                                                 and _joins_a_list(text[matches[k].end():matches[k + 1].start()]))


def _joins_a_list(between: str) -> bool:
    return " ".join(between.lower().replace(",", " ").replace("&", " ").replace("/", " ").split()) in ("", "and")


def _words_among_codes(text: str, matches: list[re.Match[str]]) -> set[int]:
    """In a reply of two-letter tokens, the lowercase ones used as words, not codes: "in"
    before a place ("3 in az" is no Indiana), "or" between two places ("wa or id"), a
    greeting that opens the reply ("hi, in tx"). With a comma between ("or, wa") they stay codes."""
    words = set()
    for k, match in enumerate(matches):
        low = match.group(0)
        if not low.islower():
            continue
        joined_to_next = k + 1 < len(matches) and not text[match.end():matches[k + 1].start()].strip()
        joined_to_last = k > 0 and not text[matches[k - 1].end():match.start()].strip()
        if (low == "in" and joined_to_next) or (low == "or" and joined_to_next and joined_to_last) \
                or (k == 0 and low in CHAT_REPLY_CODES and len(matches) > 1):
            words.add(k)
    return words


def _place_state(gazetteer: Any, phrase: str, *, codes_only: bool, single: bool) -> Optional[str]:
    if phrase[:1].isdigit():
        info = gazetteer.zip(phrase)
        return info.state if info else None
    bare = phrase.strip(".")
    if len(bare) == 2 and bare.isalpha():
        if bare.lower() in WORD_CODES and not (bare.isupper() or codes_only or single):
            return None
        if bare.upper() in gazetteer.state_codes:
            return bare.upper()
        # not a state: a city's short name of city_aliases.yml ("kc", "sf"), read below
    if phrase.lower() in ("and", "or", "in", "the", "we", "are", "of"):
        return None
    code = gazetteer.state(phrase, fuzzy=" " not in phrase)
    if code:
        return code
    from bot.understanding.locations import place_key

    key = place_key(phrase)
    options = gazetteer.city_options(key)
    if options and key not in gazetteer.common_words and (phrase[:1].isupper() or options[0].population >= 100_000):
        return options[0].state
    return None


@_safe
def validate_zip(text: str) -> Result[str]:
    """A real five-digit ZIP ("97201", "97201-1234", "zip is 97201") -> "97201".
    No five digits -> not_a_zip; five digits that are no ZIP ("00000") -> unknown_zip."""
    match = re.search(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)", text)
    if not match:
        return _bad(NOT_A_ZIP, "A ZIP code has five digits, like 97201.")
    if default_gazetteer().zip(match.group(1)) is None:
        return _bad(UNKNOWN_ZIP, "I don't know that ZIP code. Could you check it?")
    return _good(match.group(1))


@_safe
def validate_city(text: str, state_hint: Optional[str] = None) -> Result[CityInfo]:
    """The city meant by an answer ("Portland", "SLC", "Portland, Maine"); unknown_city else."""
    info = default_gazetteer().city(text.strip(" .!?"), state_hint)
    if info is None:
        return _bad(UNKNOWN_CITY, "I don't know that city. Could you give the city and state, like Portland, OR?")
    return _good(info)
