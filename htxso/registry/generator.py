"""Deterministic generator of a realistic registry: `htxso generate --scale … --seed N`.

Same seed, same data. Organisations are spread over the 34 provinces in proportion to their
communes; people and memberships are streamed to the database in chunks (COPY on PostgreSQL),
so memory stays flat at national scale. Person ids are allocated in province blocks, which
lets a person join a second organisation of the same province without any lookup.
"""

import bisect
import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from htxso.core.bulk import next_id, reset_sequences, write_rows
from htxso.core.cccd import FEMALE, MALE, encode_cccd
from htxso.core.models import AuditEntry, Commune, LegacyCommune, LegacyProvince
from htxso.core.mst import check_digit

from . import demo_names as names
from . import stats
from .choices import Classification, MemberKind, OrganisationKind, Sector, Status
from .models import Membership, Organisation, Person, StatusChange

AS_OF = dt.date(2026, 6, 30)
CHUNK_MEMBERSHIPS = 50_000


@dataclass(frozen=True)
class Scale:
    cooperatives: int
    groups: int
    unions: int
    households: int
    memberships: int  # person memberships, all organisations together
    distinct_people_share: float = 0.9375  # 7.5 million people for 8 million memberships
    single_province: bool = False


SCALES = {
    "demo": Scale(cooperatives=600, groups=1_800, unions=12, households=400, memberships=100_000),
    "province": Scale(
        cooperatives=1_320,
        groups=4_120,
        unions=10,
        households=440,
        memberships=235_000,
        single_province=True,
    ),
    "national-2030": Scale(
        cooperatives=45_000, groups=140_000, unions=340, households=15_000, memberships=8_000_000
    ),
}
COOPERATIVE_MEMBERSHIP_SHARE = 0.8  # the rest belongs to cooperative groups
HTX_PER_UNION = 5
PERSON_MEMBERSHIP_KINDS = (OrganisationKind.COOPERATIVE, OrganisationKind.COOPERATIVE_GROUP)


@dataclass
class Org:
    id: int
    kind: str
    province: str
    commune: str
    commune_name: str
    established: dt.date
    status: str
    status_since: dt.date
    members: int = 0
    showcase: str | None = None
    episode: tuple[dt.date, dt.date] | None = None


@dataclass
class Result:
    organisations: int = 0
    people: int = 0
    memberships: int = 0
    status_changes: int = 0
    seconds: float = 0.0
    counts_by_kind: dict[str, int] = field(default_factory=dict)


class RegistryNotEmpty(Exception):
    pass


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=rng.randint(0, max(span, 0)))


def _short_place(commune_name: str) -> str:
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def _spread(rng: random.Random, n: int, total: int, minimum: int) -> list[int]:
    """n positive counts summing to `total`, each ≥ minimum, skewed like real member numbers."""
    if n == 0:
        return []
    weights = [rng.lognormvariate(0, 1.0) for _ in range(n)]
    spare = max(total - minimum * n, 0)
    scale = spare / sum(weights)
    counts = [minimum + int(w * scale) for w in weights]
    shortfall = total - sum(counts)
    for i in rng.sample(range(n), min(max(shortfall, 0), n)):
        counts[i] += 1
    # Any remainder beyond one per organisation goes to the largest.
    counts[max(range(n), key=counts.__getitem__)] += max(total - sum(counts), 0)
    return counts


