"""The welfare API (/api/v1/welfare/): the 审核确认 process under /process/, the register and the
money (`api_money.py`) at the top."""

from __future__ import annotations

from ninja import Router

from .api_bankreturn import router as bank_return_router
from .api_money import router as money_router
from .process.api import router as process_router

router = Router()
router.add_router("/process", process_router)
router.add_router("", money_router)
router.add_router("", bank_return_router)
