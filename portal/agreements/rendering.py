"""Agreement texts: staff-written Jinja bodies rendered in a sandbox, inside a fixed PDF layout.

A template body sees only the documented fields below (plain strings, numbers, booleans and lists,
frozen in the agreement's parameter snapshot). It runs in Jinja's immutable sandbox with
autoescaping, strict undefined names, no loader (no include/import/extends), no `range` or
`namespace`, no filters that pad or reformat text to any size, and `*`, `**`, `%` that cannot build
huge values. Its output may use a short list of text tags with classes only (no styles, images,
links or scripts: the look comes from the shared print stylesheet). Staff-written text is checked in
a child process with CPU and memory limits before it is saved or published (`sandbox_check.py`),
so a template that would loop or grow without end is refused there. The layout around it
(letterhead, parties, signature blocks, certificate page) is ours and goes through
`pdf.render_pdf`, the locked WeasyPrint.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

import nh3
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..core.errors import DomainError

MAX_BODY_CHARS = 100_000
MAX_OUTPUT_CHARS = 200_000  # a 4-page contract body is about 15,000
ALLOWED_TAGS = frozenset(
    {"h2", "h3", "h4", "p", "ol", "ul", "li", "strong", "em", "b", "i", "u", "br", "hr", "table", "thead"}
    | {"tbody", "tr", "th", "td", "blockquote", "span", "div", "section", "small", "sup", "sub"}
)
ALLOWED_ATTRIBUTES = frozenset(["class", "colspan", "rowspan"])
MAX_SEQUENCE = 10_000

# name -> what it holds. The editor shows this list; a name outside it fails the preview.
FIELDS: dict[str, dict[str, str]] = {
    "agreement": {
        "number": "Agreement number, e.g. LIA-2026-0042",
        "title": "Title of this agreement",
        "kind": "Kind: partnership, nda, licence or collaboration",
        "date": "Date of issue, e.g. 24 November 2026",
        "start_on": "Start date",
        "end_on": "End date of the first term",
        "term_months": "Term in months (a number)",
        "language": "Language code of the template, e.g. en",
    },
    "institution": {
        "name": "The institution's legal name",
        "address": "Postal address (several lines)",
        "country": "Country",
        "registration": "Registration number",
        "vat_number": "VAT number",
        "signatory_name": "Who signs for the institution",
        "signatory_title": "Their position",
        "contact": "Contact email",
        "programme": "Name of the partnership programme",
    },
    "partner": {
        "legal_name": "The partner's legal name",
        "trading_name": "Trading name (may be empty)",
        "address": "Postal address (several lines)",
        "country": "Country",
        "registration_number": "Company registration number (may be empty)",
        "vat_number": "VAT number (may be empty)",
        "signatory_name": "The partner's signatory",
        "signatory_title": "Their position",
    },
    "membership": {
        "tier": "Membership tier (partnership agreements; empty otherwise)",
        "fee": "Annual fee with currency, e.g. EUR 25,000.00",
        "benefits": "List of the tier's benefits",
        "seat_limit": "Number of user seats, or empty for unlimited",
        "challenge_limit": "R&D challenges a year, or empty for unlimited",
        "catalog_access": "Level of catalog access",
        "first_look_days": "Days of first look at new technologies (a number)",
    },
    "terms": {
        "subject": "Technology, project or subject of the agreement",
        "purpose": "Purpose of the exchange or of the work",
        "field_of_use": "Licensed field of use",
        "territory": "Territory",
        "exclusive": "Exclusive licence or option (true/false)",
        "upfront_fee": "Upfront or option fee with currency (may be empty)",
        "royalty": "Royalty, e.g. 3 % of net sales (may be empty)",
        "option_months": "Option period in months (a number, may be 0)",
        "budget": "Budget of the collaboration with currency (may be empty)",
        "lead_researcher": "Lead researcher at the institution (may be empty)",
        "special_conditions": "Special conditions agreed for this agreement (may be empty)",
    },
}


def long_date(day: date | datetime) -> str:
    """24 November 2026 (24 novembre 2026, 24. November 2026): how dates read in agreements, in the
    current language (a document's, inside `in_document_language`). A time is taken in UTC."""
    from babel.dates import format_date

    if isinstance(day, datetime):
        day = _utc(day).date()
    return format_date(day, format="long", locale=_format_locale())


def long_datetime(value: datetime) -> str:
    """24 November 2026, 14:05:09: a signature's or an execution's time in UTC, to the second."""
    from babel.dates import format_time

    return f"{long_date(value)}, {format_time(_utc(value).time(), 'HH:mm:ss', locale=_format_locale())}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _format_locale() -> str:
    from ..core.i18n import FORMAT_LOCALES, current_language

    language = current_language()
    return FORMAT_LOCALES.get(language, language)


def document_language(language: str | None) -> str:
    """The language a document's own labels are printed in: its template's, when the portal speaks
    it (else English: a Dutch text gets English labels)."""
    from ..core.i18n import DEFAULT_LANGUAGE, LANGUAGES

    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class _DocumentReader:
    """Whoever reads a document reads it in the document's language, with times in UTC."""

    def __init__(self, language: str) -> None:
        self.locale = language
        self.time_zone = "UTC"


@contextlib.contextmanager
def in_document_language(language: str | None) -> Iterator[None]:
    """Labels, dates and amounts of an agreement's PDF (and its snapshot) in the agreement's
    language, whoever's request produces it: the same document for every reader."""
    from ..core.i18n import as_reader

    with as_reader(_DocumentReader(document_language(language))):
        yield


class TemplateProblem(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="body")


class _AgreementSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "%"])

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise SecurityError("powers are not available in agreement templates")
        if operator_name == "%":
            if isinstance(left, str):
                raise SecurityError("string formatting with % is not available in agreement templates")
            return operator.mod(left, right)
        for sequence, count in ((left, right), (right, left)):
            too_long = (
                isinstance(sequence, str | list | tuple)
                and isinstance(count, int)
                and len(sequence) * max(count, 0) > MAX_SEQUENCE
            )
            if too_long:
                raise SecurityError("that multiplication builds a value too large for a template")
        return operator.mul(left, right)


