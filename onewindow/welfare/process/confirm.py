"""审核确认: the township's confirmation after a notice without objection (2021 rules art. 22-23).

- Within 10 working days after the notice (the confirmation step's limit, counted from the notice's
  last day by the cases engine).
- Confirmation fixes the amount proposed and shown in the notice, creates the `Enrolment` and
  puts the household and its members in payment; the allowance starts the month after the
  confirmation (art. 23: 从作出确认同意决定之日下月起发放). The database refuses a person already paid
  in another household (Member's partial unique constraint) — mapped to `MemberInPayment`.
- Once: a second confirmation is `AlreadyConfirmed` (the stage, under the case row lock; and the
  Enrolment's one-to-one with the case).
- A 低保 certificate (PDF with a QR code, documents.py) whose number and code anyone can check on
  the public page.

The article numbers of the 2021 审核确认办法 cited here are unverified (see docs/welfare.md).
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.core.audit import audit
from onewindow.core.parsing import clean_text

from ..models import Application, Enrolment, Household, Member
from ..services import register
from . import access, route
from .check import lock_application
from .errors import AlreadyConfirmed, MemberInPayment, WrongStage

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def first_of_next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def confirm(*, application: Application, actor: User, comment: str = "") -> Enrolment:
    access.require_handles(actor, application.household)
    comment = clean_text(comment, 2000)
    with transaction.atomic():
        app = lock_application(application)
        if app.stage == Application.Stage.APPROVED:
            raise AlreadyConfirmed()
        if app.stage != Application.Stage.CONFIRMATION:
            raise WrongStage(app.get_stage_display())
        step = route.open_step(app.case, route.CONFIRM)
        if step is None:
            raise WrongStage(app.get_stage_display())
        today = timezone.localdate()
        case_services.step_approve(step=step, actor=actor, comment=comment or "审核确认同意")
        case = case_services.case_decide(case=app.case, actor=actor, approved=True, reason=comment)
        case = case_services.case_conclude(case=case, actor=actor)
        household = Household.objects.select_for_update().get(pk=app.household_id)
        try:
            with transaction.atomic():
                Member.objects.filter(household=household).update(in_payment=True)
        except IntegrityError:
            paid = (
                Member.objects.filter(id_number_hash__in=household.members.values("id_number_hash"), in_payment=True)
                .exclude(household=household)
                .values_list("name", flat=True)
                .first()
            )
            raise MemberInPayment(paid or "") from None
        enrolment = Enrolment.objects.create(
            household=household,
            case=case,
            confirmed_on=today,
            starts_month=first_of_next_month(today),
            people=app.proposed_people,
            monthly_amount_fen=app.proposed_amount_fen,
        )
        household.status = Household.Status.IN_PAYMENT
        household.monthly_amount_fen = app.proposed_amount_fen
        # Dynamic management starts with the enrolment: the first periodic review by the class.
        household.next_review_on = register.next_review(today, household.review_class)
        household.save(update_fields=["status", "monthly_amount_fen", "next_review_on", "updated_at"])
        register.record_enrolment(enrolment=enrolment, actor=actor)  # the register's first line (纳入保障)
        app.stage = Application.Stage.APPROVED
        app.confirmed_by = actor
        app.confirmed_at = timezone.now()
        app.certificate_number = f"DBZ{case.number[2:]}"
        app.certificate_code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        app.save()
        # The certificate is issued electronically (documents.certificate_pdf): the case is delivered.
        case_services.case_deliver(case=case, actor=actor, method=Case.Delivery.ELECTRONIC)
        audit(
            actor=actor,
            action="welfare.confirm",
            target=app,
            data={
                "household": household.number,
                "monthly_fen": enrolment.monthly_amount_fen,
                "people": enrolment.people,
                "starts_month": str(enrolment.starts_month),
            },
        )
    return enrolment
