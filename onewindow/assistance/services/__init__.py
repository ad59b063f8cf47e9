"""Every write of the agent service. Split by theme; import from here."""

from .applications import agent_book, agent_file_case, agent_record_welfare, close_ended_applications
from .filing import agent_file_filing
from .followthrough import follow_up_record, forwarding_receive, forwarding_send, result_deliver, sweep_forwarding
from .ledger import batch_hand_over, batch_prepare, collect, reverse, till_close, till_replay, yuan
from .mandates import (
    mandate_by_uuid,
    mandate_check,
    mandate_confirm,
    mandate_countersign,
    mandate_in_force,
    mandate_record,
    mandate_revoke,
    mandate_text,
    resident_find_or_register,
)

__all__ = [
    "agent_book",
    "agent_file_case",
    "agent_file_filing",
    "agent_record_welfare",
    "batch_hand_over",
    "batch_prepare",
    "close_ended_applications",
    "collect",
    "follow_up_record",
    "forwarding_receive",
    "forwarding_send",
    "mandate_by_uuid",
    "mandate_check",
    "mandate_confirm",
    "mandate_countersign",
    "mandate_in_force",
    "mandate_record",
    "mandate_revoke",
    "mandate_text",
    "resident_find_or_register",
    "result_deliver",
    "reverse",
    "sweep_forwarding",
    "till_close",
    "till_replay",
    "yuan",
]