def _environment() -> _AgreementSandbox:
    env = _AgreementSandbox(autoescape=True, undefined=StrictUndefined, auto_reload=False)
    for name in ("range", "lipsum", "cycler", "joiner", "namespace", "dict"):
        env.globals.pop(name, None)
    for name in ("center", "indent", "format", "wordwrap", "replace", "batch", "slice", "xmlattr"):
        env.filters.pop(name, None)
    return env


SANDBOX = _environment()


def render_body(body: str, params: dict[str, Any]) -> Markup:
    """Render a template body against a parameter snapshot; any problem is a TemplateProblem."""
    if len(body) > MAX_BODY_CHARS:
        raise TemplateProblem(f"The text is longer than {MAX_BODY_CHARS:,} characters.")
    try:
        html = SANDBOX.from_string(body).render(**{name: params.get(name, {}) for name in FIELDS})
    except SecurityError as exc:
        raise TemplateProblem(f"Not allowed in an agreement template: {exc}.") from exc
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise TemplateProblem(f"The template cannot be rendered{where}: {exc.message or exc}.") from exc
    except MemoryError as exc:
        raise TemplateProblem("The template builds a text too large to render.") from exc
    except Exception as exc:  # anything else the text does wrong is the text's problem, shown on the form
        raise TemplateProblem(f"The template cannot be rendered: {exc}.") from exc
    if len(html) > MAX_OUTPUT_CHARS:
        raise TemplateProblem(f"The rendered text is longer than {MAX_OUTPUT_CHARS:,} characters.")
    check_markup(html)
    return Markup(sanitise(html))  # noqa: S704 (rebuilt by an HTML5 parser from the allow-list alone)


