"""The rules are data; deadlines count working days across weekends and Tết."""

import datetime as dt

from htxso.registration import rules


def test_authority_and_deadline_are_data_per_kind():
    data = rules.load()
    assert data.for_kind("cooperative_union").authority == "province"
    assert {
        data.for_kind(k).authority
        for k in ("cooperative", "cooperative_group", "household_business")
    } == {"commune"}
    assert all(rule.deadline_working_days == 3 for rule in data.kinds.values())
    assert data.for_kind("cooperative").document("charter").required


def test_weekends_do_not_count():
    friday = dt.date(2026, 3, 6)
    assert rules.add_working_days(friday, 3) == dt.date(2026, 3, 11)  # Mon, Tue, Wed


def test_tet_2026_does_not_count():
    # Thursday 12/2/2026: Fri 13 counts, then the weekend and Tết (16–20/2), the weekend.
    assert rules.add_working_days(dt.date(2026, 2, 12), 3) == dt.date(2026, 2, 24)
    assert rules.working_days_between(dt.date(2026, 2, 13), dt.date(2026, 2, 23)) == 1


def test_tet_2027_and_the_national_day():
    assert rules.add_working_days(dt.date(2027, 2, 3), 1) == dt.date(2027, 2, 11)
    assert rules.add_working_days(dt.date(2026, 8, 31), 1) == dt.date(2026, 9, 3)


def test_a_case_received_on_a_holiday_counts_from_the_next_working_day():
    assert rules.add_working_days(dt.date(2026, 1, 1), 3) == dt.date(2026, 1, 6)
