"""The acts of verification and calibration, one function per act (Zulip's actions, Saleor's order actions).

Each takes a keyword-only ``actor``, runs in one transaction, locks the work order, checks who may do
it, writes one audit entry per changed record and notifies the owner after commit (in the app and by
e-mail through Django's mail backend).

The flow (JJF 1069-2012 6.3 and the 检定证书 forms of JJG 1002 / JJF 1071): request → accepted →
scheduled → measured → checked (核验) → approved (批准) → issued; declined or cancelled with a reason.
The technician, the checker and the approver are three different registered metrologists
(注册计量师制度暂行规定, 计量法实施细则 第二十四条), each qualified for the regulation on the day of
their act; standards used must hold a valid assessment certificate (计量标准考核办法) and a valid
calibration on the day of measurement (JJF 1033-2023 traceability).
"""

from django.core.exceptions import PermissionDenied, ValidationError

from .base import signer_of
from .certificates import issue_certificate, reissue_certificate, revoke_certificate
from .keys import create_signing_key, rewrap_signing_keys
from .standards import (
    import_dcc,
    record_standard_calibration,
    standard_problems,
    standard_unfit,
    standards_for,
)
from .work_orders import (
    accept,
    approve,
    cancel,
    check,
    decline,
    record_results,
    request_work,
    return_to_measurement,
    schedule,
)

__all__ = [
    "PermissionDenied", "ValidationError", "accept", "approve", "cancel", "check", "create_signing_key",
    "decline", "import_dcc", "issue_certificate", "record_results", "record_standard_calibration",
    "reissue_certificate", "request_work", "return_to_measurement", "revoke_certificate", "rewrap_signing_keys",
    "schedule", "signer_of", "standard_problems", "standard_unfit", "standards_for"
]
