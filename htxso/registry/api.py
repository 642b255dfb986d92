"""Registry operations of the REST API. Reads start from `visible_to`, lists use the pages'
filter (`OrganisationFilter`) and keyset cursors, writes call `services`."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_noop
from ninja import Query, Router
from ninja import Status as Reply
from ninja.errors import HttpError

from htxso.core.api import WRITE_AUTH
from htxso.core.api_filters import api_page, filter_form, filter_schema
from htxso.core.api_schemas import ERRORS, MAX_ID, PK, Page
from htxso.core.models import Commune, Province, Tombstone
from htxso.core.personal import reveal, shown

from . import services
from .filters import SORTS, OrganisationFilter
from .models import Membership, Organisation, Person, StatusChange
from .schemas import (
    SYNC_TIME_DOC,
    CommuneOut,
    MembershipEnd,
    MembershipIn,
    MembershipOut,
    OrganisationCreate,
    OrganisationOut,
    OrganisationPatch,
    OrganisationPut,
    PersonOut,
    ProvinceOut,
    StatusChangeIn,
    StatusChangeOut,
    SyncTime,
    TombstoneOut,
)

router = Router(tags=["registry"])
# The organisation list's query parameters: the pages' filter, one definition (core/api_filters).
OrganisationQuery = filter_schema(OrganisationFilter, "OrganisationQuery")
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]


# The keyset page of every list (core/api_filters.py).
_page = api_page


def _since(queryset: QuerySet, updated_since: dt.datetime | None) -> QuerySet:
    return queryset.filter(updated_at__gte=updated_since) if updated_since else queryset


# -- reference data -----------------------------------------------------------------------------


@router.get("/provinces", response={200: list[ProvinceOut], **ERRORS})
def list_provinces(request: HttpRequest) -> QuerySet[Province]:
    return Province.objects.all()


@router.get("/communes", response={200: list[CommuneOut], **ERRORS})
def list_communes(
    request: HttpRequest, province: str = Query(..., min_length=2, max_length=2)
) -> QuerySet[Commune]:
    return Commune.objects.filter(province_id=province).order_by("code")


# -- organisations ---------------------------------------------------------------------------


@router.get("/organisations", response={200: Page[OrganisationOut], **ERRORS})
def list_organisations(
    request: HttpRequest,
    filters: Query[OrganisationQuery],  # type: ignore[valid-type]
    cursor: str | None = None,
    limit: int | None = Query(None, ge=1, le=500),
    updated_since: Annotated[SyncTime | None, Query(description=SYNC_TIME_DOC)] = None,
) -> dict[str, Any]:
    """The registry list: the pages' filters (`q`, `province`, `commune`, `kind`, `sector`,
    `status`, `agricultural`, `sort`) as query parameters. With `updated_since` the order is
    (updated_at, id), for incremental sync."""
    form = filter_form(OrganisationFilter, filters)
    # values(): a page of plain rows; model instances cost more than the query itself.
    visible = Organisation.objects.visible_to(request.user)
    queryset = form.filter(visible).values(*ORGANISATION_COLUMNS)
    if updated_since:
        page = _page(_since(queryset, updated_since), "updated_at", False, cursor, limit)
    else:
        field, descending, _label = SORTS[form.sort_key]
        page = _page(queryset, field, descending, cursor, limit)
    return page


# The columns the output needs (and the sort keys): not the long search key.
ORGANISATION_COLUMNS = tuple(
    {str(field.validation_alias or name) for name, field in OrganisationOut.model_fields.items()}
    | {"name_key", "established_on", "members_count"}
)


@router.get("/organisations/{int:pk}", response={200: OrganisationOut, **ERRORS})
def get_organisation(request: HttpRequest, pk: PK) -> Organisation:
    return get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)


def _organisation_fields(
    payload: OrganisationCreate | OrganisationPatch | OrganisationPut,
) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    for code in ("province", "commune"):
        if f"{code}_code" in data:
            data[f"{code}_id"] = data.pop(f"{code}_code")
    return data


def _check_codes(data: dict) -> None:
    if data.get("province_id") and not Province.objects.filter(code=data["province_id"]).exists():
        raise ValidationError({"province_code": gettext_noop("Mã tỉnh/thành phố không tồn tại.")})
    if data.get("commune_id") and not Commune.objects.filter(code=data["commune_id"]).exists():
        raise ValidationError({"commune_code": gettext_noop("Mã xã/phường không tồn tại.")})


@router.post("/organisations", auth=WRITE_AUTH, response={201: OrganisationOut, **ERRORS})
def create_organisation(request: HttpRequest, payload: OrganisationCreate) -> Reply[Organisation]:
    data = _organisation_fields(payload)
    _check_codes(data)
    return Reply(201, services.create_organisation(request.user, **data))


def _update(
    request: HttpRequest, pk: int, payload: OrganisationPatch | OrganisationPut
) -> Organisation:
    get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    data = _organisation_fields(payload)
    _check_codes(data)
    try:
        return services.update_organisation(request.user, pk, payload.version, **data)
    except services.StaleEdit as exc:
        raise HttpError(409, str(exc)) from None


@router.put("/organisations/{int:pk}", auth=WRITE_AUTH, response={200: OrganisationOut, **ERRORS})
def put_organisation(request: HttpRequest, pk: PK, payload: OrganisationPut) -> Organisation:
    """Replace the writable fields; `version` must be the one read (else 409)."""
    return _update(request, pk, payload)


@router.patch("/organisations/{int:pk}", auth=WRITE_AUTH, response={200: OrganisationOut, **ERRORS})
def patch_organisation(request: HttpRequest, pk: PK, payload: OrganisationPatch) -> Organisation:
    """Change some fields; `version` must be the one read (else 409, nothing written)."""
    return _update(request, pk, payload)


@router.get(
    "/organisations/{int:pk}/status-history", response={200: list[StatusChangeOut], **ERRORS}
)
def status_history(request: HttpRequest, pk: PK) -> QuerySet[StatusChange]:
    organisation = get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    return organisation.status_history.all()


@router.post(
    "/organisations/{int:pk}/status-history",
    auth=WRITE_AUTH,
    response={201: StatusChangeOut, **ERRORS},
)
def change_status(request: HttpRequest, pk: PK, payload: StatusChangeIn) -> Reply[StatusChange]:
    get_object_or_404(Organisation.objects.visible_to(request.user), pk=pk)
    return Reply(201, services.change_status(request.user, pk, **payload.dict()))


# -- people (personal data: masked unless revealed) ---------------------------------------------


def _person_out(person: Person, revealed: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "gender": person.gender,
        "birth_year": person.birth_year,
        "province_code": person.province_id,
        **shown(person, revealed, ("cccd", "birth_date", "phone", "address"), typed=True),
        "masked": not revealed,
    }


@router.get("/people", auth=WRITE_AUTH, response={200: Page[PersonOut], **ERRORS})
def list_people(
    request: HttpRequest,
    organisation: IdFilter = None,
    cursor: str | None = None,
    limit: int | None = Query(None, ge=1, le=500),
    updated_since: Annotated[SyncTime | None, Query(description=SYNC_TIME_DOC)] = None,
) -> dict[str, Any]:
    queryset = Person.objects.visible_to(request.user)
    if organisation:
        queryset = queryset.filter(memberships__organisation_id=organisation)
    page = _page(
        _since(queryset, updated_since),
        "updated_at" if updated_since else "id",
        False,
        cursor,
        limit,
    )
    page["items"] = [_person_out(p, revealed=False) for p in page["items"]]
    return page


@router.get("/people/{int:pk}", auth=WRITE_AUTH, response={200: PersonOut, **ERRORS})
def get_person(
    request: HttpRequest, pk: PK, reveal_data: bool = Query(False, alias="reveal")
) -> dict[str, Any]:
    """`?reveal=true` shows the full CCCD, birth date, phone and address to the roles that
    need them; each reveal is written to the audit log."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if reveal_data:
        reveal(request.user, person)
    return _person_out(person, revealed=reveal_data)