class Generator:
    def __init__(
        self,
        scale: Scale,
        seed: int,
        province: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.progress = progress or (lambda message: None)
        self.now = timezone.now()
        self.communes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for code, province_id, name in Commune.objects.values_list("code", "province_id", "name"):
            self.communes[province_id].append((code, name))
        if not self.communes:
            raise ValueError("Chưa có đơn vị hành chính: hãy chạy `htxso load_units` trước.")
        self.provinces = sorted(self.communes)
        if scale.single_province:
            chosen = province or "19"
            if chosen not in self.communes:
                raise ValueError(f"Không có tỉnh/thành phố mã {chosen}.")
            self.provinces = [chosen]
        self.legacy_address: dict[str, list[str]] = defaultdict(list)
        for commune, district, legacy_province, target in LegacyCommune.objects.values_list(
            "name", "district__name", "district__province__name", "current_commune_id"
        ):
            if target:
                self.legacy_address[target].append(f"{commune}, {district}, {legacy_province}")
        self.legacy_codes: dict[str, list[str]] = defaultdict(list)
        for code, current in LegacyProvince.objects.values_list("code", "current_province_id"):
            self.legacy_codes[current].append(code)
        self.tax_serial: dict[str, int] = {}
        self.birth_dates: dict[int, dt.date] = {}
        self.cccd_serial: dict[str, int] = {}

    # -- identifiers -----------------------------------------------------------------------
    def tax_code(self, province: str) -> str:
        serial = self.tax_serial.get(province) or self.rng.randint(1_000_000, 2_000_000)
        while True:
            serial += self.rng.randint(1, 9)
            head = f"{province}{serial:07d}"
            digit = check_digit(head)
            if digit is not None:
                self.tax_serial[province] = serial
                return f"{head}{digit}"

    def cccd(self, legacy_province: str, gender: str, birth_year: int) -> str:
        prefix = f"{legacy_province}{gender}{birth_year}"
        serial = self.cccd_serial.get(prefix, self.rng.randint(0, 5_000)) + self.rng.randint(1, 60)
        self.cccd_serial[prefix] = serial
        return encode_cccd(legacy_province, gender, birth_year, serial)

    def person_name(self, gender: str) -> str:
        rng = self.rng
        surname = names.SURNAMES[
            bisect.bisect(names.SURNAME_CUM, rng.random() * names.SURNAME_CUM[-1])
        ]
        if gender == MALE:
            return f"{surname} {rng.choice(names.MIDDLE_MALE)} {rng.choice(names.FIRST_MALE)}"
        return f"{surname} {rng.choice(names.MIDDLE_FEMALE)} {rng.choice(names.FIRST_FEMALE)}"

    def hamlet(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            return f"{rng.choice(names.HAMLETS)} {rng.randint(1, 15)}"
        return f"{rng.choice(names.HAMLETS)} {rng.choice(names.HAMLET_NAMES)}"

    # -- organisations ---------------------------------------------------------------------
    def plan(self) -> list[Org]:
        rng, scale = self.rng, self.scale
        weights = [len(self.communes[p]) for p in self.provinces]
        kinds = (
            [OrganisationKind.COOPERATIVE] * scale.cooperatives
            + [OrganisationKind.COOPERATIVE_GROUP] * scale.groups
            + [OrganisationKind.COOPERATIVE_UNION] * scale.unions
            + [OrganisationKind.HOUSEHOLD_BUSINESS] * scale.households
        )
        provinces = rng.choices(self.provinces, weights=weights, k=len(kinds))
        orgs = []
        for kind, province in zip(kinds, provinces, strict=True):
            commune, commune_name = rng.choice(self.communes[province])
            earliest = (
                dt.date(1997, 1, 1) if kind == OrganisationKind.COOPERATIVE else dt.date(2005, 1, 1)
            )
            established = _date_between(rng, earliest, dt.date(2026, 3, 31))
            status = self._status(kind, established)
            since = (
                established if status == Status.ACTIVE else _date_between(rng, established, AS_OF)
            )
            episode = None
            if (
                status == Status.ACTIVE
                and established < dt.date(2023, 1, 1)
                and rng.random() < 0.05
            ):
                stop = _date_between(rng, established, dt.date(2024, 1, 1))
                episode = (stop, stop + dt.timedelta(days=rng.randint(90, 360)))
                since = episode[1]
            orgs.append(
                Org(
                    0,
                    kind,
                    province,
                    commune,
                    commune_name,
                    established,
                    status,
                    since,
                    episode=episode,
                )
            )
        self._place_showcases(orgs)
        orgs.sort(key=lambda o: o.province)  # person ids then come in province blocks
        first = next_id(Organisation)
        for offset, org in enumerate(orgs):
            org.id = first + offset
        cooperatives = [o for o in orgs if o.kind == OrganisationKind.COOPERATIVE]
        groups = [o for o in orgs if o.kind == OrganisationKind.COOPERATIVE_GROUP]
        coop_total = int(scale.memberships * COOPERATIVE_MEMBERSHIP_SHARE)
        for org, count in zip(
            cooperatives, _spread(rng, len(cooperatives), coop_total, 5), strict=True
        ):
            org.members = count
        group_total = scale.memberships - sum(o.members for o in cooperatives)
        for org, count in zip(groups, _spread(rng, len(groups), group_total, 2), strict=True):
            org.members = count
        return orgs

    def _status(self, kind: str, established: dt.date) -> str:
        if kind == OrganisationKind.COOPERATIVE_UNION:
            mix = [(Status.ACTIVE, 90), (Status.NOT_OPERATING, 6), (Status.DISSOLVED, 4)]
        elif kind == OrganisationKind.COOPERATIVE:
            mix = [
                (Status.ACTIVE, 78),
                (Status.SUSPENDED, 5),
                (Status.NOT_OPERATING, 10),
                (Status.DISSOLVED, 6),
                (Status.BANKRUPT, 1),
            ]
        else:
            mix = [
                (Status.ACTIVE, 84),
                (Status.SUSPENDED, 4),
                (Status.NOT_OPERATING, 7),
                (Status.DISSOLVED, 5),
            ]
        if established > dt.date(2025, 6, 30):
            return Status.ACTIVE
        return self.rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]

    def organisation_row(self, org: Org, showcase: str | None = None) -> tuple:
        rng = self.rng
        place = _short_place(org.commune_name)
        agri_type, is_agri, short = "", False, ""
        if org.kind == OrganisationKind.COOPERATIVE:
            if showcase:
                pattern, sector, vsic, agri_type, _w = next(
                    t for t in names.AGRI_HTX if t[0].startswith("HTX Chè")
                )
            elif rng.random() < 0.66:
                pattern, sector, vsic, agri_type, _w = rng.choices(
                    names.AGRI_HTX, weights=[t[-1] for t in names.AGRI_HTX]
                )[0]
            else:
                pattern, sector, vsic, _w = rng.choices(
                    names.OTHER_HTX, weights=[t[-1] for t in names.OTHER_HTX]
                )[0]
            name = showcase or pattern.format(place=place)
            short = f"HTX {place}"
        elif org.kind == OrganisationKind.COOPERATIVE_GROUP:
            activity, sector, vsic, agri_type, _a = rng.choice(names.GROUP_ACTIVITIES)
            name = f"{activity} {self.hamlet().lower()}, {org.commune_name}"
        elif org.kind == OrganisationKind.COOPERATIVE_UNION:
            pattern, sector, vsic, agri_type = rng.choice(names.UNION_NAMES)
            name = pattern.format(place=place)
        else:
            sector, vsic = rng.choice(names.HOUSEHOLD_ACTIVITIES)
            name = f"Hộ kinh doanh {self.person_name(rng.choice((MALE, FEMALE)))}"
        is_agri = sector == Sector.A
        has_tax_code = org.kind != OrganisationKind.COOPERATIVE_GROUP or rng.random() < 0.2
        search, name_key = Organisation.keys_for(name, short)
        legacy = ""
        if org.established < dt.date(2025, 7, 1) and rng.random() < 0.6:
            options = self.legacy_address.get(org.commune)
            legacy = rng.choice(options) if options else ""
        capital = None
        if org.kind in (OrganisationKind.COOPERATIVE, OrganisationKind.COOPERATIVE_UNION):
            capital = int(rng.lognormvariate(20.5, 1.1)) // 1_000_000 * 1_000_000
        active_htx = org.kind == OrganisationKind.COOPERATIVE and org.status == Status.ACTIVE
        classification = ""
        if active_htx and org.established < dt.date(2025, 6, 30):
            classification = rng.choices(
                [
                    Classification.GOOD,
                    Classification.FAIR,
                    Classification.AVERAGE,
                    Classification.WEAK,
                ],
                weights=[22, 36, 28, 14],
            )[0]
        phone = f"0{rng.choice((2, 3, 9, 8, 7))}{rng.randint(10_000_000, 99_999_999)}"
        return (
            org.id,
            org.kind,
            self.tax_code(org.province) if has_tax_code else None,
            name,
            "",
            short,
            search,
            name_key,
            sector,
            vsic,
            is_agri,
            agri_type if is_agri else "",
            org.province,
            org.commune,
            self.hamlet(),
            legacy,
            org.established,
            org.established + dt.timedelta(days=rng.randint(0, 60)),
            capital,
            org.status,
            org.status_since,
            self.person_name(rng.choice((MALE, MALE, FEMALE))),
            phone,
            "",
            "",
            active_htx and is_agri and rng.random() < 0.12,
            active_htx and rng.random() < 0.35,
            classification,
            org.members,
            1,
            self.now,
            self.now,
        )

    def status_rows(self, org: Org) -> Iterator[tuple]:
        rng = self.rng
        yield (org.id, Status.ACTIVE, org.established, "Thành lập", "", self.now)
        if org.status != Status.ACTIVE:
            yield (
                org.id,
                org.status,
                org.status_since,
                self._reason(org.status),
                f"{rng.randint(1, 999)}/QĐ-UBND",
                self.now,
            )
        elif org.episode:
            stop, resume = org.episode
            yield (
                org.id,
                Status.SUSPENDED,
                stop,
                "Tạm ngừng kinh doanh theo đề nghị",
                "",
                self.now,
            )
            yield (org.id, Status.ACTIVE, resume, "Hoạt động trở lại", "", self.now)

    @staticmethod
    def _reason(status: str) -> str:
        reasons: dict[str, str] = {
            Status.SUSPENDED: "Tạm ngừng kinh doanh theo đề nghị của HTX",
            Status.NOT_OPERATING: "Không hoạt động tại địa chỉ đăng ký, chưa làm thủ tục giải thể",
            Status.DISSOLVED: "Giải thể theo nghị quyết đại hội thành viên",
            Status.BANKRUPT: "Tuyên bố phá sản theo quyết định của Tòa án",
        }
        return reasons[status]

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
        self.progress(f"  {result.memberships:,} tư cách thành viên, {result.people:,} cá nhân")

    def union_links(self, orgs: list[Org]) -> list[tuple]:
        rng = self.rng
        by_province: dict[str, list[Org]] = defaultdict(list)
        for org in orgs:
            if org.kind == OrganisationKind.COOPERATIVE and org.status == Status.ACTIVE:
                by_province[org.province].append(org)
        rows = []
        for union in (o for o in orgs if o.kind == OrganisationKind.COOPERATIVE_UNION):
            pool = by_province[union.province]
            for member in rng.sample(pool, min(HTX_PER_UNION, len(pool))):
                joined = _date_between(rng, max(union.established, member.established), AS_OF)
                # The id is given when written, after the person memberships took theirs.
                rows.append(
                    (
                        union.id,
                        None,
                        member.id,
                        MemberKind.OFFICIAL,
                        joined,
                        None,
                        rng.randint(10, 200) * 1_000_000,
                        union.province,
                        self.now,
                        self.now,
                    )
                )
                union.members += 1
        return rows

    # -- the whole run -------------------------------------------------------------------
    def run(self) -> Result:
        started = time.monotonic()
        result = Result()
        orgs = self.plan()
        self.progress(
            f"Kế hoạch: {len(orgs):,} tổ chức, {self.scale.memberships:,} tư cách thành viên"
        )
        # Memberships first: they fix the active member counts written on each organisation.
        unions = self.union_links(orgs)
        with transaction.atomic():
            result.organisations = write_rows(
                Organisation._meta.db_table,
                ORG_COLUMNS,
                (self.organisation_row(o, o.showcase) for o in orgs),
            )
            result.status_changes = write_rows(
                StatusChange._meta.db_table,
                STATUS_COLUMNS,
                (row for o in orgs for row in self.status_rows(o)),
            )
        self.progress(f"  {result.organisations:,} tổ chức đã ghi")
        self.people_and_memberships(orgs, result)
        with transaction.atomic():
            first = next_id(Membership)
            result.memberships += write_rows(
                Membership._meta.db_table,
                MEMBERSHIP_COLUMNS,
                ((first + i, *row) for i, row in enumerate(unions)),
            )
            _write_member_counts(orgs)
            reset_sequences(Organisation, Person, Membership, StatusChange)
            stats.refresh()
            AuditEntry.objects.create(
                action="generate",
                object_type="registry",
                object_id="*",
                object_repr=f"Dữ liệu mẫu: {result.organisations:,} tổ chức",
                after={
                    "organisations": result.organisations,
                    "people": result.people,
                    "memberships": result.memberships,
                },
            )
        for org in orgs:
            result.counts_by_kind[org.kind] = result.counts_by_kind.get(org.kind, 0) + 1
        result.seconds = time.monotonic() - started
        return result

    def _place_showcases(self, orgs: list[Org]) -> None:
        """A few well-known names, so the demo has what people search for first."""
        for name, commune_name, province in SHOWCASES:
            commune = next(
                (c for c in self.communes.get(province, []) if c[1] == commune_name), None
            )
            org = next(
                (
                    o
                    for o in orgs
                    if o.kind == OrganisationKind.COOPERATIVE
                    and o.province == province
                    and not o.showcase
                ),
                None,
            )
            if commune and org:
                org.commune, org.commune_name, org.showcase = commune[0], commune[1], name


SHOWCASES = [
    ("HTX Chè Tân Cương", "Xã Tân Cương", "19"),
]


def _write_member_counts(orgs: list[Org]) -> None:
    """The active member counts, fixed after memberships were drawn (one UPDATE per batch)."""
    pairs = [(o.members, o.id) for o in orgs]
    table = connection.ops.quote_name(Organisation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET members_count = %s WHERE id = %s", pairs)


ORG_COLUMNS = (
    "id",
    "kind",
    "tax_code",
    "name",
    "name_en",
    "short_name",
    "search_key",
    "name_key",
    "sector",
    "vsic_code",
    "is_agricultural",
    "agricultural_type",
    "province_id",
    "commune_id",
    "street",
    "legacy_address",
    "established_on",
    "registered_on",
    "charter_capital",
    "status",
    "status_since",
    "legal_representative",
    "phone",
    "email",
    "website",
    "is_high_tech",
    "in_value_chain",
    "classification",
    "members_count",
    "version",
    "created_at",
    "updated_at",
)
STATUS_COLUMNS = (
    "organisation_id",
    "status",
    "effective_on",
    "reason",
    "document_no",
    "recorded_at",
)
PERSON_COLUMNS = (
    "id",
    "cccd",
    "full_name",
    "gender",
    "birth_year",
    "birth_date",
    "phone",
    "email",
    "province_id",
    "commune_id",
    "address",
    "created_at",
    "updated_at",
)
MEMBERSHIP_COLUMNS = (
    "id",
    "organisation_id",
    "person_id",
    "member_organisation_id",
    "kind",
    "joined_on",
    "left_on",
    "capital_contributed",
    "province_id",
    "created_at",
    "updated_at",
)


def clear_registry() -> None:
    """Remove every organisation, person and membership (the generator's --replace)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(
                connection.ops.quote_name(m._meta.db_table)
                for m in (Membership, StatusChange, Person, Organisation)
            )
            with connection.cursor() as cursor:
                # Deferred foreign-key checks pending in this transaction would block TRUNCATE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("UPDATE core_user SET organisation_id = NULL, person_id = NULL")
                cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            from htxso.core.models import User

            User.objects.update(organisation=None, person=None)
            for model in (Membership, StatusChange, Person, Organisation):
                model.objects.all()._raw_delete(model.objects.db)
        stats.refresh()


def generate(
    scale: str,
    seed: int,
    province: str | None = None,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Result:
    generator = Generator(SCALES[scale], seed, province, progress)
    if Organisation.objects.exists():
        if not replace:
            raise RegistryNotEmpty(
                "Cơ sở dữ liệu đã có tổ chức; dùng --replace để thay toàn bộ bằng dữ liệu mẫu."
            )
        clear_registry()
    return generator.run()
