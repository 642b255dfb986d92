"""Schemathesis over the whole OpenAPI document, with every check it has.

Each operation runs the examples, coverage and fuzzing phases, positive and negative data,
once as an anonymous client and once with a provincial officer's token (so the writes are
exercised past authentication). Every default check applies (`checks=None`): server errors,
status codes, content types, response headers and schemas, negative data rejected, positive
data accepted, missing required headers, unsupported methods (a JSON 405 with `Allow`),
ignored authentication, use-after-free / resource availability (stateful: they only fire when
a recorder links calls), object-level authorization. The one adjustment is explained at
`positive_data_acceptance_beyond_business_rules`.

Bounded for a 2-core machine: `max_examples=10` per operation and mode, 30 stateful scenarios
of up to 8 calls, derandomized, no example database, so a run is reproducible on SQLite and
PostgreSQL alike.
"""

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja.throttling import BaseThrottle
from schemathesis.specs.openapi.checks import positive_data_acceptance

from htxso.core.api import api as ninja_api
from htxso.core.roles import Role
from htxso.core.tokens import issue_token
from htxso.reporting import services as reporting_services
from htxso.reporting.models import ReportForm
from htxso.wsgi import application

from .conftest import make_user
from .factories import MembershipFactory, OrganisationFactory, PersonFactory

# Fields whose rules no JSON Schema can state, so a schema-valid value may still be refused
# (422): the API answers these with the field named, as documented. Anything else refused on
# schema-valid data is a failure.
BUSINESS_RULE_FIELDS = {
    "cursor",  # opaque: only a `next_cursor` the API gave is valid
    "province_code",  # must be one of the 34 provinces (reference data)
    "commune_code",  # must be one of the 3,321 communes
    "tax_code",  # MST check digit (core/mst.py)
    "cccd",  # CCCD structure: province, century/sex digit, birth year (core/cccd.py)
    "person.cccd",
    "person.birth_date",  # must agree with the CCCD's year
    "person.full_name",  # with a registered CCCD: must be the registered person's
    "birth_year",  # must agree with the CCCD and with birth_date
    "birth_date",
    "joined_on",  # a membership cannot start before the organisation was established
    "left_on",  # nor end before it started
    "effective_on",  # a status change cannot predate the previous one
    "registered_on",
    "established_on",
    "status",  # transitions between statuses follow the law (services.change_status)
    "kind",  # member kinds allowed depend on the organisation's kind
    "agricultural_type",  # only for agricultural organisations
    "vsic_code",
    "email",  # Django's EmailValidator (model EmailField)
    "website",  # Django's URLValidator (model URLField)
    "",  # a rule over several fields (e.g. a person already a member)
    # List filters (core/api_filters.py: the pages' forms, whose choices are reference data).
    "province",  # one of the 34 provinces
    "commune",  # a commune of the chosen province
    "area",  # VN or one of the 34 provinces
    # Reports (reporting/services.py).
    "period",  # the form's periodicity; started (to open), ended (to submit or release)
    "comment",  # a reason to return a report: not only spaces
    # Imports (exchange/api.py): an upload is judged by its name, size and bytes (XLSX or CSV).
    "file",
    # Steering-committee tasks (tasks/): filters by reference data (an agency's code, a
    # directive's number), texts that must not be only spaces.
    "agency",
    "directive",
    "text",
    "note",
    # The marketplace (marketplace/api.py): a pasted VietQR is judged by its structure and CRC;
    # a price filter is an amount written the Vietnamese way (core.values.parse_money).
    "payload",
    "max_price",
    # A purchase request: a need dated today or later, a product named by more than spaces.
    "needed_by",
    "product",
    # Prices (prices/services.py): a commodity of the catalogue (reference data); a reported
    # price at most 100 million đ/kg once its unit is converted.
    "commodity",
    "value",
    # Traceability (traceability/api.py): an opaque page token, times that need their offset,
    # a Digital Link's grammar and check digits, an EPCIS document's official schema.
    "nextPageToken",
    "GE_eventTime",
    "LT_eventTime",
    "uri",
    "epc",
    "document",
    # The forum (tasks/forum/api.py): texts that must not be only spaces, a deadline from
    # today on, the forum's year among the filters (an integer the form bounds).
    "title",
    "difficulty",
    "proposal",
    "answer",
    "due_on",
    "name",
    "unit",
    "year",
}
# A report's values are checked against its form version (types, bounds, rules): `values.<key>`;
# an EPCIS document against the official schema: `epcisBody.…`.
BUSINESS_RULE_PREFIXES = ("values.", "epcisBody")


