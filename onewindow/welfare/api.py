"""/api/v1/welfare/: the register and the money (`api_money.py`)."""

from ninja import Router

from .api_money import router as money_router

router = Router()
router.add_router("", money_router)
