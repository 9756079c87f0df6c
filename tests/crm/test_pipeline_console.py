"""The pipeline in the console: the board (counts, totals, no-JavaScript moves, lost needs a reason),
the list (filters, sorting), the CSV export (filters, audit), the prospect page (edit, link, the real
membership status), the collaboration models, and constant query counts at 10 and 100 prospects."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa

from portal.core.models import AuditEvent
from portal.crm.models import CollaborationModel, Prospect, ProspectSource, ProspectStage
from portal.crm.services import pipeline
from portal.extensions import db
from portal.membership.models import ApplicationStatus

from ..core.test_request_cost import recorded_queries
from ..support.browser import Browser, location, text
from ..support.factories import commit, make_application, make_organisation, make_staff, make_tier

S = ProspectStage


@pytest.fixture
def officer(ctx):
    user = make_staff(email="oscar@tto.example", full_name="Oscar Officer")
    commit()
    return user


@pytest.fixture
def console(app, officer):
    browser = Browser(app)
    browser.login_staff(officer)
    return browser


def model(slug: str) -> CollaborationModel:
    return db.session.scalar(sa.select(CollaborationModel).where(CollaborationModel.slug == slug))


def add(owner, company, stage=S.IDENTIFIED, value=0, slug="contract-research", **extra) -> Prospect:
    prospect = pipeline.create_prospect(
        owner,
        pipeline.ProspectData(
            company=company, expected_value_cents=value, owner_id=owner.id, model_id=model(slug).id, **extra
        ),
        stage=stage,
    )
    return prospect


def visible(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def column(html: str, stage: str) -> str:
    """The board column of one stage."""
    start = html.index(f'data-stage="{stage}"')
    end = html.find("data-stage=", start + 20)
    return html[start : end if end != -1 else len(html)]


def select_count(browser, path: str) -> int:
    with recorded_queries() as (statements, lazy):
        response = browser.get(path)
        response.get_data()
    assert response.status_code == 200, path
    assert lazy == [], f"{path}: lazy loads {lazy}"
    return len(statements)


# --- the board -------------------------------------------------------------------------------------


def test_the_board_shows_counts_and_value_totals_per_stage(console, officer, ctx):
    add(officer, "Alpha Optics", S.IDENTIFIED, 10_000_00)
    add(officer, "Beta Motors", S.IDENTIFIED, 2_500_00)
    add(officer, "Gamma Labs", S.MEETING, 40_000_00, next_action="Lab visit")
    lost = add(officer, "Delta Foods", S.CONTACTED, 1_000_00)
    pipeline.move(officer, lost, S.LOST, reason="No budget this year")
    commit()
    html = text(console.get("/admin/pipeline"))
    identified = column(html, "identified")
    assert re.search(r"<span data-count>2</span>", identified)
    assert "EUR 12,500.00" in identified and "Alpha Optics" in identified and "Beta Motors" in identified
    meeting = column(html, "meeting")
    assert "<span data-count>1</span>" in meeting and "EUR 40,000.00" in meeting and "Lab visit" in meeting
    assert "<span data-count>0</span>" in column(html, "proposal")
    lost_column = column(html, "lost")
    assert "Delta Foods" in lost_column and "No budget this year" in lost_column


def test_a_card_moves_without_javascript_and_returns_to_the_board(console, officer, ctx):
    prospect = add(officer, "Alpha Optics")
    commit()
    response = console.post(f"/admin/prospects/{prospect.id}/move", {"stage": "contacted", "back": "board"})
    assert response.status_code == 302 and location(response) == "/admin/pipeline"
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).stage is S.CONTACTED
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "prospect.moved", AuditEvent.target_id == prospect.id
        )
    )
    assert event.actor_id == officer.id and event.details == {"old": "identified", "new": "contacted"}


def test_losing_without_a_reason_says_so_and_changes_nothing(console, officer, ctx):
    prospect = add(officer, "Alpha Optics", S.PROPOSAL)
    commit()
    response = console.post(
        f"/admin/prospects/{prospect.id}/move", {"stage": "lost", "reason": " ", "back": "board"}
    )
    assert response.status_code == 400
    assert "Say why the prospect was lost." in text(response)
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).stage is S.PROPOSAL
    response = console.post(
        f"/admin/prospects/{prospect.id}/move", {"stage": "lost", "reason": "Went with a competitor"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).lost_reason == "Went with a competitor"


def test_a_move_outside_the_table_or_to_nowhere_is_a_clear_400(console, officer, ctx):
    prospect = add(officer, "Alpha Optics")
    commit()
    assert "Choose the stage to move to." in text(
        console.post(f"/admin/prospects/{prospect.id}/move", {"stage": ""})
    )
    same = console.post(f"/admin/prospects/{prospect.id}/move", {"stage": "identified"})
    assert same.status_code == 400 and "cannot go from identified to identified" in text(same)
    odd = console.post(f"/admin/prospects/{prospect.id}/move", {"stage": "bogus"})
    assert odd.status_code == 400


def test_the_board_suggests_sign_ups_and_adds_one(console, officer, ctx):
    organisation = make_organisation(legal_name="Fresh Signup GmbH")
    commit()
    html = text(console.get("/admin/pipeline"))
    assert "Signed up, not members yet" in html and "Fresh Signup GmbH" in html
    response = console.post("/admin/pipeline/signups", {"organisation_id": str(organisation.id)})
    assert response.status_code == 302
    prospect = db.session.scalar(sa.select(Prospect).where(Prospect.organisation_id == organisation.id))
    assert prospect.source is ProspectSource.SIGNUP and prospect.owner_id == officer.id
    assert location(response) == f"/admin/prospects/{prospect.id}"
    board = text(console.get("/admin/pipeline"))
    assert "Signed up, not members yet" not in board  # it is a prospect now, in the first column
    assert "Fresh Signup GmbH" in column(board, "identified")


# --- the list and its export -------------------------------------------------------------------------


def _list_fixture(officer):
    other = make_staff(full_name="Priya Officer")
    add(officer, "Alpha Optics", S.IDENTIFIED, 1_000_00, slug="licence", country="FR")
    add(officer, "Beta Motors", S.MEETING, 3_000_00, slug="joint-lab", interest="battery cells")
    add(other, "Gamma Labs", S.MEETING, 2_000_00, slug="joint-lab")
    pipeline.create_prospect(
        None,
        pipeline.ProspectData(
            company="Delta Enquiry", source=ProspectSource.ENQUIRY, model_id=model("licence").id
        ),
    )
    commit()
    return other


def companies(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/prospects/\d+">([^<]+)</a>', html)


def test_the_list_filters_and_sorts(console, officer, ctx):
    other = _list_fixture(officer)
    assert companies(text(console.get("/admin/prospects?sort=company"))) == [
        "Alpha Optics",
        "Beta Motors",
        "Delta Enquiry",
        "Gamma Labs",
    ]
    assert companies(text(console.get("/admin/prospects?stage=meeting&sort=-value"))) == [
        "Beta Motors",
        "Gamma Labs",
    ]
    assert companies(text(console.get(f"/admin/prospects?owner={other.id}"))) == ["Gamma Labs"]
    assert companies(text(console.get("/admin/prospects?owner=none"))) == ["Delta Enquiry"]
    assert companies(text(console.get(f"/admin/prospects?model={model('licence').id}&sort=company"))) == [
        "Alpha Optics",
        "Delta Enquiry",
    ]
    assert companies(text(console.get("/admin/prospects?source=enquiry"))) == ["Delta Enquiry"]
    assert companies(text(console.get("/admin/prospects?q=BATTERY"))) == ["Beta Motors"]
    assert "No prospects match" in text(console.get("/admin/prospects?q=nothing-like-this"))
    assert console.get("/admin/prospects?sort=drop+table&stage=zzz&owner=x&page=-3").status_code == 200


def test_the_csv_export_takes_the_filters_and_is_audited(console, officer, ctx):
    _list_fixture(officer)
    response = console.get("/admin/prospects.csv?stage=meeting&sort=company")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Company", "Country", "Stage"]
    assert [r[0] for r in rows[1:]] == ["Beta Motors", "Gamma Labs"]
    assert rows[1][6:8] == ["3000.00", "EUR"]
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "console.exported")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event.details["list"] == "prospects" and event.details["filters"] == {"stage": "meeting"}
    assert event.actor_id == officer.id


def test_a_formula_in_a_company_name_is_exported_as_text(console, officer, ctx):
    add(officer, '=HYPERLINK("http://evil.example")')
    commit()
    body = console.get("/admin/prospects.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in body


# --- the prospect page -------------------------------------------------------------------------------


def test_staff_add_a_prospect_and_edit_it(console, officer, ctx):
    response = console.post(
        "/admin/prospects/new",
        {
            "company": "Epsilon Robotics",
            "country": "DE",
            "stage": "contacted",
            "source": "event",
            "model_id": str(model("joint-lab").id),
            "expected_value": "12 500,00",
            "currency": "EUR",
            "owner_id": str(officer.id),
            "next_action": "Send the brochure",
            "next_action_on": "2026-02-30",
        },
    )
    assert response.status_code == 400 and "There is no 30 February 2026" in text(response)
    response = console.post(
        "/admin/prospects/new",
        {
            "company": "Epsilon Robotics",
            "country": "DE",
            "stage": "contacted",
            "source": "event",
            "model_id": str(model("joint-lab").id),
            "expected_value": "12 500,00",
            "currency": "EUR",
            "owner_id": str(officer.id),
            "next_action": "Send the brochure",
            "next_action_on": "2026-03-02",
        },
    )
    assert response.status_code == 302
    prospect = db.session.scalar(sa.select(Prospect).where(Prospect.company == "Epsilon Robotics"))
    assert (prospect.stage, prospect.source, prospect.expected_value_cents) == (
        S.CONTACTED,
        ProspectSource.EVENT,
        12_500_00,
    )
    page = text(console.get(location(response)))
    assert "Send the brochure" in page and "EUR 12,500.00" in page
    response = console.post(
        f"/admin/prospects/{prospect.id}/edit",
        {"company": "Epsilon Robotics SE", "currency": "EUR", "expected_value": "abc"},
    )
    assert response.status_code == 400 and "Enter an amount with digits only" in text(response)
    response = console.post(
        f"/admin/prospects/{prospect.id}/edit",
        {"company": "Epsilon Robotics SE", "currency": "EUR", "owner_id": "999999"},
    )
    assert response.status_code == 400 and "Choose a member of staff" in text(response)
    response = console.post(
        f"/admin/prospects/{prospect.id}/edit", {"company": "Epsilon Robotics SE", "currency": "EUR"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).company == "Epsilon Robotics SE"


def test_the_page_suggests_organisations_and_links_one(console, officer, ctx):
    organisation = make_organisation(legal_name="Zeta Sensors GmbH", website="https://zeta-sensors.example")
    prospect = add(officer, "Zeta Sensors AG", contact_email="anna@zeta-sensors.example")
    commit()
    html = text(console.get(f"/admin/prospects/{prospect.id}"))
    suggestions = html.split("data-link-suggestions", 1)[1].split("</ul>", 1)[0]
    assert "Zeta Sensors GmbH" in suggestions and "web domain zeta-sensors.example" in suggestions
    assert "same name" in suggestions
    response = console.post(f"/admin/prospects/{prospect.id}/link", {"organisation_id": str(organisation.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).organisation_id == organisation.id
    missing = console.post(f"/admin/prospects/{prospect.id}/link", {"organisation_id": "987654"})
    assert missing.status_code == 400 and "There is no organisation with this number." in text(missing)
    assert console.post(f"/admin/prospects/{prospect.id}/unlink").status_code == 302
    db.session.expire_all()
    assert db.session.get(Prospect, prospect.id).organisation_id is None


def test_a_won_membership_prospect_shows_the_real_application(console, officer, ctx):
    organisation = make_organisation(legal_name="Theta Partners Ltd")
    tier = make_tier(name="Associate")
    make_application(organisation, tier, status=ApplicationStatus.SUBMITTED)
    prospect = add(officer, "Theta Partners", S.NEGOTIATION, slug="membership")
    pipeline.move(officer, prospect, S.WON)
    pipeline.link(officer, prospect, organisation)
    commit()
    html = text(console.get(f"/admin/prospects/{prospect.id}"))
    progress = visible(html.split("data-membership-progress", 1)[1].split("</dl>", 1)[0])
    assert "Submitted for the Associate tier" in progress
    assert "None yet" in progress  # no membership: the page does not pretend
    assert "becomes active once the application is approved" in html


def test_the_page_lists_the_moves(console, officer, ctx):
    prospect = add(officer, "Iota Systems")
    pipeline.move(officer, prospect, S.CONTACTED)
    pipeline.move(officer, prospect, S.LOST, reason="Not now")
    commit()
    moves = visible(
        text(console.get(f"/admin/prospects/{prospect.id}")).split("data-moves", 1)[1].split("</ol>", 1)[0]
    )
    assert "Contacted → Lost by Oscar Officer — Not now" in moves
    assert "Created at Identified by Oscar Officer" in moves


def test_an_unknown_prospect_is_404(console, ctx):
    assert console.get("/admin/prospects/424242").status_code == 404
    assert console.post("/admin/prospects/424242/move", {"stage": "won"}).status_code == 404


# --- collaboration models ----------------------------------------------------------------------------


def test_admins_edit_a_model_and_staff_only_read_the_list(app, console, ctx):
    admin = make_staff(admin=True)
    commit()
    joint_lab = model("joint-lab")
    assert "Joint lab" in text(console.get("/admin/collaboration-models"))
    assert console.get(f"/admin/collaboration-models/{joint_lab.id}").status_code == 403
    browser = Browser(app)
    browser.login_staff(admin)
    form = {
        "title": "Joint laboratory",
        "slug": "joint-lab",
        "summary": "A shared lab.",
        "display_order": "3",
    }
    response = browser.post(f"/admin/collaboration-models/{joint_lab.id}", form)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CollaborationModel, joint_lab.id)
    assert saved.title == "Joint laboratory" and saved.published is False  # the box was not ticked
    assert browser.get("/collaborate/joint-lab").status_code == 404
    clash = browser.post(f"/admin/collaboration-models/{joint_lab.id}", {**form, "slug": "licence"})
    assert clash.status_code == 400 and "Another collaboration model has this address." in text(clash)
    bad = browser.post("/admin/collaboration-models/new", {**form, "slug": "Not A Slug!"})
    assert bad.status_code == 400 and "Use lower-case letters" in text(bad)
    created = browser.post(
        "/admin/collaboration-models/new",
        {**form, "slug": "sabbatical", "title": "Sabbatical", "published": "y"},
    )
    assert created.status_code == 302
    assert "Sabbatical" in text(browser.get("/collaborate"))
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.action.like("collaboration_model.%"))
            .order_by(AuditEvent.id)
        )
    )
    assert actions == ["collaboration_model.updated", "collaboration_model.created"]


# --- query counts ----------------------------------------------------------------------------------


def _many(owners, n: int) -> None:
    stages = [S.IDENTIFIED, S.CONTACTED, S.MEETING, S.PROPOSAL, S.NEGOTIATION]
    slugs = ["licence", "joint-lab", "membership"]
    for i in range(n):
        owner = owners[i % len(owners)]
        prospect = add(owner, f"Company {n}-{i}", stages[i % 5], value=(i + 1) * 100_00, slug=slugs[i % 3])
        if i % 7 == 0:
            pipeline.move(owner, prospect, S.WON)
        elif i % 7 == 1:
            pipeline.move(owner, prospect, S.LOST, reason="Timing")
        if i % 9 == 0:
            pipeline.link(owner, prospect, make_organisation(legal_name=f"Linked {n}-{i}"))
    commit()


@pytest.mark.parametrize(
    "path", ["/admin/pipeline", "/admin/prospects", "/admin/prospects?stage=open&sort=-value"]
)
def test_board_and_list_cost_the_same_at_10_and_100_prospects(console, officer, ctx, path):
    owners = [officer, make_staff(), make_staff()]
    _many(owners, 10)
    few = select_count(console, path)
    _many(owners, 90)
    assert select_count(console, path) == few


def test_the_prospect_page_costs_the_same_with_few_and_many_moves(console, officer, ctx):
    organisation = make_organisation(legal_name="Kappa Co", website="https://kappa.example")
    prospect = add(officer, "Kappa Co", slug="membership", contact_email="x@kappa.example")
    pipeline.link(officer, prospect, organisation)
    commit()
    few = select_count(console, f"/admin/prospects/{prospect.id}")
    for _ in range(5):
        pipeline.move(officer, prospect, S.CONTACTED)
        pipeline.move(officer, prospect, S.MEETING)
    commit()
    assert select_count(console, f"/admin/prospects/{prospect.id}") == few


def test_an_interaction_with_a_prospect_joins_the_organisations_timeline_once_linked(app, ctx):
    """Nothing typed twice: a meeting logged with a prospect shows on its page, and on the
    organisation's timeline from the moment the prospect is linked (and leaves it when unlinked)."""
    from datetime import date

    import sqlalchemy as sa

    from portal.crm.models import Interaction, InteractionKind
    from portal.crm.services import pipeline, relations
    from portal.extensions import db

    from ..support.browser import Browser, text
    from ..support.factories import commit, make_organisation, make_staff

    staff = make_staff()
    prospect = pipeline.create_prospect(
        staff, pipeline.ProspectData(company="Vireo Logistics BV", country="NL")
    )
    organisation = make_organisation(legal_name="Vireo Logistics BV")
    commit()
    console = Browser(app)
    console.login_staff(staff)
    form = {
        "kind": "meeting",
        "occurred_on": date.today().isoformat(),
        "attendees": "Ada, Bo",
        "summary": "PILOT-SCOPE",
    }
    response = console.post(f"/admin/prospects/{prospect.id}/interactions", form)
    assert response.status_code == 302 and response.headers["Location"].endswith("#interactions")
    assert "PILOT-SCOPE" in text(console.get(f"/admin/prospects/{prospect.id}"))
    assert "PILOT-SCOPE" not in text(console.get(f"/admin/organisations/{organisation.id}"))
    assert (
        console.post(f"/admin/prospects/{prospect.id}/interactions", {**form, "summary": ""}).status_code
        == 400
    )

    pipeline.link(staff, prospect, organisation)
    commit()
    assert "PILOT-SCOPE" in text(console.get(f"/admin/organisations/{organisation.id}"))
    relations.log_interaction(
        staff,
        None,
        prospect=prospect,
        kind=InteractionKind.CALL,
        occurred_on=date.today(),
        summary="FOLLOW-UP-CALL",
    )
    commit()
    assert "FOLLOW-UP-CALL" in text(console.get(f"/admin/organisations/{organisation.id}"))
    pipeline.unlink(staff, prospect)
    commit()
    assert "PILOT-SCOPE" not in text(console.get(f"/admin/organisations/{organisation.id}"))
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Interaction.id)).where(Interaction.prospect_id == prospect.id)
        )
        == 2
    )
