"""Test data made through the one write path (`registry.services`), never by `.save()`.

The factories build valid identifiers in ranges the demo generator never reaches (tax-code
serials from 9,000,000, CCCD serials from 900,000), so they can be mixed with demo data.
"""

import datetime as dt
import itertools

import factory

from htxso.core.cccd import MALE, encode_cccd
from htxso.core.mst import check_digit
from htxso.registry import services
from htxso.registry.choices import MemberKind, OrganisationKind, Sector
from htxso.registry.models import Membership, Organisation, Person

_tax_serials = itertools.count(9_000_000)
_cccd_serials = itertools.count(900_000)


def valid_tax_code(prefix: str = "19") -> str:
    """A fresh 10-digit tax code with a correct check digit."""
    while True:
        head = f"{prefix}{next(_tax_serials):07d}"
        digit = check_digit(head)
        if digit is not None:
            return f"{head}{digit}"


def valid_cccd(gender: str = MALE, birth_year: int = 1980, legacy_province: str = "19") -> str:
    """A fresh CCCD number; the legacy province code 19 is Thái Nguyên (old)."""
    return encode_cccd(legacy_province, gender, birth_year, next(_cccd_serials))


class _ServiceFactory(factory.Factory):
    """`actor=` may be passed to any factory call; it goes to the service, not the model."""

    class Meta:
        abstract = True


class OrganisationFactory(_ServiceFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COOPERATIVE
    name = factory.Sequence(lambda n: f"HTX Thử nghiệm Số {n}")
    tax_code = factory.LazyFunction(valid_tax_code)
    sector = Sector.A
    is_agricultural = True
    province_id = "19"
    established_on = dt.date(2015, 3, 1)

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return services.create_organisation(actor, **kwargs)


class CooperativeGroupFactory(OrganisationFactory):
    kind = OrganisationKind.COOPERATIVE_GROUP
    name = factory.Sequence(lambda n: f"Tổ hợp tác thử nghiệm {n}")
    tax_code = factory.LazyFunction(lambda: None)


class UnionFactory(OrganisationFactory):
    kind = OrganisationKind.COOPERATIVE_UNION
    name = factory.Sequence(lambda n: f"Liên hiệp HTX thử nghiệm {n}")
    established_on = dt.date(2018, 1, 1)


class HouseholdFactory(OrganisationFactory):
    kind = OrganisationKind.HOUSEHOLD_BUSINESS
    name = factory.Sequence(lambda n: f"Hộ kinh doanh thử nghiệm {n}")
    sector = Sector.G
    is_agricultural = False


class PersonFactory(_ServiceFactory):
    class Meta:
        model = Person

    class Params:
        born = 1980
        sex = MALE

    cccd = factory.LazyAttribute(lambda o: valid_cccd(o.sex, o.born))
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thử {n}")
    province_id = "19"

    @classmethod
    def _create(cls, model_class, *args, actor=None, cccd=None, full_name="", **kwargs):
        return services.create_person(actor, cccd, full_name, **kwargs)


class MembershipFactory(_ServiceFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory)
    kind = MemberKind.OFFICIAL
    joined_on = dt.date(2020, 1, 1)

    @classmethod
    def _create(cls, model_class, *args, actor=None, organisation=None, **kwargs):
        return services.add_membership(actor, organisation.pk, **kwargs)
