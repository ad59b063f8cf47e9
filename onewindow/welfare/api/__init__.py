"""The welfare API (/api/v1/welfare/): the 审核确认 process under /process/, the register
(`register`), the money (`payments`) and the bank's return files (`bankreturn`) at the top."""

from __future__ import annotations

from ninja import Router

from ..process.api import router as process_router
from . import payments, register  # noqa: F401 - their operations register on the money router
from .bankreturn import router as bank_return_router
from .money_common import router as money_router

router = Router()
router.add_router("/process", process_router)
router.add_router("", money_router)
router.add_router("", bank_return_router)