# People are recorded by adding them as members (`POST /memberships` with their facts): a
# person on their own would be a way to ask whether a CCCD is registered
# (registry.writes.identity).


# -- memberships --------------------------------------------------------------------------------


@router.get("/memberships", auth=WRITE_AUTH, response={200: Page[MembershipOut], **ERRORS})
def list_memberships(
    request: HttpRequest,
    organisation: IdFilter = None,
    person: IdFilter = None,
    cursor: str | None = None,
    limit: int | None = Query(None, ge=1, le=500),
    updated_since: Annotated[SyncTime | None, Query(description=SYNC_TIME_DOC)] = None,
) -> dict[str, Any]:
    queryset = Membership.objects.visible_to(request.user)
    if organisation:
        queryset = queryset.filter(organisation_id=organisation)
    if person:
        queryset = queryset.filter(person_id=person)
    return _page(
        _since(queryset, updated_since),
        "updated_at" if updated_since else "id",
        False,
        cursor,
        limit,
    )


@router.post("/memberships", auth=WRITE_AUTH, response={201: MembershipOut, **ERRORS})
def add_membership(request: HttpRequest, payload: MembershipIn) -> Reply[Membership]:
    """The member is a person given by the facts on their card (`person`: linked when they
    match the registered person, recorded when the CCCD is new; the answer is the same), a
    person the user can already see (`person_id`), or, for a union, an HTX
    (`member_organisation_id`). Facts that do not match a registered CCCD are refused (422,
    audited; a few a day, then 403)."""
    get_object_or_404(Organisation.objects.visible_to(request.user), pk=payload.organisation_id)
    if not Organisation.objects.editable_by(request.user).filter(pk=payload.organisation_id):
        raise PermissionDenied(gettext_noop("Bạn không có quyền thay đổi tổ chức này."))
    if payload.person is not None:
        try:
            membership = services.add_person_member(
                request.user,
                payload.organisation_id,
                payload.kind,
                payload.joined_on,
                payload.person.cccd,
                payload.person.full_name,
                payload.person.birth_date,
                payload.capital_contributed,
            )
        except ValidationError as exc:
            raise _prefixed(exc, "person.", IDENTITY_FIELDS) from None
        return Reply(201, membership)
    person = member = None
    if payload.person_id is not None:
        person = get_object_or_404(Person.objects.visible_to(request.user), pk=payload.person_id)
    if payload.member_organisation_id is not None:
        member = get_object_or_404(Organisation, pk=payload.member_organisation_id)
    membership = services.add_membership(
        request.user,
        payload.organisation_id,
        payload.kind,
        payload.joined_on,
        person=person,
        member_organisation=member,
        capital_contributed=payload.capital_contributed,
    )
    return Reply(201, membership)


