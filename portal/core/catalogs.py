"""The translation catalogs: which sources each one covers, extraction, update, compilation and the
checks the tests run (`flask translations update | compile | check`).

One catalog per area of what a partner sees, so that each can be translated on its own:
`portal/translations/<catalog>/<lang>/LC_MESSAGES/messages.po`. English is the source language
(msgids are the English text); French and German are complete. The staff console (admin/) is
English only and not extracted.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import TRANSLATIONS

PORTAL = Path(__file__).resolve().parent.parent
TEMPLATES = PORTAL / "templates"
TARGET_LANGUAGES = ("fr", "de")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "pgettext": ((1, "c"), 2),
    "lazy_ngettext": (1, 2),
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}

# catalog -> the sources it covers (paths relative to portal/; folders are taken whole)
CATALOGS: dict[str, tuple[str, ...]] = {
    "core": ("core", "templates/base.html", "templates/_macros", "templates/_partials", "templates/errors"),
    "auth": ("auth", "templates/auth"),
    "partners": ("partners", "templates/partners"),
    "membership": ("membership", "billing", "templates/membership"),
    "agreements": ("agreements", "templates/agreements", "templates/pdf"),
    "main": ("main", "templates/main"),
    "catalog": ("catalog", "matching", "templates/catalog"),
    "challenges": ("challenges", "templates/challenges"),
    "innovation": ("innovation", "templates/innovation"),
    "crm": ("crm/routes", "crm/forms.py", "crm/models", "crm/services/enquiries.py", "templates/crm"),
    "emails": ("templates/emails",),
}
# Python modules with no partner-facing text (tooling, checks, the sandbox).
SKIP_PYTHON = {
    "core/catalogs.py",
    "agreements/sandbox_check.py",
    # the console's own rules and forms of the innovation area (the console is English)
    "innovation/forms_console.py",
    "innovation/services/assessment.py",
    "innovation/services/ip_records.py",
    "innovation/services/to_market.py",
    "innovation/demo_disclosures.py",
}
# Content, not interface: the default agreement texts are data with a language of their own.
SKIP_FOLDERS = ("agreements/defaults/",)


@dataclass(frozen=True)
class Message:
    msgid: str | tuple[str, str]
    location: str
    context: str | None = None


def sources(catalog: str) -> Iterator[Path]:
    for entry in CATALOGS[catalog]:
        path = PORTAL / entry
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            relative = file.relative_to(PORTAL).as_posix()
            skipped = relative in SKIP_PYTHON or relative.startswith(SKIP_FOLDERS)
            if file.suffix in {".py", ".html", ".txt"} and not skipped:
                yield file


def _method(path: Path) -> str:
    return "python" if path.suffix == ".py" else "jinja2"


def extract(catalog: str) -> list[Message]:
    found: list[Message] = []
    for path in sources(catalog):
        options = {} if path.suffix == ".py" else JINJA_OPTIONS
        for lineno, msgid, _comments, context in extract_from_file(
            _method(path), str(path), keywords=KEYWORDS, options=options
        ):
            found.append(Message(msgid, f"{path.relative_to(PORTAL).as_posix()}:{lineno}", context))
    return found


def template_catalog(catalog: str) -> Catalog:
    pot = Catalog(project="Liaison", fuzzy=False)
    for message in extract(catalog):
        path, _, line = message.location.rpartition(":")
        pot.add(message.msgid, locations=[(path, int(line))], context=message.context)
    return pot


def po_path(catalog: str, language: str) -> Path:
    return TRANSLATIONS / catalog / language / "LC_MESSAGES" / "messages.po"


def read_catalog(catalog: str, language: str) -> Catalog:
    path = po_path(catalog, language)
    if not path.exists():
        return Catalog(locale=language)
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update(catalogs: Iterable[str] | None = None) -> dict[str, int]:
    """Extract each catalog's sources and merge them into its French and German files (new messages
    empty, vanished ones dropped). Returns the number of untranslated messages per file."""
    missing: dict[str, int] = {}
    for catalog in catalogs or CATALOGS:
        pot = template_catalog(catalog)
        for language in TARGET_LANGUAGES:
            po = read_catalog(catalog, language)
            po.update(pot, no_fuzzy_matching=True)
            po.obsolete.clear()
            po.fuzzy = False  # the header: its charset and plural forms go into the .mo
            po.project, po.copyright_holder = "Liaison", "Liaison contributors"
            po.msgid_bugs_address = ""
            path = po_path(catalog, language)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as handle:
                write_po(handle, po, width=100, omit_header=False, sort_output=False)
            missing[f"{catalog}/{language}"] = sum(1 for m in po if m.id and not _translated(m))
    return missing


def _translated(message) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all((s or "").strip() for s in strings)


def compiled(po: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, po, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> list[Path]:
    written = []
    for catalog in CATALOGS:
        for language in TARGET_LANGUAGES:
            po = read_catalog(catalog, language)
            mo = po_path(catalog, language).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            mo.write_bytes(compiled(po))
            written.append(mo)
    return written


def untranslated(catalogs: Iterable[str] | None = None) -> list[str]:
    """`catalog/lang: msgid (where)` for every extracted message without a French or German text."""
    problems = []
    for catalog in catalogs or CATALOGS:
        for language in TARGET_LANGUAGES:
            po = read_catalog(catalog, language)
            for message in extract(catalog):
                entry = po.get(message.msgid, context=message.context)
                if entry is None or not _translated(entry):
                    msgid = message.msgid if isinstance(message.msgid, str) else message.msgid[0]
                    problems.append(f"{catalog}/{language}: {msgid!r} ({message.location})")
    return problems


def _plain(value):
    """Plural ids and strings come back as lists from a .mo and as tuples from a .po."""
    return tuple(value) if isinstance(value, list | tuple) else value


def stale_compiled(catalogs: Iterable[str] | None = None) -> list[str]:
    """.mo files that do not hold exactly what their .po says (compile after translating)."""
    stale = []
    for catalog in catalogs or CATALOGS:
        for language in TARGET_LANGUAGES:
            po = read_catalog(catalog, language)
            mo_path = po_path(catalog, language).with_suffix(".mo")
            if not mo_path.exists():
                stale.append(str(mo_path.relative_to(PORTAL)))
                continue
            with mo_path.open("rb") as handle:
                mo = read_mo(handle)
            want = {(_plain(m.id), m.context): _plain(m.string) for m in po if m.id and _translated(m)}
            have = {(_plain(m.id), m.context): _plain(m.string) for m in mo if m.id}
            if want != have:
                stale.append(str(mo_path.relative_to(PORTAL)))
    return stale


# --- strings nobody marked -----------------------------------------------------------------------

LETTERS = re.compile(r"[^\W\d_]{2,}")
TEXT_ATTRIBUTES = {"placeholder", "title", "alt", "aria-label", "data-confirm", "aria-description"}
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value and LETTERS.search(value.replace("\x00", " ")):
                self.found.append(f"{name}={value.replace(chr(0), '').strip()!r}")

    def handle_endtag(self, tag):
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and LETTERS.search(data.replace("\x00", " ")):
            self.found.append(" ".join(data.replace("\x00", " ").split()))


def unmarked_in_template(path: Path) -> list[str]:
    """Literal text in a template outside `_()` / `{% trans %}`: every piece of markup text or
    user-facing attribute with a word in it, once Jinja's expressions and tags are taken out. Text
    inside `{% trans %}` blocks is marked, so those blocks go first."""
    source = path.read_text()
    source = re.sub(r"{%-?\s*(trans|pluralize)\b.*?%}.*?{%-?\s*endtrans\s*-?%}", "\x00", source, flags=re.S)
    source = JINJA.sub("\x00", source)
    if path.suffix == ".txt":
        return [line.strip() for line in source.splitlines() if LETTERS.search(line.replace("\x00", " "))]
    parser = _Text()
    parser.feed(source)
    parser.close()
    return parser.found


# Calls whose first literal argument a reader sees.
USER_TEXT_CALLS = {"flash", "DomainError", "abort_with", "ValidationError", "StopValidation"}
FIELD_CALLS = re.compile(r"Field$")


def unmarked_in_python(path: Path) -> list[str]:
    """Literal strings passed to flash(), DomainError(), ValidationError() and form fields' labels,
    messages and descriptions without `_()` / `_l()` around them."""
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        candidates: list[ast.expr] = []
        if name in USER_TEXT_CALLS:
            candidates += node.args[:1]
        if FIELD_CALLS.search(name) or name in USER_TEXT_CALLS or name[:1].isupper():
            if FIELD_CALLS.search(name):
                candidates += node.args[:1]
            candidates += [k.value for k in node.keywords if k.arg in {"message", "description", "label"}]
        candidates += [k.value for k in node.keywords if k.arg == "subject"]  # an email's subject
        for value in candidates:
            if _is_literal_text(value):
                where = f"{path.relative_to(PORTAL).as_posix()}:{value.lineno}"
                found.append(f"{where}: {ast.unparse(value)[:80]}")
    return found


def _is_literal_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and LETTERS.search(str(v.value)) for v in node.values)
    return False


def unmarked(catalogs: Iterable[str] | None = None) -> list[str]:
    found = []
    for catalog in catalogs or CATALOGS:
        for path in sources(catalog):
            if path.suffix == ".py":
                found += unmarked_in_python(path)
            else:
                where = path.relative_to(PORTAL).as_posix()
                found += [f"{where}: {text[:80]}" for text in unmarked_in_template(path)]
    return found
