"""Console pages of the catalog: technologies (list, form, status actions, previews, statistics,
files, CSV import and export), the researcher directory, and domains (admins)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...catalog import services as catalog
from ...catalog.models import (
    Domain,
    FileKind,
    IpStatus,
    Researcher,
    Technology,
    TechnologyFile,
    TechnologyStatus,
)
from ...catalog.services import csv_io, directory, files
from ...core.errors import DomainError
from ...core.forms import apply_domain_error, bounded_int
from ...core.storage import StorageError, StorageKeyError, check_key, get_storage
from ...extensions import db
from .. import PER_PAGE, admin_only, bp, page_number, queries, sorting_of
from ..export import csv_export
from ..forms import (
    ConfirmImportForm,
    DomainForm,
    FileForm,
    ImportForm,
    RemoveFileForm,
    ResearcherForm,
    StatusForm,
    TechnologyForm,
    lines,
)
from ..paging import paginate

# The actions on a listing's page: (target status, button label, style), by current status.
ACTIONS: dict[TechnologyStatus, list[tuple[TechnologyStatus, str, str]]] = {
    TechnologyStatus.DRAFT: [
        (TechnologyStatus.PUBLISHED, "Publish", "primary"),
        (TechnologyStatus.ARCHIVED, "Archive", "outline-secondary"),
    ],
    TechnologyStatus.PUBLISHED: [
        (TechnologyStatus.UNDER_OPTION, "Put under option", "outline-primary"),
        (TechnologyStatus.LICENSED, "Mark licensed", "outline-primary"),
        (TechnologyStatus.ARCHIVED, "Archive", "outline-secondary"),
        (TechnologyStatus.DRAFT, "Back to draft", "outline-secondary"),
    ],
    TechnologyStatus.UNDER_OPTION: [
        (TechnologyStatus.PUBLISHED, "Available again", "outline-primary"),
        (TechnologyStatus.LICENSED, "Mark licensed", "outline-primary"),
        (TechnologyStatus.ARCHIVED, "Archive", "outline-secondary"),
        (TechnologyStatus.DRAFT, "Back to draft", "outline-secondary"),
    ],
    TechnologyStatus.LICENSED: [
        (TechnologyStatus.PUBLISHED, "Available again", "outline-primary"),
        (TechnologyStatus.ARCHIVED, "Archive", "outline-secondary"),
        (TechnologyStatus.DRAFT, "Back to draft", "outline-secondary"),
    ],
    TechnologyStatus.ARCHIVED: [
        (TechnologyStatus.DRAFT, "Back to draft", "outline-secondary"),
        (TechnologyStatus.PUBLISHED, "Publish again", "outline-primary"),
    ],
}
DONE = {
    TechnologyStatus.PUBLISHED: "is published",
    TechnologyStatus.UNDER_OPTION: "is under option",
    TechnologyStatus.LICENSED: "is marked licensed",
    TechnologyStatus.ARCHIVED: "is archived",
    TechnologyStatus.DRAFT: "is back to draft",
}


# --- technologies: the list and its export ---------------------------------------------------


def technology_filters() -> queries.TechnologyFilters:
    return queries.TechnologyFilters(
        status=request.args.get("status", "")[:40],
        domain=request.args.get("domain", "")[:12],
        q=request.args.get("q", "").strip()[:100],
    )


@bp.route("/technologies")
def technologies():
    filters, sorting = technology_filters(), sorting_of(queries.TECHNOLOGY_SORT)
    page = paginate(queries.technologies_query(filters, sorting), page_number(), PER_PAGE)
    return render_template(
        "admin/catalog/technologies.html",
        page=page,
        sorting=sorting,
        filters=filters,
        statuses=list(TechnologyStatus),
        domains=queries.all_domains(),
    )


@bp.route("/technologies.csv")
def technologies_export():
    filters, sorting = technology_filters(), sorting_of(queries.TECHNOLOGY_SORT)
    return csv_export(
        "technologies",
        queries.technologies_query(filters, sorting),
        list(csv_io.COLUMNS),
        lambda batch: (csv_io.row_of(t) for t in batch),
        asdict(filters),
        sorting.param,
    )


# --- one technology ----------------------------------------------------------------------------


def _load_technology(technology_id: int) -> Technology:
    return db.get_or_404(
        Technology,
        technology_id,
        options=[
            selectinload(Technology.domain),
            selectinload(Technology.inventors),
            selectinload(Technology.files),
        ],
    )


def technology_page(technology: Technology, *, status_form=None, file_form=None, remove_form=None, code=200):
    return render_template(
        "admin/catalog/technology.html",
        technology=technology,
        stats=queries.technology_stats(technology.id, date.today()),
        actions=ACTIONS[technology.status],
        status_form=status_form or StatusForm(formdata=None),
        file_form=file_form or FileForm(formdata=None),
        remove_form=remove_form or RemoveFileForm(formdata=None),
        FileKind=FileKind,
    ), code


@bp.route("/technologies/<int:technology_id>")
def technology_detail(technology_id: int):
    return technology_page(_load_technology(technology_id))


def _choices(form: TechnologyForm, technology: Technology | None) -> None:
    domains = queries.all_domains()
    current = technology.domain_id if technology else None
    form.domain_id.choices = {"": "No domain"} | {
        str(d.id): d.name if d.active else f"{d.name} (inactive)"
        for d in domains
        if d.active or d.id == current
    }
    form.inventors.choices = {
        r.id: f"{r.name} · {r.group}" if r.group else r.name for r in queries.all_researchers()
    }


def _technology_data(form: TechnologyForm) -> catalog.TechnologyData:
    domain = bounded_int(form.domain_id.data, minimum=1)
    return catalog.TechnologyData(
        title=form.title.data or "",
        benefit=form.benefit.data or "",
        problem=form.problem.data or "",
        solution=form.solution.data or "",
        advantages=lines(form.advantages.data),
        applications=lines(form.applications.data),
        keywords=lines(form.keywords.data),
        domain_id=domain,
        trl=int(form.trl.data) if str(form.trl.data or "").isdigit() else 0,
        ip_status=IpStatus(form.ip_status.data),
        patent_numbers=lines(form.patent_numbers.data),
        licensing_options=list(form.licensing_options.data or []),
        lab=form.lab.data or "",
        dossier_summary=form.dossier_summary.data or "",
        inventor_ids=list(form.inventors.data or []),
        first_look_days=form.first_look_days.data,
    )


def _check_domain(form: TechnologyForm) -> bool:
    value = form.domain_id.data or ""
    if value and value not in form.domain_id.choices:
        form.domain_id.errors = [*form.domain_id.errors, "Choose a domain from the list."]
        return False
    return True


@bp.route("/technologies/new", methods=["GET", "POST"])
@bp.route("/technologies/<int:technology_id>/edit", methods=["GET", "POST"])
def technology_form(technology_id: int | None = None):
    technology = _load_technology(technology_id) if technology_id else None
    form = TechnologyForm(obj=technology) if technology else TechnologyForm()
    _choices(form, technology)
    if technology and request.method == "GET":
        form.domain_id.data = str(technology.domain_id or "")
        form.trl.data = str(technology.trl)
        form.ip_status.data = technology.ip_status.value
        for name in ("advantages", "applications", "keywords", "patent_numbers"):
            getattr(form, name).data = "\n".join(getattr(technology, name))
        form.licensing_options.data = list(technology.licensing_options)
        form.inventors.data = [r.id for r in technology.inventors]
        form.first_look_days.data = None
    if form.validate_on_submit() and _check_domain(form):
        data = _technology_data(form)
        try:
            if technology is None:
                technology = catalog.create_technology(data, actor=current_user)
                message = f"Draft {technology.reference} created."
            else:
                changed = catalog.update_technology(technology, data, actor=current_user)
                message = f"{technology.reference} saved." if changed else "Nothing changed."
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("admin.technology_detail", technology_id=technology.id))
    code = 400 if request.method == "POST" else 200
    return render_template("admin/catalog/technology_form.html", form=form, technology=technology), code


@bp.route("/technologies/<int:technology_id>/status", methods=["POST"])
def technology_status(technology_id: int):
    technology = _load_technology(technology_id)
    form = StatusForm()
    allowed = {target.value: target for target, _label, _style in ACTIONS[technology.status]}
    if not form.validate_on_submit() or form.status.data not in allowed:
        if not form.errors:
            form.status.errors = ["That action is not possible for this listing now."]
        form.form_errors.append("Choose an action from the listing's page.")
        return technology_page(technology, status_form=form, code=400)
    target = allowed[form.status.data]
    try:
        catalog.set_status(
            technology, target, actor=current_user, first_look_days=form.first_look_days.data or None
        )
    except DomainError as exc:
        db.session.rollback()
        flash(f"{technology.reference} was not changed: {exc.message}", "danger")
    else:
        db.session.commit()
        flash(f"{technology.reference} {DONE[target]}.", "success")
    return redirect(url_for("admin.technology_detail", technology_id=technology_id))


PREVIEWS = {
    "visitor": (catalog.VISITOR, catalog.Level.TEASER, "a visitor"),
    "partner": (
        catalog.Viewer(
            level=catalog.Level.PARTNER_DETAIL, first_look=True, tier_level=catalog.Level.PARTNER_DETAIL
        ),
        catalog.Level.PARTNER_DETAIL,
        "a partner with partner detail access",
    ),
    "dossier": (
        catalog.Viewer(level=catalog.Level.DOSSIER, first_look=True, tier_level=catalog.Level.DOSSIER),
        catalog.Level.DOSSIER,
        "a partner who accepted the NDA",
    ),
}


@bp.route("/technologies/<int:technology_id>/preview")
def technology_preview(technology_id: int):
    """The public page of the listing, rendered at a chosen ladder level (whatever its status)."""
    technology = _load_technology(technology_id)
    key = request.args.get("as", "visitor")
    key = key if key in PREVIEWS else "visitor"
    viewer, level, who = PREVIEWS[key]
    return render_template(
        "admin/catalog/preview.html",
        technology=technology,
        level=level,
        Level=catalog.Level,
        viewer=viewer,
        detail_tiers=catalog.tiers_offering(catalog.Level.PARTNER_DETAIL)
        if level < catalog.Level.PARTNER_DETAIL
        else [],
        preview_key=key,
        preview_who=who,
        preview_back=url_for("admin.technology_detail", technology_id=technology.id),
    )


# --- files ---------------------------------------------------------------------------------------


@bp.route("/technologies/<int:technology_id>/files", methods=["POST"])
def technology_file_add(technology_id: int):
    technology = _load_technology(technology_id)
    form = FileForm()
    if form.validate_on_submit():
        upload = form.file.data
        kind = FileKind(form.kind.data)
        try:
            if not getattr(upload, "filename", ""):
                raise DomainError("Choose a file to upload.", "file")
            data = files.read_upload(upload.stream, kind)
            record = files.add_file(technology, kind, upload.filename, data, actor=current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
            technology = _load_technology(technology_id)
        else:
            flash(f"{record.filename} added.", "success")
            return redirect(url_for("admin.technology_detail", technology_id=technology_id) + "#files")
    return technology_page(technology, file_form=form, code=400)


@bp.route("/technologies/<int:technology_id>/files/remove", methods=["POST"])
def technology_file_remove(technology_id: int):
    technology = _load_technology(technology_id)
    form = RemoveFileForm()
    record = None
    if form.validate_on_submit():
        record = next((f for f in technology.files if str(f.id) == form.file_id.data), None)
    if record is None:
        form.form_errors.append("Choose the file to remove from the list of files.")
        return technology_page(technology, remove_form=form, code=400)
    name = record.filename
    files.remove_file(record, actor=current_user)
    db.session.commit()
    flash(f"{name} removed.", "success")
    return redirect(url_for("admin.technology_detail", technology_id=technology_id) + "#files")


@bp.route("/technologies/<int:technology_id>/files/<int:file_id>")
def technology_file_download(technology_id: int, file_id: int):
    record = db.session.get(TechnologyFile, file_id)
    if record is None or record.technology_id != technology_id:
        abort(404)
    try:
        data = files.read_file(record)
    except StorageError:
        abort(404)
    response = Response(data, mimetype=record.content_type)
    response.headers["Content-Disposition"] = files.content_disposition(record.filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- CSV import ----------------------------------------------------------------------------------


def _import_page(form=None, plan=None, confirm=None, filename="", code=200):
    return render_template(
        "admin/catalog/import.html",
        form=form or ImportForm(formdata=None),
        plan=plan,
        confirm=confirm,
        filename=filename,
        columns=csv_io.COLUMNS,
    ), code


@bp.route("/technologies/import", methods=["GET", "POST"])
def technologies_import():
    """Upload: check every row and show what would change (a dry run); nothing is written yet.
    The file waits in storage under a random key until it is confirmed."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, code=400 if request.method == "POST" else 200)
    upload = form.file.data
    data = upload.stream.read(csv_io.MAX_BYTES + 1)
    plan = csv_io.read_csv(data)
    db.session.rollback()  # reading wrote nothing; keep it that way
    if not plan.ok:
        return _import_page(form, plan, filename=upload.filename or "", code=400)
    if not (plan.count("create") or plan.count("update")):
        return _import_page(form, plan, filename=upload.filename or "")  # nothing to confirm
    key = get_storage().save(data, suffix=".csv", max_size=csv_io.MAX_BYTES)
    confirm = ConfirmImportForm(formdata=None, upload=key, sha256=hashlib.sha256(data).hexdigest())
    return _import_page(form, plan, confirm, filename=upload.filename or "")


