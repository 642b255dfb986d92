"""People and memberships of a generated registry, streamed in chunks."""

import datetime as dt

from django.db import transaction

from htxso.core.bulk import next_id, write_rows
from htxso.core.cccd import FEMALE, MALE
from htxso.core.values import format_number as vn  # 2.812, not 2,812

from ..choices import MemberKind, OrganisationKind
from ..models import Membership, Person
from .base import (
    AS_OF,
    CHUNK_MEMBERSHIPS,
    MEMBERSHIP_COLUMNS,
    PERSON_COLUMNS,
    PERSON_MEMBERSHIP_KINDS,
    GeneratorBase,
    Org,
    Result,
    _date_between,
)


class PeopleRows(GeneratorBase):
    # -- people and memberships --------------------------------------------------------------
    def people_and_memberships(self, orgs: list[Org], result: Result) -> None:
        rng = self.rng
        person_id, membership_id = next_id(Person), next_id(Membership)
        reuse = 1 - self.scale.distinct_people_share
        people: list[tuple] = []
        memberships: list[tuple] = []
        province, province_first = None, person_id
        for org in orgs:
            if org.members == 0 or org.kind not in PERSON_MEMBERSHIP_KINDS:
                continue
            if org.province != province:
                province, province_first = org.province, person_id
                self.birth_dates = {}
            org_first, chosen, active = person_id, set(), 0
            legacy_codes = self.legacy_codes[org.province]
            communes = self.communes[org.province]
            for _ in range(org.members):
                if org_first > province_first and rng.random() < reuse:
                    member = rng.randrange(province_first, org_first)
                    if member in chosen:
                        member = person_id
                else:
                    member = person_id
                if member == person_id:
                    people.append(self._person_row(person_id, org, legacy_codes, communes))
                    person_id += 1
                chosen.add(member)
                row, is_active = self._membership_row(membership_id, org, member)
                memberships.append(row)
                membership_id += 1
                active += is_active
            org.members = active
            if len(memberships) >= CHUNK_MEMBERSHIPS:
                self._flush(people, memberships, result)
        self._flush(people, memberships, result)

    def _person_row(self, pk: int, org: Org, legacy_codes: list[str], communes: list) -> tuple:
        rng = self.rng
        gender = MALE if rng.random() < 0.52 else FEMALE
        year = rng.randint(1950, 2006)
        birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
        commune = org.commune if rng.random() < 0.7 else rng.choice(communes)[0]
        cccd = self.cccd(rng.choice(legacy_codes), gender, year)
        phone = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.7 else ""
        self.birth_dates[pk] = birth
        return (
            pk,
            cccd,
            self.person_name(gender),
            gender,
            year,
            birth,
            phone,
            "",
            org.province,
            commune,
            self.hamlet(),
            self.now,
            self.now,
        )

    def _membership_row(self, pk: int, org: Org, person: int) -> tuple[tuple, bool]:
        rng = self.rng
        if org.kind == OrganisationKind.COOPERATIVE:
            kind = rng.choices(
                (MemberKind.OFFICIAL, MemberKind.ASSOCIATE_CAPITAL, MemberKind.ASSOCIATE),
                weights=(88, 4, 8),
            )[0]
        else:
            kind = MemberKind.OFFICIAL
        birth = self.birth_dates[person]
        try:
            adult = birth.replace(year=birth.year + 18)
        except ValueError:  # 29 February
            adult = dt.date(birth.year + 18, 3, 1)
        joined = _date_between(rng, max(org.established, adult), AS_OF)
        left = None
        if rng.random() < 0.04 and joined < AS_OF:
            left = _date_between(rng, joined + dt.timedelta(days=1), AS_OF)
        capital = 0
        if kind != MemberKind.ASSOCIATE and org.kind == OrganisationKind.COOPERATIVE:
            capital = rng.randint(1, 100) * 500_000
        row = (
            pk,
            org.id,
            person,
            None,
            kind,
            joined,
            left,
            capital,
            org.province,
            self.now,
            self.now,
        )
        return row, left is None

    def _flush(self, people: list[tuple], memberships: list[tuple], result: Result) -> None:
        with transaction.atomic():
            result.people += write_rows(Person._meta.db_table, PERSON_COLUMNS, people)
            result.memberships += write_rows(
                Membership._meta.db_table, MEMBERSHIP_COLUMNS, memberships
            )
        people.clear()
        memberships.clear()
        self.progress(f"  {vn(result.memberships)} tư cách thành viên, {vn(result.people)} cá nhân")
