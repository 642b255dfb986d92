"""The demo-data generator: sizes, shares, identifiers, consistency, determinism, scales.

The demo registry (seed 1) is generated once for the module, through the management command,
and committed outside the per-test transactions. Tests that regenerate (--replace, other seeds,
the province scale) do it inside their own test transaction, which is rolled back afterwards,
so every test sees the module's seed-1 data.
"""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, OuterRef, Subquery

from htxso.core.cccd import decode_cccd
from htxso.core.models import AuditEntry, Commune
from htxso.core.mst import normalise_tax_code
from htxso.registry.choices import MemberKind, OrganisationKind, Status
from htxso.registry.generator import (
    SCALES,
    Generator,
    RegistryNotEmpty,
    Scale,
    clear_registry,
    generate,
)
from htxso.registry.models import Membership, Organisation, Person, RegistryAggregate, StatusChange

DEMO = SCALES["demo"]
PROVINCE = SCALES["province"]


def names_and_tax_codes() -> list[tuple[str, str | None]]:
    return list(Organisation.objects.order_by("id").values_list("name", "tax_code"))


def active_counts() -> dict[int, int]:
    """Active memberships per organisation, counted with one GROUP BY."""
    return dict(
        Membership.objects.active()
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def member_count_mismatches() -> list[tuple[int, int, int]]:
    active = active_counts()
    return [
        (pk, stored, active.get(pk, 0))
        for pk, stored in Organisation.objects.values_list("id", "members_count")
        if stored != active.get(pk, 0)
    ]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """`htxso generate --scale demo --seed 1` once; (command output, first names/tax codes)."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        last_audit = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        call_command("generate", "--scale", "demo", "--seed", "1", stdout=out)
        listing = names_and_tax_codes()
    yield out.getvalue(), listing
    with django_db_blocker.unblock():
        clear_registry()
        AuditEntry.objects.filter(id__gt=last_audit).delete()


@pytest.fixture
def demo_db(demo, db):
    return demo


# -- sizes and shares ----------------------------------------------------------------------


def test_command_reports_what_it_wrote(demo_db):
    output, _listing = demo_db
    assert output.startswith("Đã sinh 2.812 tổ chức")  # Vietnamese grouping (#16)
    assert "100.060 tư cách thành viên" in output
    entry = AuditEntry.objects.get(action="generate")
    assert entry.after["organisations"] == 2_812
    assert entry.after["memberships"] == 100_060
    assert entry.after["people"] == Person.objects.count()


def test_counts_by_kind_equal_the_demo_scale(demo_db):
    by_kind = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert by_kind == {
        OrganisationKind.COOPERATIVE: DEMO.cooperatives,
        OrganisationKind.COOPERATIVE_GROUP: DEMO.groups,
        OrganisationKind.COOPERATIVE_UNION: DEMO.unions,
        OrganisationKind.HOUSEHOLD_BUSINESS: DEMO.households,
    }
    assert (DEMO.cooperatives, DEMO.groups, DEMO.unions, DEMO.households) == (600, 1800, 12, 400)


def test_memberships(demo_db):
    assert Membership.objects.filter(person__isnull=False).count() == DEMO.memberships == 100_000
    # Five HTX per union, and every union finds five active HTX in its province at demo scale.
    assert Membership.objects.filter(member_organisation__isnull=False).count() == 60
    # Person memberships only in HTX and tổ hợp tác; none in unions or household businesses.
    kinds = set(
        Membership.objects.filter(person__isnull=False)
        .values_list("organisation__kind", flat=True)
        .distinct()
    )
    assert kinds == {OrganisationKind.COOPERATIVE, OrganisationKind.COOPERATIVE_GROUP}
    assert not Membership.objects.filter(
        organisation__kind=OrganisationKind.HOUSEHOLD_BUSINESS
    ).exists()


def test_distinct_people_share(demo_db):
    """People ≈ 93.75% of person memberships (7.5 million people for 8 million memberships).

    Tolerance ±1 point. Sampling noise is tiny (binomial sd ≈ 0.08 point for 100,000 draws);
    the systematic part is larger: a person is reused only from earlier organisations of the
    same province, so the first organisation of each of the 34 province blocks (~4% of the
    memberships) never reuses anyone, and a reuse that hits someone already in the same
    organisation makes a new person. Both push the share up by a few tenths of a point.
    """
    people = Person.objects.count()
    memberships = Membership.objects.filter(person__isnull=False).count()
    share = people / memberships
    assert abs(share - DEMO.distinct_people_share) <= 0.01, share
    # Every generated person holds at least one membership, and never two in one organisation.
    assert not Person.objects.filter(memberships__isnull=True).exists()
    assert not (
        Membership.objects.filter(person__isnull=False)
        .values("organisation_id", "person_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )


def test_agricultural_share_of_htx(demo_db):
    """66% of HTX are agricultural (domain facts); ±5 points is ~2.6 sd for 600 draws."""
    htx = Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE)
    share = htx.filter(is_agricultural=True).count() / htx.count()
    assert 0.61 <= share <= 0.71, share
    # The flag and the VSIC section agree everywhere.
    assert not Organisation.objects.filter(is_agricultural=True).exclude(sector="A").exists()
    assert not Organisation.objects.filter(is_agricultural=False, sector="A").exists()


def test_minimum_memberships_per_kind(demo_db):
    """HTX are drawn with ≥ 5 members, tổ hợp tác with ≥ 2 (some of them may have left since)."""
    ever = dict(
        Membership.objects.filter(person__isnull=False)
        .values_list("organisation_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for pk, kind in Organisation.objects.values_list("id", "kind"):
        if kind == OrganisationKind.COOPERATIVE:
            assert ever.get(pk, 0) >= 5, pk
        elif kind == OrganisationKind.COOPERATIVE_GROUP:
            assert ever.get(pk, 0) >= 2, pk


# -- consistency ---------------------------------------------------------------------------


def test_members_count_equals_active_memberships(demo_db):
    assert member_count_mismatches() == []


def test_aggregates_match_the_tables(demo_db):
    from_aggregates = Counter()
    members = Counter()
    for row in RegistryAggregate.objects.all():
        key = (row.province_id, row.kind, row.status, row.is_agricultural)
        from_aggregates[key] += row.organisations
        members[key] += row.members
    from_tables = Counter()
    for key in Organisation.objects.values_list("province_id", "kind", "status", "is_agricultural"):
        from_tables[key] += 1
    assert from_aggregates == from_tables
    assert sum(members.values()) == Membership.objects.active().count()


def _latest_history():
    latest = StatusChange.objects.filter(organisation=OuterRef("pk")).order_by(
        "-effective_on", "-id"
    )
    return Organisation.objects.annotate(
        latest_status=Subquery(latest.values("status")[:1]),
        latest_on=Subquery(latest.values("effective_on")[:1]),
        first_on=Subquery(
            StatusChange.objects.filter(organisation=OuterRef("pk"))
            .order_by("effective_on", "id")
            .values("effective_on")[:1]
        ),
    )


def test_every_organisation_has_a_status_history_ending_in_its_status(demo_db):
    assert not Organisation.objects.filter(status_history__isnull=True).exists()
    orgs = _latest_history()
    assert not orgs.exclude(latest_status=F("status")).exists()
    # The history starts with the establishment, as an active organisation.
    assert not orgs.exclude(first_on=F("established_on")).exists()
    first_entries = StatusChange.objects.filter(reason="Thành lập")
    assert first_entries.count() == Organisation.objects.count()
    assert set(first_entries.values_list("status", flat=True)) == {Status.ACTIVE}


def test_status_since_is_the_date_of_the_latest_history_entry(demo_db):
    assert list(_latest_history().exclude(latest_on=F("status_since")).values_list("id")) == []


def test_every_tax_code_is_valid_and_unique(demo_db):
    codes = list(Organisation.objects.exclude(tax_code=None).values_list("tax_code", flat=True))
    for code in codes:
        assert normalise_tax_code(code) == code
    assert len(codes) == len(set(codes))
    # HTX and unions must have one (the HTX code is its tax code).
    assert not Organisation.objects.filter(
        kind__in=[OrganisationKind.COOPERATIVE, OrganisationKind.COOPERATIVE_UNION],
        tax_code=None,
    ).exists()


def test_every_cccd_decodes_and_agrees_with_the_person(demo_db):
    rows = list(Person.objects.values_list("cccd", "gender", "birth_year", "birth_date"))
    assert len(rows) == Person.objects.exclude(cccd=None).count()
    for cccd, gender, birth_year, birth_date in rows:
        decoded = decode_cccd(cccd)
        assert (decoded.number, decoded.gender, decoded.birth_year) == (cccd, gender, birth_year)
        assert birth_date.year == birth_year
    assert len({row[0] for row in rows}) == len(rows)


def test_addresses_are_consistent(demo_db):
    assert not Organisation.objects.exclude(commune__province_id=F("province_id")).exists()
    assert not Membership.objects.exclude(province_id=F("organisation__province_id")).exists()
    assert not Person.objects.exclude(commune__province_id=F("province_id")).exists()


def test_memberships_are_dated_sensibly(demo_db):
    assert not Membership.objects.filter(joined_on__lt=F("organisation__established_on")).exists()
    assert not Membership.objects.filter(left_on__lt=F("joined_on")).exists()
    htx = Membership.objects.filter(organisation__kind=OrganisationKind.COOPERATIVE)
    assert set(htx.values_list("kind", flat=True).distinct()) == set(MemberKind.values)
    assert not htx.filter(kind=MemberKind.ASSOCIATE, capital_contributed__gt=0).exists()


def test_no_person_joins_before_turning_18(demo_db):
    minors = Membership.objects.filter(
        person__isnull=False, joined_on__year__lt=F("person__birth_year") + 18
    )
    assert minors.count() == 0


def test_union_memberships_link_unions_to_htx_of_the_same_province(demo_db):
    links = Membership.objects.filter(member_organisation__isnull=False).select_related(
        "organisation", "member_organisation"
    )
    per_union = Counter()
    for link in links:
        assert link.organisation.kind == OrganisationKind.COOPERATIVE_UNION
        assert link.member_organisation.kind == OrganisationKind.COOPERATIVE
        assert link.member_organisation.province_id == link.organisation.province_id
        assert link.province_id == link.organisation.province_id
        assert link.person_id is None
        assert link.left_on is None
        assert link.joined_on >= link.member_organisation.established_on
        per_union[link.organisation_id] += 1
    assert sorted(per_union.values()) == [5] * DEMO.unions


def test_showcase_htx_che_tan_cuong(demo_db):
    org = Organisation.objects.select_related("commune").get(name="HTX Chè Tân Cương")
    assert org.kind == OrganisationKind.COOPERATIVE
    assert org.province_id == "19"
    assert org.commune.name == "Xã Tân Cương"
    assert org.is_agricultural
    assert org.tax_code.startswith("19")
    assert org.members_count >= 1


# -- refusing to overwrite, determinism, other scales ----------------------------------------


def test_generate_refuses_a_non_empty_registry(demo_db, demo):
    before = Organisation.objects.count()
    with pytest.raises(RegistryNotEmpty):
        generate("demo", 1)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate", "--scale", "demo", "--seed", "1", stdout=io.StringIO())
    assert Organisation.objects.count() == before
    assert names_and_tax_codes() == demo[1]


def test_if_empty_does_nothing_on_a_non_empty_registry(demo_db, demo):
    out = io.StringIO()
    call_command("generate", "--scale", "demo", "--seed", "2", "--if-empty", stdout=out)
    assert "bỏ qua" in out.getvalue()
    assert names_and_tax_codes() == demo[1]


def test_same_seed_same_data_other_seed_other_data(demo_db, demo):
    first = demo[1]
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("generate", "--scale", "demo", "--seed", "2", "--replace", **quiet)
    second = names_and_tax_codes()
    assert len(second) == len(first)
    assert second != first
    assert len(set(second) & set(first)) < len(first) // 2
    call_command("generate", "--scale", "demo", "--seed", "1", "--replace", **quiet)
    assert names_and_tax_codes() == first
    # --replace leaves exactly one generated registry behind.
    assert Organisation.objects.count() == 2_812
    assert member_count_mismatches() == []


def test_province_scale_puts_everything_in_one_province(demo_db):
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command(
        "generate", "--scale", "province", "--province", "19", "--seed", "1", "--replace", **quiet
    )
    by_kind = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert by_kind == {
        OrganisationKind.COOPERATIVE: PROVINCE.cooperatives,
        OrganisationKind.COOPERATIVE_GROUP: PROVINCE.groups,
        OrganisationKind.COOPERATIVE_UNION: PROVINCE.unions,
        OrganisationKind.HOUSEHOLD_BUSINESS: PROVINCE.households,
    }
    assert set(Organisation.objects.values_list("province_id", flat=True).distinct()) == {"19"}
    assert set(Membership.objects.values_list("province_id", flat=True).distinct()) == {"19"}
    assert set(Person.objects.values_list("province_id", flat=True).distinct()) == {"19"}
    communes_19 = set(Commune.objects.filter(province_id="19").values_list("code", flat=True))
    used = set(Organisation.objects.values_list("commune_id", flat=True).distinct())
    assert used <= communes_19
    assert len(used) > len(communes_19) // 2  # spread over the province, not one commune
    assert Membership.objects.filter(person__isnull=False).count() == PROVINCE.memberships
    assert Organisation.objects.filter(name="HTX Chè Tân Cương").exists()
    assert set(RegistryAggregate.objects.values_list("province_id", flat=True)) == {"19"}
    if connection.vendor == "postgresql":
        # The planner's statistics describe what was written (the generator's ANALYZE): the
        # rows are not committed yet, so no autovacuum could have counted them.
        tables = (Organisation, Person, Membership, StatusChange)
        for model in tables:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                    [model._meta.db_table],
                )
                estimated = cursor.fetchone()[0]
            assert abs(estimated - model.objects.count()) <= 0.05 * model.objects.count(), model


def test_province_scale_rejects_an_unknown_province(demo_db):
    with pytest.raises(CommandError, match="Không có tỉnh/thành phố mã 99"):
        call_command(
            "generate",
            "--scale",
            "province",
            "--province",
            "99",
            "--replace",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_a_rejected_replace_keeps_the_existing_registry(demo_db, demo):
    with pytest.raises(CommandError):
        call_command(
            "generate",
            "--scale",
            "province",
            "--province",
            "99",
            "--replace",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert names_and_tax_codes() == demo[1]


def _two_member_groups() -> None:
    """1,000 tổ hợp tác of exactly two members each (4% of memberships end, so with seed 1
    both members of one group have left)."""
    clear_registry()
    Generator(
        Scale(cooperatives=0, groups=1_000, unions=0, households=0, memberships=2_000), seed=1
    ).run()


def test_small_scale_where_every_member_of_a_group_left(demo_db):
    _two_member_groups()
    assert Organisation.objects.count() == 1_000
    assert Membership.objects.count() == 2_000
    # The situation the next test is about does occur with this seed.
    assert Organisation.objects.exclude(memberships__left_on__isnull=True).count() >= 1


def test_members_count_when_every_member_left(demo_db):
    _two_member_groups()
    assert member_count_mismatches() == []


def test_replace_keeps_users_and_the_audit_log(demo_db):
    """--replace empties the registry only: logins and the audit trail survive it."""
    from htxso.core.models import AuditEntry, User
    from htxso.core.roles import Role

    organisation = Organisation.objects.filter(kind="cooperative").first()
    manager = User.objects.create_user(
        "quanly.test", role=Role.COOPERATIVE_MANAGER, organisation_id=organisation.pk
    )
    entries = AuditEntry.objects.count()
    assert entries > 0
    clear_registry()
    assert Organisation.objects.count() == 0
    assert Membership.objects.count() == 0
    manager.refresh_from_db()
    assert manager.organisation_id is None
    assert AuditEntry.objects.count() == entries