IDENTITY_FIELDS = frozenset({"cccd", "full_name", "birth_date"})


def _prefixed(exc: ValidationError, prefix: str, fields: frozenset[str]) -> ValidationError:
    """The service's field names as the API's (`full_name` → `person.full_name`)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {(prefix + k if k in fields else k): v for k, v in exc.error_dict.items()}
    )


@router.post("/memberships/{int:pk}/end", auth=WRITE_AUTH, response={200: MembershipOut, **ERRORS})
def end_membership(request: HttpRequest, pk: PK, payload: MembershipEnd) -> Membership:
    get_object_or_404(Membership.objects.visible_to(request.user), pk=pk)
    return services.end_membership(request.user, pk, payload.left_on)


@router.delete("/memberships/{int:pk}", auth=WRITE_AUTH, response={204: None, **ERRORS})
def delete_membership(request: HttpRequest, pk: PK) -> Reply[None]:
    """For an entry made by mistake; leaves a tombstone for synchronising systems."""
    get_object_or_404(Membership.objects.visible_to(request.user), pk=pk)
    services.delete_membership(request.user, pk)
    return Reply(204, None)


@router.get("/tombstones", auth=WRITE_AUTH, response={200: Page[TombstoneOut], **ERRORS})
def list_tombstones(
    request: HttpRequest,
    since: Annotated[SyncTime, Query(description=SYNC_TIME_DOC)],
    cursor: str | None = None,
    limit: int | None = Query(None, ge=1, le=500),
) -> dict[str, Any]:
    """Deleted records since a time (ids only), for systems that sync with `updated_since`."""
    tombstones = Tombstone.objects.visible_to(request.user).filter(deleted_at__gte=since)
    return _page(tombstones, "deleted_at", False, cursor, limit)