@bp.route("/technologies/import/confirm", methods=["POST"])
def technologies_import_confirm():
    form = ConfirmImportForm()
    storage = get_storage()
    data = None
    if form.validate_on_submit():
        try:
            data = storage.read(check_key(form.upload.data))
        except (StorageKeyError, StorageError):
            data = None
    if data is None or hashlib.sha256(data).hexdigest() != (form.sha256.data or ""):
        flash("That import is no longer waiting: upload the file again.", "danger")
        return _import_page(ImportForm(formdata=None), code=400)
    plan = csv_io.read_csv(data)
    if not plan.ok:
        return _import_page(ImportForm(formdata=None), plan, code=400)
    try:
        counts = csv_io.apply(plan, actor=current_user, filename="console upload")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(f"Nothing was imported: {exc.message}", "danger")
        return _import_page(ImportForm(formdata=None), code=400)
    storage.delete(form.upload.data)
    flash(
        f"Import done: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged"
        + (
            f", {counts['researchers']} researcher(s) added to the directory."
            if counts["researchers"]
            else "."
        ),
        "success",
    )
    return redirect(url_for("admin.technologies"))


# --- researchers -------------------------------------------------------------------------------


@bp.route("/researchers")
def researchers():
    q, sorting = request.args.get("q", "").strip()[:100], sorting_of(queries.RESEARCHER_SORT)
    page = paginate(queries.researchers_query(q, sorting), page_number(), PER_PAGE)
    counts = queries.inventor_counts([r.id for r in page.items])
    return render_template("admin/catalog/researchers.html", page=page, sorting=sorting, q=q, counts=counts)


