"""Time to generate the 4-page partnership agreement, next to a bare WeasyPrint render of the same HTML.

    .venv/bin/python benchmarks/pdf.py [rounds]     # default 30 rounds

"Generate" is the whole path a staff approval takes for the document: the sandboxed template body
rendered against the parameter snapshot, the layout template, WeasyPrint with the locked URL
fetcher, and the SHA-256 of the bytes (`rendering.render_document` + `pdf.sha256`). "Bare" is
`weasyprint.HTML(string=same_html, base_url=static/pdf).write_pdf()` with WeasyPrint's default
fetcher. Both run alternately in the same process after one warm-up each (fonts loaded), so the
ratio compares like with like. Results are recorded in docs/benchmarks.md. Needs no database.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import HTML  # noqa: E402

from portal import create_app  # noqa: E402
from portal.agreements import rendering  # noqa: E402
from portal.agreements.models import AgreementKind  # noqa: E402
from portal.agreements.templates import shipped_text  # noqa: E402
from portal.core import pdf  # noqa: E402


def main(rounds: int) -> None:
    app = create_app("testing", {"DATABASE_URL": "sqlite://"})
    body = shipped_text(AgreementKind.PARTNERSHIP)
    params = rendering.sample_params()
    params["agreement"]["title"] = "Partnership Agreement: Partner tier"
    info = {
        "title": "Partnership agreement",
        "version": 1,
        "language": "en",
        "effective_on": "1 January 2027",
    }
    with app.test_request_context():
        html = render_template(
            "pdf/agreement.html",
            body=rendering.render_body(body, params),
            p=params,
            template=info,
            signatures=[],
            certificate=None,
            watermark="",
        )

        def generate() -> bytes:
            data = rendering.render_document(body, params, info)
            pdf.sha256(data)
            return data

        def bare() -> bytes:
            return HTML(string=html, base_url=pdf.ASSETS.as_uri() + "/").write_pdf()

        sample = generate()
        pages = len(PdfReader(io.BytesIO(sample)).pages)
        bare()
        ours, theirs = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            generate()
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            bare()
            theirs.append(time.perf_counter() - start)

    def ms(values: list[float]) -> str:
        p90 = sorted(values)[int(len(values) * 0.9)]
        return f"median {statistics.median(values) * 1000:6.1f} ms, p90 {p90 * 1000:6.1f} ms"

    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"partnership agreement: {pages} pages, {len(sample):,} bytes, {rounds} rounds")
    print(f"  generate (Liaison): {ms(ours)}")
    print(f"  bare WeasyPrint   : {ms(theirs)}")
    print(f"  ratio             : {ratio:.2f}x (target <= 1.3x; median target < 400 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