def positive_data_acceptance_beyond_business_rules(ctx, response, case):
    """Schemathesis's `positive_data_acceptance`, except for a 422 that names only fields
    with business rules (BUSINESS_RULE_FIELDS): schema-valid is not registry-valid there."""
    if response.status_code == 422:
        fields = {error["field"] for error in response.json()["errors"]}
        if fields and all(
            f in BUSINESS_RULE_FIELDS or f.startswith(BUSINESS_RULE_PREFIXES) for f in fields
        ):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.fixture(params=["anonymous", "token"])
def identity(request, db) -> dict[str, str]:
    if request.param == "anonymous":
        return {}
    officer = make_user("st-can-bo-19", Role.PROVINCIAL_OFFICER, "19")
    return {"Authorization": f"Bearer {issue_token(None, officer, 'schemathesis')}"}


@pytest.fixture(autouse=True)
def world(db, identity, settings, tmp_path):
    """Something to find, and an API that neither throttles nor closes the test's connection.
    Uploaded files go to a temporary directory and their jobs run in the request."""
    settings.MEDIA_ROOT = tmp_path
    settings.JOBS_BACKEND = "inline"
    organisation = OrganisationFactory(province_id="19")
    MembershipFactory(organisation=organisation, person=PersonFactory(province_id="19"))
    # Reporting: the reference forms and indicators, a draft report of the organisation.
    call_command("load_reporting", verbosity=0)
    annual = ReportForm.objects.get(code="htx-annual")
    reporting_services.open_report(None, annual, str(dt.date.today().year - 1), organisation)
    # Called as a WSGI app, Django closes the database connection at each request's end,
    # which on PostgreSQL would close the test's transaction; Django's own test client
    # disconnects these handlers in the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    throttles = [t for t in ninja_api.throttle if isinstance(t, BaseThrottle)]
    saved = [(t.num_requests, t.duration) for t in throttles]
    for throttle in throttles:
        throttle.num_requests = 10**6
    cache.clear()
    yield
    for throttle, (num, duration) in zip(throttles, saved, strict=True):
        throttle.num_requests, throttle.duration = num, duration
    cache.clear()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, identity):
    case.call_and_validate(
        headers=identity,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_beyond_business_rules],
    )


def test_stateful_workflows(identity):
    """Sequences of calls linked through their responses (links schemathesis infers: an
    organisation created, then read, patched, given a member whose membership is ended and
    deleted…): here `use_after_free` and `ensure_resource_availability` have something to
    check, which they cannot on single calls."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"headers": identity}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                excluded_checks=[positive_data_acceptance],
                additional_checks=[positive_data_acceptance_beyond_business_rules],
                headers=identity,
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    Workflow.run(
        settings=settings(
            max_examples=30,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_every_operation_is_exercised():
    """`parametrize` covers what the document lists; the document lists every route."""
    operations = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    # registry 16, reporting 13, exchange 6, registration 7, tasks 7 + forum 8 + designations
    # 3, marketplace 8 + purchase requests 5, prices 5, traceability 4, assessment 6
    assert len(operations) == 88
    assert {method for method, _path in operations} == {"GET", "POST", "PUT", "PATCH", "DELETE"}
