"""The CRM's console forms of the relations part (the console is English-only): an interaction, a
task, a staff note. Forms check shape; crm.services check the rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..core.forms import DayField, Limit
from .models import InteractionKind


class InteractionForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k.value, k.label) for k in InteractionKind],
        validators=[DataRequired(message="Choose what kind of interaction it was.")],
    )
    occurred_on = DayField("Date", validators=[DataRequired(message="Enter the date it happened.")])
    attendees = StringField("Attendees", validators=[Limit(500)], description="Who took part, on both sides.")
    summary = TextAreaField(
        "Summary", validators=[DataRequired(message="Say in a few words what was discussed."), Limit(5000)]
    )
    follow_up = TextAreaField("Follow-up", validators=[Limit(5000)], description="What happens next.")


class TaskForm(FlaskForm):
    title = StringField("Task", validators=[DataRequired(message="Say what has to be done."), Limit(200)])
    due_on = DayField("Due on", validators=[DataRequired(message="Enter the day it is due.")])
    assignee_id = SelectField("Assigned to", validators=[DataRequired(message="Choose who does it.")])
    about = SelectField("About", validate_choice=True)
    notes = TextAreaField("Notes", validators=[Limit(2000)])

    def __init__(self, staff=(), about_choices=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.assignee_id.choices = [SelectChoice("", "Choose…")] + [
            SelectChoice(str(u.id), u.full_name) for u in staff
        ]
        if about_choices:
            self.about.choices = [SelectChoice(value, label) for value, label in about_choices]
        else:
            del self.about


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write the note first."), Limit(5000)],
        description="Internal: staff only, never shown to the partner.",
    )
