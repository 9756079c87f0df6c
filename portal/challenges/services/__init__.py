"""Challenge use cases, by module: `workflow` (the form, drafts, submission, the transition table,
the tier limit), `access` (who sees what), `conversation`, `researchers` (accounts, shares, open
calls, answers), `proposals` (matching, proposals, leads and agreements), `attachments`. Services
take explicit arguments, flush, never commit."""

from .access import (
    OpenCall,
    answer_of,
    answers_by_challenge,
    for_researcher,
    open_calls,
    partner_may_use,
    researcher_of,
    shared_with,
)
from .attachments import add_attachment, discard, remove_attachment
from .conversation import post_message
from .proposals import answer_proposal, matches_for, propose, withdraw_proposal
from .researchers import (
    answer,
    invite_researcher,
    researchers_for_console,
    set_confidentiality,
    share,
    unshare,
)
from .workflow import (
    TRANSITIONS,
    ChallengeData,
    allowed_targets,
    build_teaser,
    check_open_limit,
    create_draft,
    open_count,
    recent_of,
    submit,
    transition,
    update_draft,
    waits_too_long,
    withdraw,
    working_days_since,
)

__all__ = [
    "TRANSITIONS",
    "ChallengeData",
    "OpenCall",
    "add_attachment",
    "allowed_targets",
    "answer",
    "answer_of",
    "answer_proposal",
    "answers_by_challenge",
    "build_teaser",
    "check_open_limit",
    "create_draft",
    "discard",
    "for_researcher",
    "invite_researcher",
    "matches_for",
    "open_calls",
    "open_count",
    "partner_may_use",
    "post_message",
    "propose",
    "recent_of",
    "remove_attachment",
    "researcher_of",
    "researchers_for_console",
    "set_confidentiality",
    "share",
    "shared_with",
    "submit",
    "transition",
    "unshare",
    "update_draft",
    "waits_too_long",
    "withdraw",
    "withdraw_proposal",
    "working_days_since",
]
