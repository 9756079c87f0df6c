"""Console forms (the console is English-only): the catalog (listings, researchers, domains, files
and the CSV import) and R&D challenges. Forms check shape; the areas' services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..catalog.models import FileKind, IpStatus, LicensingOption
from ..challenges.forms import optional_int
from ..challenges.models import Confidentiality
from ..core.forms import BoundedIntegerField, Limit


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def lines(text: str | list[str] | None) -> list[str]:
    """A one-per-line text area as a list (blank lines dropped). A field the form did not send
    keeps the object's list, which comes back as it was."""
    items = text if isinstance(text, list) else (text or "").splitlines()
    return [line.strip() for line in items if str(line).strip()]


ONE_PER_LINE = "One per line."


class TechnologyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Limit(200)])
    benefit = StringField(
        "One-line benefit",
        validators=[Limit(300)],
        description="Public: what a company gains, in one sentence. Needed to publish.",
    )
    domain_id = SelectField("Domain", choices={}, validate_choice=False)
    trl = SelectField(
        "Technology readiness level (TRL)",
        choices={str(n): f"TRL {n}" for n in range(1, 10)},
        validators=[DataRequired()],
        default="1",
    )
    ip_status = SelectField(
        "IP status", choices={}, validators=[DataRequired()], default=IpStatus.KNOW_HOW.value
    )
    problem = TextAreaField(
        "The problem", validators=[Limit(20_000)], render_kw={"rows": 4}, description="Partners only."
    )
    solution = TextAreaField("The solution", validators=[Limit(20_000)], render_kw={"rows": 4})
    advantages = TextAreaField(
        "Advantages", validators=[Limit(10_000)], description=ONE_PER_LINE, render_kw={"rows": 4}
    )
    applications = TextAreaField(
        "Applications and markets",
        validators=[Limit(10_000)],
        description=ONE_PER_LINE,
        render_kw={"rows": 4},
    )
    keywords = TextAreaField(
        "Keywords", validators=[Limit(4000)], description=ONE_PER_LINE, render_kw={"rows": 3}
    )
    patent_numbers = TextAreaField(
        "Patent numbers", validators=[Limit(4000)], description=ONE_PER_LINE, render_kw={"rows": 2}
    )
    licensing_options = MultiCheckboxField("Licensing options", choices={}, validate_choice=True)
    lab = StringField("Lab", validators=[Limit(200)])
    inventors = SelectMultipleField(
        "Inventors",
        choices={},
        coerce=int,
        description="From the researcher directory; hold Ctrl (or ⌘) to choose several.",
        render_kw={"size": 6},
    )
    dossier_summary = TextAreaField(
        "Dossier summary",
        validators=[Limit(20_000)],
        render_kw={"rows": 4},
        description="Confidential: partners of a dossier tier who accepted the NDA.",
    )
    first_look_days = BoundedIntegerField(
        "First-look days",
        validators=[Optional(), NumberRange(min=0, max=365, message="Enter a number of days from 0 to 365.")],
        description="Days after publication when only first-look tiers see the listing. Empty: unchanged.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The labels are the catalog's (translated at use); the console reads them in English.
        self.ip_status.choices = {s.value: str(s.label) for s in IpStatus}
        self.licensing_options.choices = {o.value: str(o.label) for o in LicensingOption}


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    first_look_days = BoundedIntegerField(
        "First-look days",
        validators=[Optional(), NumberRange(min=0, max=365, message="Enter a number of days from 0 to 365.")],
    )


class ResearcherForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Limit(120)])
    email = StringField("Email", validators=[Limit(254)])
    group = StringField("Research group or lab", validators=[Limit(200)])
    role = StringField("Role", validators=[Limit(120)], description="Professor, postdoc, research engineer …")
    expertise = TextAreaField(
        "Expertise keywords", validators=[Limit(4000)], description=ONE_PER_LINE, render_kw={"rows": 3}
    )
    profile = TextAreaField("Short profile", validators=[Limit(5000)], render_kw={"rows": 4})
    public = BooleanField("Public: partners may see this entry as an inventor", default=True)


class DomainForm(FlaskForm):
    name = StringField("Name (English)", validators=[DataRequired(), Limit(120)])
    slug = StringField(
        "Slug", validators=[DataRequired(), Limit(80)], description="Used in links: cyber-security"
    )
    name_fr = StringField(
        "Name in French", validators=[Limit(120)], description="Empty: French readers see English."
    )
    name_de = StringField(
        "Name in German", validators=[Limit(120)], description="Empty: German readers see English."
    )
    display_order = BoundedIntegerField("Order", validators=[InputRequired()], default=0)
    active = BooleanField("Active (offered for new listings and in the catalog's filters)", default=True)


class FileForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices={FileKind.IMAGE.value: "Image (public)", FileKind.DOSSIER.value: "Dossier document (NDA)"},
        validators=[DataRequired()],
    )
    file = FileField(
        "File",
        validators=[DataRequired()],
        description="Images: PNG, JPEG or WebP up to 5 MB. Dossier: PDF, DOCX or XLSX up to 20 MB.",
    )


class RemoveFileForm(FlaskForm):
    file_id = HiddenField(validators=[DataRequired()])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[DataRequired()], description="UTF-8, with a header row.")


class ConfirmImportForm(FlaskForm):
    upload = HiddenField(validators=[DataRequired()])
    sha256 = HiddenField(validators=[DataRequired()])


# --- R&D challenges ---------------------------------------------------------------------------


class ChallengeTransitionForm(FlaskForm):
    status = SelectField(
        "Move to", validators=[DataRequired(message="Choose the next step.")], validate_choice=False
    )
    note = TextAreaField(
        "Note to the partner (shown on their timeline and in the email)", validators=[Limit(2000)]
    )
    reason = TextAreaField("Reason for declining (the partner reads it)", validators=[Limit(2000)])


class ChallengeOwnerForm(FlaskForm):
    owner_id = SelectField("Owner", coerce=optional_int, validators=[Optional()], validate_choice=False)


class ChallengeConfidentialityForm(FlaskForm):
    confidentiality = SelectField(
        "Confidentiality",
        choices=[SelectChoice(c.value, c.label) for c in Confidentiality],
        validators=[DataRequired()],
    )
    teaser = StringField("Anonymised teaser (names no company)", validators=[Limit(300)])
    call_summary = TextAreaField("Open call summary (what researchers read)", validators=[Limit(3000)])


class ChallengeShareForm(FlaskForm):
    researcher_id = SelectField(
        "Researcher",
        coerce=optional_int,
        validators=[DataRequired(message="Choose a researcher.")],
        validate_choice=False,
    )


class ChallengeStaffMessageForm(FlaskForm):
    body = TextAreaField("Message", validators=[DataRequired(message="Write a message first."), Limit(5000)])
    internal = BooleanField("Internal note (staff only, never shown to the partner or researchers)")


class ChallengeProposeForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired()])
    object_id = HiddenField(validators=[DataRequired()])
    note = TextAreaField("Why it fits (the partner reads it)", validators=[Limit(2000)])
