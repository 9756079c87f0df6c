"""Agreement use cases, by use case: generation, the register (queries), the lifecycle staff drive,
signing and execution, and the executed documents.

Services flush and never commit; the caller commits once per use case. Rendering the executed
PDF is a separate step (`render_executed`) that callers run after committing the signature, so a
failed render never loses a signature; `render_pending` retries. Callers use this package's names
(`agreements.create_agreement`); the modules say where each lives.
"""

from .documents import (
    executed_document,
    readable_text,
    render_executed,
    render_executed_after_commit,
    render_pending,
)
from .generation import (
    REQUIRED_TERMS,
    Terms,
    add_months,
    build_params,
    create_agreement,
    next_agreement_number,
    partner_signatory,
    terms_of,
    update_draft,
)
from .lifecycle import end_agreement, issue, issue_partnership, prepare_replacement, void
from .queries import (
    agreement_for_page,
    agreements_of,
    awaiting_signature,
    check_partnership_slot,
    open_replacement,
    partnership_agreement_of,
    partnerships_in_play,
)
from .signing import (
    Evidence,
    can_sign,
    countersign,
    is_signatory_of,
    sign_as_partner,
    signing_statement,
    standing_statement,
)
from .standing import (
    countersign_under_standing,
    give_standing,
    revoke_standing,
    standing_countersignatures,
    standing_for,
)

__all__ = [
    "REQUIRED_TERMS",
    "Evidence",
    "Terms",
    "add_months",
    "agreement_for_page",
    "agreements_of",
    "awaiting_signature",
    "build_params",
    "can_sign",
    "check_partnership_slot",
    "countersign",
    "countersign_under_standing",
    "create_agreement",
    "end_agreement",
    "executed_document",
    "give_standing",
    "is_signatory_of",
    "issue",
    "issue_partnership",
    "next_agreement_number",
    "open_replacement",
    "partner_signatory",
    "partnership_agreement_of",
    "partnerships_in_play",
    "prepare_replacement",
    "readable_text",
    "render_executed",
    "render_executed_after_commit",
    "render_pending",
    "revoke_standing",
    "sign_as_partner",
    "signing_statement",
    "standing_countersignatures",
    "standing_for",
    "standing_statement",
    "terms_of",
    "update_draft",
    "void",
]
