"""Agreement texts: staff-written Jinja bodies rendered in a sandbox, inside a fixed PDF layout.

A template body sees only the documented fields below (plain strings, numbers, booleans and lists,
frozen in the agreement's parameter snapshot). It runs in Jinja's immutable sandbox with
autoescaping, strict undefined names, no loader (no include/import/extends), no `range`, and
arithmetic that cannot build huge values. The layout around it (letterhead, parties, signature
blocks, certificate page) is ours and goes through `pdf.render_pdf`, the locked WeasyPrint.
"""

from __future__ import annotations

import operator
from datetime import date
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from ..core.errors import DomainError
from . import pdf

MAX_BODY_CHARS = 100_000
MAX_OUTPUT_CHARS = 1_000_000
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


def long_date(day: date) -> str:
    """24 November 2026: how dates read in agreements."""
    return f"{day.day} {day:%B %Y}"


class TemplateProblem(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, field="body")


class _AgreementSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            raise SecurityError("powers are not available in agreement templates")
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
    for name in ("range", "lipsum", "cycler", "joiner"):
        env.globals.pop(name, None)
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
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateProblem(f"The template cannot be rendered: {exc}.") from exc
    if len(html) > MAX_OUTPUT_CHARS:
        raise TemplateProblem("The rendered text is too large.")
    return Markup(html)  # noqa: S704 (autoescaped by the sandbox: fields are escaped, the body is staff HTML)


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
