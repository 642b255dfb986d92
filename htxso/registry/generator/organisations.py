"""Organisations of a generated registry: the plan, their rows, status history, union links."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from htxso.core.bulk import next_id
from htxso.core.cccd import FEMALE, MALE

from .. import demo_names as names
from ..choices import Classification, MemberKind, OrganisationKind, Status
from ..models import Organisation
from ..writes.rules import is_agricultural
from .base import (
    AS_OF,
    GeneratorBase,
    Org,
    _date_between,
    _short_place,
    _spread,
)


class OrganisationRows(GeneratorBase):
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
        coop_total = int(scale.memberships * scale.cooperative_member_share)
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
        is_agri = is_agricultural(sector, agri_type)
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
            active_htx and rng.random() < self.scale.value_chain_share,
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

    def union_links(self, orgs: list[Org]) -> list[tuple]:
        rng = self.rng
        by_province: dict[str, list[Org]] = defaultdict(list)
        for org in orgs:
            if org.kind == OrganisationKind.COOPERATIVE and org.status == Status.ACTIVE:
                by_province[org.province].append(org)
        rows = []
        for union in (o for o in orgs if o.kind == OrganisationKind.COOPERATIVE_UNION):
            pool = by_province[union.province]
            for member in rng.sample(pool, min(self.scale.htx_per_union, len(pool))):
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
