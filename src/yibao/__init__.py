"""yibao: China's medical insurance reimbursement as executable, explainable policy data.

The public API is what `__all__` names (a test pins it): load policies, read a bill, settle it.
"""

from yibao.documents.bill import Bill, parse_bill, read_bill
from yibao.documents.settlement import Settlement
from yibao.errors import ConflictError, InputError, NotFoundError, PolicyError, Problem, YibaoError
from yibao.money import Fen, apply_ratio, format_yuan, parse_yuan
from yibao.policy.lookup import PolicySet
from yibao.settle import settle_bill

__all__ = [
    "Bill",
    "ConflictError",
    "Fen",
    "InputError",
    "NotFoundError",
    "PolicyError",
    "PolicySet",
    "Problem",
    "Settlement",
    "YibaoError",
    "apply_ratio",
    "format_yuan",
    "parse_bill",
    "parse_yuan",
    "read_bill",
    "settle_bill",
]
