"""Fixtures of the welfare tests. The register and the money's live in `money_fixtures.py`, the
审核确认 process's in `process_fixtures.py`."""

from onewindow.welfare.tests.isolation_fixtures import (  # noqa: F401 - the isolation matrix's (test_isolation.py)
    a_users,
    b_rows,
    county_b,
    isolation_clock,
    more_a_users,
)
from onewindow.welfare.tests.money_fixtures import ft_officer, households, may_2026, mzj, standards  # noqa: F401
from onewindow.welfare.tests.process_fixtures import (  # noqa: F401
    admin,
    agent,
    dibao,
    frozen,
    ft_resident,
    mandate,
    officer,
    point,
    resident,
    welfare_calendar,
    zx_leader,
)
