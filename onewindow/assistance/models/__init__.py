"""Models of the agent service (帮你办): points, mandates (委托), applications filed for residents,
the forwarding of paper materials, results delivered at the point, follow-ups (回访), and the
ledger of fees collected for residents (代收代缴)."""

from .ledger import CollectionKind, HandoverBatch, LedgerEntry, PaymentMethod, TillDay
from .mandates import Mandate
from .points import AgentPoint
from .work import AgentApplication, FollowUp, MaterialForwarding, ResultDelivery

__all__ = [
    "AgentApplication",
    "AgentPoint",
    "CollectionKind",
    "FollowUp",
    "HandoverBatch",
    "LedgerEntry",
    "Mandate",
    "MaterialForwarding",
    "PaymentMethod",
    "ResultDelivery",
    "TillDay",
]