def _researcher_data(form: ResearcherForm) -> directory.ResearcherData:
    return directory.ResearcherData(
        name=form.name.data or "",
        email=form.email.data or "",
        group=form.group.data or "",
        role=form.role.data or "",
        expertise=lines(form.expertise.data),
        profile=form.profile.data or "",
        public=bool(form.public.data),
    )


@bp.route("/researchers/new", methods=["GET", "POST"])
@bp.route("/researchers/<int:researcher_id>", methods=["GET", "POST"])
def researcher_form(researcher_id: int | None = None):
    researcher = db.get_or_404(Researcher, researcher_id) if researcher_id else None
    form = ResearcherForm(obj=researcher) if researcher else ResearcherForm()
    if researcher and request.method == "GET":
        form.expertise.data = "\n".join(researcher.expertise or [])
    if form.validate_on_submit():
        try:
            if researcher is None:
                researcher = directory.create_researcher(current_user, _researcher_data(form))
            else:
                directory.update_researcher(current_user, researcher, _researcher_data(form))
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"{researcher.name} saved.", "success")
            return redirect(url_for("admin.researchers"))
    return _researcher_page(form, researcher, 400 if request.method == "POST" else 200)


def _researcher_page(form, researcher, code=200, error=None):
    listings = directory.listings_of(researcher.id) if researcher else []
    return render_template(
        "admin/catalog/researcher_form.html", form=form, researcher=researcher, listings=listings, error=error
    ), code


