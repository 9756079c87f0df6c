"""Membership use cases, by use case: tiers, the access rule, applications, invoices and payments,
activation. Services take plain arguments, flush, and never commit; the caller commits once per use
case. Callers use this package's names (`membership.approve_application`); the modules say where
each lives.
"""

from .access import access_conditions, agreement_in_force, has_partner_access, membership_of, seat_limit
from .activation import activate_when_ready, announce_awaiting_signature, partnership_executed
from .applications import (
    ApplicationData,
    approve_application,
    edit_application,
    latest_application,
    open_application,
    registered_address,
    reject_application,
    request_more_information,
    resubmit_application,
    submit_application,
    summary,
    withdraw_application,
)
from .approval import (
    DeniedPartyData,
    RuleData,
    add_denied_party,
    approval_rules,
    approve_automatically,
    denied_match,
    denied_parties,
    name_key,
    remove_denied_party,
    revoke_automatic_approval,
    save_rule,
    unmet_conditions,
)
from .bank import assign_line, dismiss_line, find_invoice, import_statement, unmatched_bank_lines_count
from .invoices import invoice_context, invoices_of, issue_invoice, next_invoice_number, record_payment
from .progress import journey
from .tiers import SLUG, active_tiers, all_tiers, save_tier

__all__ = [
    "SLUG",
    "ApplicationData",
    "DeniedPartyData",
    "RuleData",
    "access_conditions",
    "activate_when_ready",
    "active_tiers",
    "add_denied_party",
    "agreement_in_force",
    "all_tiers",
    "announce_awaiting_signature",
    "approval_rules",
    "approve_application",
    "approve_automatically",
    "assign_line",
    "denied_match",
    "denied_parties",
    "dismiss_line",
    "edit_application",
    "find_invoice",
    "has_partner_access",
    "import_statement",
    "invoice_context",
    "invoices_of",
    "issue_invoice",
    "journey",
    "latest_application",
    "membership_of",
    "name_key",
    "next_invoice_number",
    "open_application",
    "partnership_executed",
    "record_payment",
    "registered_address",
    "reject_application",
    "remove_denied_party",
    "request_more_information",
    "resubmit_application",
    "revoke_automatic_approval",
    "save_rule",
    "save_tier",
    "seat_limit",
    "submit_application",
    "summary",
    "unmatched_bank_lines_count",
    "unmet_conditions",
    "withdraw_application",
]
