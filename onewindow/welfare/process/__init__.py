"""低保 审核确认: the process of an application, on the cases engine (2021 national
最低生活保障审核确认办法, "the rules" below; article numbers as cited in docs/welfare.md).

- `application.py`: filing by the resident (online, phone), at the township window, or by the
  village agent under a mandate; the household file with it; acceptance.
- `check.py`: the household economic check (home visit, democratic appraisal, cross-check).
- `review.py`: the township's proposal (approve with the amount, or refuse with a written notice).
- `notice.py`: the 公示 in the village, objections, the end of a notice.
- `confirm.py`: confirmation, enrolment in payment, the certificate.
- `clock.py`: the extension of the 25-working-day promise by the township leader.
- `selectors.py`: who sees what (every read of a household file audited); `route.py`: the route.
"""
