"""Issue 11, point 9: technologies in and out as CSV, on the console and the command line."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.catalog import services as catalog
from portal.catalog.models import Domain, IpStatus, Researcher, Technology, TechnologyStatus
from portal.catalog.services import csv_io
from portal.core.errors import DomainError
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import Browser, location, text
from ..support.factories import commit

HEADER = ",".join(csv_io.COLUMNS)


def csv_bytes(*rows: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join([HEADER, *rows]) + "\n").encode()


ROW_A = (
    'LX-001,Self-healing mesh radio,Keeps links up when nodes fail.,"Meshes break.","Reroutes, fast.",'
    "Fewer outages;Lower cost,Mining;Ports,CYBERSECURITY,mesh;radio,6,patent_application,EP123;EP456,"
    "Dr Ana Mesh;Dr Bo Link,Radio Lab,exclusive;field_of_use,"
)
ROW_B = "LX-002,Quiet bearing,Runs silent.,,,,,,,3,know_how,,,,,draft"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_count(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))


def import_file(data: bytes, actor=None) -> dict:
    plan = csv_io.read_csv(data)
    assert plan.ok, [str(e) for e in plan.errors]
    counts = csv_io.apply(plan, actor=actor)
    commit()
    return counts


def test_an_import_creates_listings_inventors_and_resolves_domains(ctx):
    domain = db.session.scalar(sa.select(Domain).where(sa.func.lower(Domain.name) == "cybersecurity"))
    assert domain is not None  # one of the seeded domains, named in capitals in the file
    counts = import_file(csv_bytes(ROW_A, ROW_B))
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "researchers": 2}
    mesh = db.session.scalar(sa.select(Technology).where(Technology.reference == "LX-001"))
    assert mesh.domain_id == domain.id and mesh.trl == 6 and mesh.ip_status is IpStatus.PATENT_APPLICATION
    assert mesh.advantages == ["Fewer outages", "Lower cost"] and mesh.patent_numbers == ["EP123", "EP456"]
    assert mesh.licensing_options == ["exclusive", "field_of_use"]
    assert mesh.status is TechnologyStatus.PUBLISHED and mesh.published_at is not None  # the default
    assert [r.name for r in mesh.inventors] == ["Dr Ana Mesh", "Dr Bo Link"]
    assert {r.group for r in mesh.inventors} == {"Radio Lab"}
    quiet = db.session.scalar(sa.select(Technology).where(Technology.reference == "LX-002"))
    assert quiet.status is TechnologyStatus.DRAFT and quiet.domain_id is None
    assert audit_count("technology.imported") == 1


def test_re_importing_updates_and_the_same_file_twice_changes_nothing(ctx):
    import_file(csv_bytes(ROW_A, ROW_B))
    changed = csv_bytes(ROW_A.replace("Self-healing mesh radio", "Self-healing mesh radio v2"), ROW_B)
    plan = csv_io.read_csv(changed)
    assert [(r.reference, r.action, r.changes) for r in plan.rows] == [
        ("LX-001", "update", ["title"]),
        ("LX-002", "unchanged", []),
    ]
    assert import_file(changed) == {"created": 0, "updated": 1, "unchanged": 1, "researchers": 0}
    assert db.session.scalar(sa.select(Technology.title).where(Technology.reference == "LX-001")).endswith(
        "v2"
    )
    before = (count(Technology), count(Researcher), count(AuditEvent) + 1)  # + the import's own entry
    stamps = db.session.execute(sa.select(Technology.id, Technology.updated_at).order_by(Technology.id)).all()
    assert import_file(changed) == {"created": 0, "updated": 0, "unchanged": 2, "researchers": 0}
    assert (count(Technology), count(Researcher), count(AuditEvent)) == before
    db.session.expire_all()
    assert (
        db.session.execute(sa.select(Technology.id, Technology.updated_at).order_by(Technology.id)).all()
        == stamps
    )


def test_row_errors_name_the_row_and_column_and_nothing_is_imported(ctx):
    before = (count(Technology), count(Researcher))
    data = csv_bytes(
        ROW_A,
        "LX-003,Bad TRL,Works.,,,,,,,12,know_how,,,,,",
        "LX-004,Lost domain,Works.,,,,,Atlantis,,2,know_how,,,,,",
        "LX-005,,No title.,,,,,,,2,nonsense,,,,weekly,",
        "LX-001,Twice,Again.,,,,,,,2,know_how,,,,,",
    )
    plan = csv_io.read_csv(data)
    messages = [str(e) for e in plan.errors]
    assert "Row 3, column trl: The TRL is a number from 1 to 9." in messages
    assert "Row 4, column domain: No domain is named Atlantis." in messages
    assert any(m.startswith("Row 5, column title:") for m in messages)
    assert any(m.startswith("Row 5, column ip_status:") for m in messages)
    assert any(m.startswith("Row 5, column licensing_options:") and "weekly" in m for m in messages)
    assert any(m.startswith("Row 6, column reference:") and "row 2" in m for m in messages)
    with pytest.raises(DomainError, match="nothing was imported"):
        csv_io.apply(plan, actor=None)
    db.session.rollback()
    assert (count(Technology), count(Researcher)) == before  # the valid row 2 is not imported either


def test_a_header_without_the_required_columns_or_with_unknown_ones_is_refused(ctx):
    assert "header row needs" in str(csv_io.read_csv(b"name,price\nx,1\n").errors[0])
    assert "Unknown columns: price" in str(csv_io.read_csv((HEADER + ",price\n").encode()).errors[0])
    assert "not UTF-8" in str(csv_io.read_csv(HEADER.encode() + b"\n\xff\xfe,x\n").errors[0])


def test_an_export_imports_back_unchanged_with_formulas_neutralised(ctx):
    researcher = Researcher(name="=Dr Formula", group="Lab; with semicolon")
    db.session.add(researcher)
    db.session.flush()
    catalog.create_technology(
        catalog.TechnologyData(
            title='=HYPERLINK("http://evil")',
            benefit="+10% yield; fewer steps",
            problem="Line one\nLine two, with comma",
            advantages=["a;b", "back\\slash", "-minus"],
            keywords=["@home"],
            trl=7,
            ip_status=IpStatus.GRANTED_PATENT,
            licensing_options=["non_exclusive"],
            inventor_ids=[researcher.id],
            lab="Ünïcode lab",
        ),
        reference="RT-1",
        status=TechnologyStatus.UNDER_OPTION,
    )
    commit()
    out = io.StringIO()
    assert csv_io.write_csv(out) == count(Technology)
    exported = out.getvalue()
    assert exported.startswith("\ufeff" + HEADER)
    assert "'=HYPERLINK" in exported and "'+10% yield" in exported and "'=Dr Formula" in exported
    plan = csv_io.read_csv(exported.encode())
    assert plan.ok, [str(e) for e in plan.errors]
    assert {r.action for r in plan.rows} == {"unchanged"}
    row = next(r for r in plan.rows if r.reference == "RT-1")
    assert row.data.title == '=HYPERLINK("http://evil")' and row.data.advantages == [
        "a;b",
        "back\\slash",
        "-minus",
    ]


# --- the command line ----------------------------------------------------------------------------


def test_the_cli_imports_exits_non_zero_on_errors_and_exports(app, ctx, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(ROW_A, "LX-009,Bad,Works.,,,,,,,0,know_how,,,,,"))
    result = runner.invoke(args=["portal", "import-technologies", str(bad)])
    assert result.exit_code == 1
    assert "Row 3, column trl" in result.output and "nothing was imported" in result.output
    assert db.session.scalar(sa.select(Technology.id).where(Technology.reference == "LX-001")) is None
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ROW_A, ROW_B))
    dry = runner.invoke(args=["portal", "import-technologies", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "dry run: 2 to create" in dry.output
    assert db.session.scalar(sa.select(Technology.id).where(Technology.reference == "LX-001")) is None
    done = runner.invoke(args=["portal", "import-technologies", str(good)])
    assert done.exit_code == 0 and "2 created" in done.output
    again = runner.invoke(args=["portal", "import-technologies", str(good)])
    assert again.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in again.output
    target = tmp_path / "out.csv"
    exported = runner.invoke(args=["portal", "export-technologies", str(target)])
    assert exported.exit_code == 0
    plan = csv_io.read_csv(target.read_bytes())
    assert plan.ok and {r.action for r in plan.rows} == {"unchanged"}
    assert {"LX-001", "LX-002"} <= {r.reference for r in plan.rows}


# --- the console ---------------------------------------------------------------------------------


def post_file(browser: Browser, url: str, data: bytes, name: str = "listings.csv"):
    values = {"csrf_token": browser.csrf_token(), "file": FileStorage(io.BytesIO(data), filename=name)}
    boundary, body = encode_multipart(values)
    return browser.request("POST", url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_console_previews_then_imports_on_confirmation(app, storage, staff):
    browser = Browser(app)
    browser.login_staff(staff)
    preview = post_file(browser, "/admin/technologies/import", csv_bytes(ROW_A, ROW_B))
    assert preview.status_code == 200
    page = text(preview)
    assert "2 to create, 0 to update, 0 unchanged" in page and "Dr Ana Mesh" in page
    assert db.session.scalar(sa.select(Technology.id).where(Technology.reference == "LX-001")) is None
    upload = re.search(r'name="upload" type="hidden" value="([^"]+)"', page).group(1)
    sha = re.search(r'name="sha256" type="hidden" value="([^"]+)"', page).group(1)
    tampered = browser.post("/admin/technologies/import/confirm", {"upload": upload, "sha256": "0" * 64})
    assert tampered.status_code == 400 and "upload the file again" in text(tampered)
    done = browser.post("/admin/technologies/import/confirm", {"upload": upload, "sha256": sha})
    assert location(done) == "/admin/technologies"
    assert db.session.scalar(sa.select(Technology.id).where(Technology.reference == "LX-001")) is not None
    assert not storage.exists(upload)  # the waiting file is gone once imported
    errors = post_file(browser, "/admin/technologies/import", csv_bytes("LX-7,No TRL,Works.,,,,,,,x,,,,,,"))
    assert errors.status_code == 400 and "Row 2, column trl: The TRL is a number from 1 to 9." in text(errors)
    export = browser.get("/admin/technologies.csv?q=LX-")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    plan = csv_io.read_csv(export.data)
    assert plan.ok and sorted(r.reference for r in plan.rows) == ["LX-001", "LX-002"]
    assert {r.action for r in plan.rows} == {"unchanged"}
