"""The faster WTForms attribute renderer (core/widgets.py) gives WTForms' own output, byte for byte,
for every kind of attribute and hostile value, and every widget uses it."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, PasswordField, StringField, SubmitField
from wtforms import widgets as wtforms_widgets
from wtforms.widgets import core

from portal.core import widgets

CASES = [
    {},
    {"name": "email", "id": "email", "class_": "form-control"},
    {"checked": True, "readonly": False, "name": "t", "abc": "hello"},
    {"data_attr": "user.name", "aria_labeledby": "name", "data_x_y": 1},
    {"value": '"><script>alert(1)</script>', "title": "a & b < c > d 'q'"},
    {"value": Markup('already "marked" <b>up</b>'), "placeholder": Markup("x &amp; y")},
    {"maxlength": 200, "min": 0, "step": 0.5, "for_": "field"},
    {"autocomplete": "one-time-code", "inputmode": "numeric", "required": True, "disabled": False},
]


@pytest.mark.parametrize("params", CASES)
def test_the_fast_renderer_gives_exactly_wtforms_output(params):
    assert widgets.html_params(**params) == widgets.wtforms_html_params(**params)
    assert isinstance(widgets.html_params(**params), Markup)


def test_every_wtforms_widget_renders_through_it_once_installed(app):
    installed = (core.html_params, wtforms_widgets.html_params)
    installed += (core.Input.html_params, core.Button.html_params)
    assert all(where is widgets.html_params for where in installed)

    class F(Form):
        name = StringField("Name", render_kw={"class": "form-control"})
        secret = PasswordField("Secret")
        go = SubmitField("Go")

    form = F(data={"name": 'Ann "<x>"'})
    expected = (
        '<input class="form-control" id="name" name="name" type="text" value="Ann &#34;&lt;x&gt;&#34;">'
    )
    assert str(form.name()) == expected
    assert str(form.go()) == '<input id="go" name="go" type="submit" value="Go">'
    assert str(form.name.label()) == '<label for="name">Name</label>'
