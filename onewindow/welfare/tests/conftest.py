"""Fixtures of the welfare tests. The register and the money's live in `money_fixtures.py`."""

from onewindow.welfare.tests.money_fixtures import ft_officer, households, may_2026, mzj, standards  # noqa: F401