@bp.route("/researchers/<int:researcher_id>/delete", methods=["POST"])
def researcher_delete(researcher_id: int):
    researcher = db.get_or_404(Researcher, researcher_id)
    name = researcher.name
    try:
        directory.delete_researcher(current_user, researcher)
    except DomainError as exc:
        db.session.rollback()
        researcher = db.get_or_404(Researcher, researcher_id)
        return _researcher_page(ResearcherForm(obj=researcher, formdata=None), researcher, 400, exc.message)
    db.session.commit()
    flash(f"{name} removed from the directory.", "success")
    return redirect(url_for("admin.researchers"))


# --- domains (admins) ----------------------------------------------------------------------------


@bp.route("/domains")
def domains():
    return render_template(
        "admin/catalog/domains.html", domains=queries.all_domains(), usage=queries.domain_usage()
    )


@bp.route("/domains/new", methods=["GET", "POST"])
@bp.route("/domains/<int:domain_id>", methods=["GET", "POST"])
@admin_only
def domain_form(domain_id: int | None = None):
    domain = db.get_or_404(Domain, domain_id) if domain_id else None
    form = DomainForm(obj=domain) if domain else DomainForm()
    if domain and request.method == "GET":
        form.name_fr.data = (domain.translations or {}).get("fr", "")
        form.name_de.data = (domain.translations or {}).get("de", "")
    if form.validate_on_submit():
        data = directory.DomainData(
            name=form.name.data or "",
            slug=form.slug.data or "",
            translations={"fr": form.name_fr.data or "", "de": form.name_de.data or ""},
            display_order=form.display_order.data or 0,
            active=bool(form.active.data),
        )
        try:
            if domain is None:
                domain = directory.create_domain(current_user, data)
            else:
                directory.update_domain(current_user, domain, data)
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Domain “{domain.name}” saved.", "success")
            return redirect(url_for("admin.domains"))
    return _domain_page(form, domain, 400 if request.method == "POST" else 200)


