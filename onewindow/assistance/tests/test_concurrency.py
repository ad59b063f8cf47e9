"""Real concurrent connections: two agents of one point filing for the same resident and matter at
the same moment get one case (the partial unique constraint decides); concurrent collections at one
till keep its totals equal to its entries. Run on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from onewindow.assistance import services
from onewindow.assistance.models import AgentApplication, LedgerEntry, TillDay
from onewindow.cases.models import Case
from onewindow.core.errors import ApplicationError
from onewindow.core.testing import run_concurrently

from .test_applications import paper


@pytest.mark.django_db(transaction=True)
def test_two_agents_file_the_same_matter_at_once_one_case(
    mandate: Any, agent: Any, agent2: Any, resident: Any, matters: Any
) -> None:
    matter = matters["disability"]
    people = [agent, agent2]
    for round_ in range(3):  # a few rounds: a race lost by chance once would show up

        def file(i: int) -> Any:
            return services.agent_file_case(
                actor=people[i], resident=resident, matter=matter, form_data={}, materials=paper(matter)
            )

        results = run_concurrently(file, 2)
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 1, results
        assert isinstance(errors[0], ApplicationError) and errors[0].code == "already_filed", errors
        assert AgentApplication.objects.filter(closed_at__isnull=True).count() == 1
        assert Case.objects.count() == round_ + 1
        Case.objects.update(status=Case.Status.REFUSED)  # end it so the next round may file again


@pytest.mark.django_db(transaction=True)
def test_concurrent_collections_keep_the_till_balanced(mandate: Any, agent: Any, agent2: Any, resident: Any, points: Any) -> None:
    people = [agent, agent2, agent, agent2]

    def take(i: int) -> Any:
        return services.collect(
            actor=people[i],
            point=points["ZXSQ"],
            resident=resident,
            kind="medical",
            method="cash" if i % 2 else "transfer",
            amount=f"{380 + i}",
            period="2027",
        )

    results = run_concurrently(take, 4)
    assert not [r for r in results if isinstance(r, BaseException)], results
    till = TillDay.objects.get()
    assert services.till_replay(till) == {"cash_fen": till.cash_fen, "transfer_fen": till.transfer_fen, "entry_count": 4}
    assert till.cash_fen == 38100 + 38300 and till.transfer_fen == 38000 + 38200
    assert sorted(LedgerEntry.objects.values_list("number", flat=True)) == [f"DSZXZ-V0120260401{i:04d}" for i in range(1, 5)]
