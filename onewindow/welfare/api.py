"""The welfare API (/api/v1/welfare/): the 审核确认 process under /process/."""

from __future__ import annotations

from ninja import Router

from .process.api import router as process_router

router = Router()
router.add_router("/process", process_router)
