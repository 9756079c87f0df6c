"""Innovation forms: the invention disclosure (researchers and staff on their behalf, with fixed rows
for inventors and external co-inventors) and its files. The console's staff forms (English, like
the console) are in forms_console.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.validators import DataRequired, Optional

from ..core.forms import DayField, Limit, NeededToSubmit

INVENTOR_ROWS = 6
EXTERNAL_ROWS = 3


def optional_int(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class InventorRow(Form):
    researcher_id = SelectField(
        _l("Inventor"), coerce=optional_int, validators=[Optional()], validate_choice=False
    )
    share = StringField(_l("Share in percent"), validators=[Limit(8, counter=False)])


class ExternalRow(Form):
    name = StringField(_l("Name"), validators=[Limit(120)])
    affiliation = StringField(_l("Affiliation"), validators=[Limit(200)])
    share = StringField(_l("Share in percent"), validators=[Limit(8, counter=False)])


class DisclosureForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the invention a title, even a provisional one.")),
            Limit(200),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[NeededToSubmit(), Limit(20000)],
        description=_l("What the invention is and how it works, in enough detail for a specialist."),
    )
    problem = TextAreaField(_l("Problem it solves"), validators=[NeededToSubmit(), Limit(10000)])
    novelty = TextAreaField(
        _l("What is new"),
        validators=[NeededToSubmit(), Limit(10000)],
        description=_l("What differs from what is already known or published, and why it is not obvious."),
    )
    inventors = FieldList(
        FormField(InventorRow),
        _l("Inventors from the directory"),
        min_entries=INVENTOR_ROWS,
        max_entries=INVENTOR_ROWS,
    )
    external = FieldList(
        FormField(ExternalRow),
        _l("External co-inventors"),
        min_entries=EXTERNAL_ROWS,
        max_entries=EXTERNAL_ROWS,
    )
    public_funding = TextAreaField(
        _l("Public funding"),
        validators=[Limit(2000)],
        description=_l("Grants and programmes that funded the work, with their numbers."),
    )
    partner_funding = TextAreaField(
        _l("Partner-funded project"),
        validators=[Limit(2000)],
        description=_l("The company and the project or contract, if a partner funded the work."),
    )
    conception_date = DayField(_l("Date of conception"), validators=[Optional()])
    first_disclosure_date = DayField(
        _l("Date of first disclosure"),
        validators=[Optional()],
        description=_l("When you first described the invention to anyone outside the team, if ever."),
    )
    prior_publications = TextAreaField(
        _l("Publications so far"),
        validators=[Limit(5000)],
        description=_l("Papers, posters, theses, talks or preprints that describe any part of it."),
    )
    planned_publications = TextAreaField(_l("Planned publications"), validators=[Limit(5000)])
    planned_publication_date = DayField(
        _l("Date of the next planned publication"),
        validators=[Optional()],
        description=_l("Within 60 days, the disclosure is flagged urgent: a patent must be filed first."),
    )
    software_data = TextAreaField(
        _l("Related software and data"),
        validators=[Limit(5000)],
        description=_l("Code, repositories, data sets, with their licences if you know them."),
    )


class DisclosureFileForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(message=_l("Choose a file to attach."))])


def data_from_form(form: DisclosureForm):
    """The service's DisclosureData from the form; a half-filled inventor row is a DomainError."""
    from ..core.errors import DomainError
    from .services.disclosures import DisclosureData, ExternalShare, InventorShare

    inventors, external = [], []
    for row in form.inventors:
        researcher_id, share = row.form.researcher_id.data, (row.form.share.data or "").strip()
        if researcher_id is None and not share:
            continue
        if researcher_id is None:
            raise DomainError(str(_l("Choose the inventor for each share you gave.")), "inventors")
        if not share:
            raise DomainError(str(_l("Give each inventor's share in percent.")), "inventors")
        inventors.append(InventorShare(researcher_id, share))
    for row in form.external:
        name, share = (row.form.name.data or "").strip(), (row.form.share.data or "").strip()
        affiliation = (row.form.affiliation.data or "").strip()
        if not (name or share or affiliation):
            continue
        if not share:
            raise DomainError(str(_l("Give each external co-inventor's share in percent.")), "external")
        external.append(ExternalShare(name, affiliation, share))
    return DisclosureData(
        title=form.title.data or "",
        description=form.description.data or "",
        problem=form.problem.data or "",
        novelty=form.novelty.data or "",
        inventors=inventors,
        external=external,
        public_funding=form.public_funding.data or "",
        partner_funding=form.partner_funding.data or "",
        funding_organisation_id=getattr(getattr(form, "funding_organisation_id", None), "data", None),
        funding_agreement_id=getattr(getattr(form, "funding_agreement_id", None), "data", None),
        conception_date=form.conception_date.data,
        first_disclosure_date=form.first_disclosure_date.data,
        prior_publications=form.prior_publications.data or "",
        planned_publications=form.planned_publications.data or "",
        planned_publication_date=form.planned_publication_date.data,
        software_data=form.software_data.data or "",
    )


def fill_form(form: DisclosureForm, disclosure) -> None:
    """Show a saved disclosure in the form (before any POST)."""
    for name in (
        "title", "description", "problem", "novelty", "public_funding", "partner_funding",
        "conception_date", "first_disclosure_date", "prior_publications", "planned_publications",
        "planned_publication_date", "software_data", "funding_organisation_id", "funding_agreement_id",
    ):  # fmt: skip
        if hasattr(form, name):
            getattr(form, name).data = getattr(disclosure, name)
    for row, inventor in zip(form.inventors, disclosure.inventors, strict=False):
        row.form.researcher_id.data = inventor.researcher_id
        row.form.share.data = f"{inventor.share.normalize():f}"
    for row, external in zip(form.external, disclosure.external_inventors, strict=False):
        row.form.name.data, row.form.affiliation.data = external.name, external.affiliation
        row.form.share.data = f"{external.share.normalize():f}"


def set_inventor_choices(form: DisclosureForm, researchers) -> None:
    choices = [("", str(_l("Choose a researcher")))] + [
        (r.id, f"{r.name}{' · ' + r.group if r.group else ''}") for r in researchers
    ]
    for row in form.inventors:
        row.form.researcher_id.choices = choices