def sanitise(html: str) -> str:
    """The body as WeasyPrint will read it, rebuilt from the allow-list only: parsed by an HTML5
    parser (nh3, Rust's ammonia over html5ever, the same rules as WeasyPrint's html5lib) and
    serialised again, so no parser trick (`<!-->`, CDATA, processing instructions, foreign content)
    can smuggle a link, style or image past the check. Comments are dropped; text is kept."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"*": {"class"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        strip_comments=True,
        link_rel=None,
        url_schemes=set(),
    )


class _MarkupCheck(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"<{tag}>")
        self.problems.extend(f'{name}="…" on <{tag}>' for name, _ in attrs if name not in ALLOWED_ATTRIBUTES)

    def handle_comment(self, data: str) -> None:
        # Parsers disagree on where comments end (`<!-->` is a whole comment to HTML5): refused.
        self.problems.append("<!-- comments -->")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("<![...]>")

    def handle_pi(self, data: str) -> None:
        self.problems.append("<?...>")


def check_markup(html: str) -> None:
    """Only text tags, with classes: no styles, images, links, scripts or embedded objects."""
    parser = _MarkupCheck()
    parser.feed(html)
    parser.close()
    if parser.problems:
        distinct = list(dict.fromkeys(parser.problems))
        tags_first = [p for p in distinct if p.startswith("<")] + [
            p for p in distinct if not p.startswith("<")
        ]
        shown = ", ".join(tags_first[:10])
        raise TemplateProblem(
            f"Not allowed in an agreement text: {shown}. Use headings, paragraphs, lists and tables; "
            "the layout, logo and styles come from the shared print stylesheet."
        )


def sample_params() -> dict[str, Any]:
    """Example values for previews of a template in the console."""
    return {
        "agreement": {
            "number": "LIA-0000-0000",
            "title": "Preview",
            "kind": "partnership",
            "date": "1 January 2027",
            "start_on": "1 January 2027",
            "end_on": "31 December 2027",
            "term_months": 12,
            "language": "en",
        },
        "institution": {
            "name": "Northfield Institute of Technology",
            "address": "Technology Transfer Office\nKanaalweg 1\n2628 EB Delft",
            "country": "Netherlands",
            "registration": "KvK 12345678",
            "vat_number": "NL001234567B01",
            "signatory_name": "Dr. Ingrid Vos",
            "signatory_title": "Director, Technology Transfer Office",
            "contact": "partnerships@example.org",
            "programme": "Industry Partnership Programme",
        },
        "partner": {
            "legal_name": "Example Industries GmbH",
            "trading_name": "Example",
            "address": "Industriestraße 12\n80331 München",
            "country": "Germany",
            "registration_number": "HRB 123456",
            "vat_number": "DE123456789",
            "signatory_name": "Clara Becker",
            "signatory_title": "Managing Director",
        },
        "membership": {
            "tier": "Partner",
            "fee": "EUR 25,000.00",
            "benefits": ["Two seats at the annual research day", "Quarterly technology briefings"],
            "seat_limit": 10,
            "challenge_limit": 4,
            "catalog_access": "Partner details",
            "first_look_days": 30,
        },
        "terms": {
            "subject": "Self-healing polymer coatings",
            "purpose": "evaluating a possible research collaboration",
            "field_of_use": "Industrial coatings",
            "territory": "European Union",
            "exclusive": True,
            "upfront_fee": "EUR 15,000.00",
            "royalty": "3 % of net sales",
            "option_months": 6,
            "budget": "EUR 120,000.00",
            "lead_researcher": "Prof. Dr. A. de Wit",
            "special_conditions": "",
        },
    }


def sparse_params() -> dict[str, Any]:
    """The sample's shape with every value empty: a template must also render for a partner
    without a VAT number, a tier without benefits, an NDA without membership fields."""

    def empty(value: Any) -> Any:
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return 0
        if isinstance(value, list):
            return []
        return ""

    return {
        group: {key: empty(value) for key, value in values.items()}
        for group, values in sample_params().items()
    }


def render_document(
    body: str,
    params: dict[str, Any],
    template_info: dict[str, Any],
    *,
    signatures: list[dict[str, Any]] | None = None,
    certificate: dict[str, Any] | None = None,
    watermark: str = "",
) -> bytes:
    """The one function that turns a template body and a snapshot into the agreement's PDF."""
    from ..core import pdf  # WeasyPrint is heavy; the sandbox check's child process does without it

    with in_document_language(template_info.get("language")):
        effective_on = template_info.get("effective_on")
        if isinstance(effective_on, date):
            template_info = {**template_info, "effective_on": long_date(effective_on)}
        return pdf.render_pdf(
            "agreement.html",
            {
                "body": render_body(body, params),
                "p": params,
                "template": template_info,
                "signatures": signatures or [],
                "certificate": certificate,
                "watermark": watermark,
            },
        )