def _domain_page(form, domain, code=200, error=None):
    return render_template("admin/catalog/domain_form.html", form=form, domain=domain, error=error), code


@bp.route("/domains/<int:domain_id>/delete", methods=["POST"])
@admin_only
def domain_delete(domain_id: int):
    domain = db.get_or_404(Domain, domain_id)
    name = domain.name
    try:
        directory.delete_domain(current_user, domain)
    except DomainError as exc:
        db.session.rollback()
        domain = db.get_or_404(Domain, domain_id)
        return _domain_page(DomainForm(obj=domain, formdata=None), domain, 400, exc.message)
    db.session.commit()
    flash(f"Domain “{name}” deleted.", "success")
    return redirect(url_for("admin.domains"))


# The dossier limit is above the app's MAX_CONTENT_LENGTH: this one upload may be larger (a 20 MB
# document and the form around it), so that a file just over 20 MB gets the form's message.
UPLOAD_ENDPOINTS = {"admin.technology_file_add": files.DOSSIER_MAX + 1024 * 1024}


def _upload_limit() -> None:
    limit = UPLOAD_ENDPOINTS.get(request.endpoint or "")
    if limit:
        request.max_content_length = limit


@bp.record_once
def _register_upload_limit(state) -> None:
    # Before every other hook (CSRF reads the form, and with it the body).
    state.app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)
