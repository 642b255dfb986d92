"""The one write path of the registry: its entrance. The functions live in `registry/writes/`,
one module per object; every public name is re-exported here.

Every function takes the acting user (None for the system itself, e.g. a command), checks that
the user may make the change, validates (Vietnamese messages), writes, records an audit entry
and refreshes the province's aggregates — all in one transaction.

- `organisations`: create, update (optimistic locking), the founding date;
- `status`: an organisation's dated status history;
- `people`: record a person, their contact details, add one as a member by identity facts;
- `identity`: the rules of that verification (budget of mismatches, import scopes in SQL);
- `memberships`: add, end, delete;
- `member_batch`: several people added as members at once, set-wise (a registration's founders);
- `rules`: the identity and membership rules as plain functions (pages, API and imports);
- `bulk_organisations`: new organisations in bulk (an import's new rows);
- `imports`: the set-wise write path of a member import;
- `organisation_stage`: a large organisation import's new rows, moved in at its end;
- `common`: permission to edit, the stale-edit error, saving one object.

Callers use `from htxso.registry import services` and the names below.
"""

from htxso.core import bulk as bulk_writes
from htxso.core.versions import StaleEdit

from .writes import identity
from .writes.bulk_organisations import (
    Checker,
    NewOrganisation,
    create_organisations,
    prepare_organisation,
)
from .writes.classification import set_classifications
from .writes.common import may_write_people, require_editable, require_person_writer
from .writes.imports import (
    MEMBERSHIP_IMPORT_FIELDS,
    PERSON_IDENTITY_FIELDS,
    PERSON_IMPORT_FIELDS,
    MemberStage,
    import_memberships,
    member_import_counts,
    membership_differs,
    membership_match,
)
from .writes.member_batch import MemberFacts, add_person_members
from .writes.memberships import add_membership, delete_membership, end_membership
from .writes.organisation_stage import Stage as OrganisationStage
from .writes.organisations import ORGANISATION_ARGUMENTS, create_organisation, update_organisation
from .writes.people import add_person_member, create_person, update_person_contact
from .writes.rules import (
    MEMBER_KINDS,
    age_on,
    check_founding_before_status,
    check_identity,
    check_membership,
    is_agricultural,
    member_count_problem,
    membership_passes_sql,
)
from .writes.status import change_status

__all__ = [
    "MEMBERSHIP_IMPORT_FIELDS",
    "MEMBER_KINDS",
    "ORGANISATION_ARGUMENTS",
    "PERSON_IDENTITY_FIELDS",
    "PERSON_IMPORT_FIELDS",
    "Checker",
    "MemberFacts",
    "MemberStage",
    "NewOrganisation",
    "OrganisationStage",
    "StaleEdit",
    "add_membership",
    "add_person_member",
    "add_person_members",
    "age_on",
    "bulk_writes",
    "change_status",
    "check_founding_before_status",
    "check_identity",
    "check_membership",
    "create_organisation",
    "create_organisations",
    "create_person",
    "delete_membership",
    "end_membership",
    "identity",
    "import_memberships",
    "is_agricultural",
    "may_write_people",
    "member_count_problem",
    "member_import_counts",
    "membership_differs",
    "membership_match",
    "membership_passes_sql",
    "prepare_organisation",
    "require_editable",
    "require_person_writer",
    "set_classifications",
    "update_organisation",
    "update_person_contact",
]
