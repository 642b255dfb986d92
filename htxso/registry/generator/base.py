"""Shared parts of the generator: scales, plans, identifiers and names."""

import bisect
import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from htxso.core.cccd import MALE, encode_cccd
from htxso.core.models import Commune, LegacyCommune, LegacyProvince
from htxso.core.mst import check_digit

from .. import demo_names as names
from ..choices import OrganisationKind

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
    cooperative_member_share: float = 0.8  # of the memberships; the rest is the groups'
    htx_per_union: int = 5  # member cooperatives drawn for each union
    value_chain_share: float = 0.35  # of the active cooperatives


# Today's national scale (the `national` scale, what `make demo` generates). Counts at
# 12/2024 as reported by Báo Nông nghiệp và Môi trường (docs/domain-figures.md): 33,335 HTX,
# 152 unions, 63,650 tổ hợp tác, 993 HTX members of unions, 5.8 million HTX members and
# 944,587 group members. The generator spreads establishment over 1997–2026 and closes some
# organisations, so about 90 % of what it plans still exists at the end of 2024: the plan is
# the official count divided by that share. Household businesses have no official count in
# this scope [open]. People and memberships are a sample: one million memberships, about
# 750,000 of them current at the end of 2024 (some join later, some leave), about a ninth of
# the 6.7 million official members, so that a fresh demo is generated in minutes on SQLite;
# member figures (and the report figures that grow with members) read accordingly.
OFFICIAL_2024 = {
    "cooperatives": 33_335,
    "unions": 152,
    "groups": 63_650,
    "union_member_cooperatives": 993,
    "cooperative_members": 5_800_000,
    "group_members": 944_587,
}
STILL_EXISTING_2024 = 0.9  # unions close less often: 0.935
# The counts a scale fixes, each of which `htxso generate` takes on the command line instead
# (official counts change every year: `make demo DEMO_COUNTS="--groups 70000"`).
COUNTS = {
    "cooperatives": "số HTX",
    "groups": "số tổ hợp tác",
    "unions": "số liên hiệp HTX",
    "households": "số hộ kinh doanh",
    "memberships": "số tư cách thành viên (cá nhân) được sinh",
}


def _planned(official: int, still_existing: float = STILL_EXISTING_2024) -> int:
    return round(official / still_existing)


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
    "national": Scale(
        cooperatives=_planned(OFFICIAL_2024["cooperatives"]),
        groups=_planned(OFFICIAL_2024["groups"]),
        unions=_planned(OFFICIAL_2024["unions"], 0.935),
        households=20_000,
        memberships=1_000_000,
        cooperative_member_share=0.86,  # 5.8 million of 6.74 million members
        htx_per_union=8,  # links are dated up to mid-2026: about 900 of them at the end of 2024
        value_chain_share=0.155,  # "over 4,000 HTX, nearly 13 %" of all HTX in value chains
    ),
    "national-2030": Scale(
        cooperatives=45_000, groups=140_000, unions=340, households=15_000, memberships=8_000_000
    ),
}
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


class GeneratorBase:
    """Reference data, the random source and the identifier counters of one run."""

    def __init__(
        self,
        scale: Scale,
        seed: int,
        province: str | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.scale = scale
        self.seed, self.province = seed, province  # recorded with the run (bench/harness.py)
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
