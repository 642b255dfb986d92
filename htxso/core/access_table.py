"""The access table: the kinds of data, the actions, how far a role reaches, and `TABLE`,
which says for each kind and action how far each role reaches.

`core.scoping` derives `visible_to`, `editable_by`, `reviewable_by` and `may` from it and
re-exports every name here, so apps keep importing from `core.scoping`. A new app adds its
kind and its rows here.
"""

import enum
from collections.abc import Mapping

from .roles import Role


class Kind(enum.StrEnum):
    """What kind of data a model holds (the rows of `TABLE`)."""

    REGISTRY = "registry"  # published registry fields of organisations, their status history
    PERSONAL = "personal"  # people, memberships and what is derived from them row by row
    REPORT = "report"  # periodic reports: business figures of an organisation or a province
    STATISTICS = "statistics"  # the indicator cube, releases
    AUDIT = "audit"  # the audit log (who changed or looked at what)
    JOB = "job"  # background jobs (imports) and what they keep
    ACCOUNTS = "accounts"  # user accounts (the admin site, lifting login locks)
    CATALOGUE = "catalogue"  # national word lists that shape how files are read (synonyms)
    APPLICATION = "application"  # registration applications, their dossier files and members
    TASK = "task"  # steering-committee directives, tasks, progress reports, reminders
    LISTING = "listing"  # the marketplace's products (sellers are active registry organisations)
    ORDER = "order"  # the marketplace's orders: the buyer's, the seller's, the province's oversight
    STAFF = "staff"  # who sells for an organisation on the marketplace: invitations, staff
    PRICES = "prices"  # market prices: commodities, series, observations, forecasts, calendars
    ALERT = "alert"  # a user's own subscriptions to price alerts and the notices they got
    TRACE = "trace"  # traceability: products, production diaries, EPCIS events
    CLASSIFICATION = "classification"  # yearly classification (self-scores, review, grade)
    ADVICE = "advice"  # digital-maturity assessments, advice plans, visits, adviser assignments
    ROUND = "round"  # a province's classification results of a year, sent to the centre
    FORUM = "forum"  # the yearly forum: editions, connection points, delegates, recommendations
    DESIGNATION = "designation"  # who is the follow-up's secretariat, committee, focal points


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    CREATE = "create"
    REVIEW = "review"  # approve or return what others filled in
    REVEAL = "reveal"  # see personal data unmasked (logged)
    EXPORT = "export"
    IMPORT = "import"
    RELEASE = "release"  # publish figures, change national forms


class Reach(enum.StrEnum):
    """How far a role reaches into a kind of data for one action."""

    ALL = "all"
    PROVINCE = "province"  # rows of the user's province
    COMMUNE = "commune"  # rows of the user's commune
    ORGANISATION = "organisation"  # rows of the user's organisation
    PERSON = "person"  # rows about the user as a person
    OWN = "own"  # rows the user created
    SUMMARIES = "summaries"  # rows about a whole province (no organisation)
    PROVINCE_ORGANISATIONS = "province_organisations"  # the province's rows about organisations
    PUBLISHED = "published"  # what the model declares published (e.g. released periods)
    ADVISED = "advised"  # rows of the organisations the user is assigned to advise
    STAFF = "staff"  # rows of the organisations the user was invited to sell for
    # Designations (`core.scoping.designations_of`): a function a user was named to within the
    # steering committee's follow-up, beyond their role. A reach below is dropped for a user
    # who does not hold the designation, so `may(user, action, kind)` answers for them too.
    SECRETARIAT = "secretariat"  # every row, for a user designated to the secretariat
    COMMITTEE = "committee"  # every row, for a user designated a member of the committee
    FOCAL_POINT = "focal_point"  # rows of the agencies the user is designated focal point of


A = Role.SYSTEM_ADMIN
C = Role.CENTRAL_OFFICER
P = Role.PROVINCIAL_OFFICER
V = Role.ALLIANCE_ADVISER
M = Role.COOPERATIVE_MANAGER
E = Role.MEMBER
U = Role.PUBLIC
R = Role.APPLICANT
B = Role.BUYER
X = Role.COMMUNE_OFFICER  # (xã)

EVERYONE = (A, C, P, V, M, E, U, R, B, X)
Reaches = tuple[Reach, ...]
Rule = Mapping[Role, Reaches]


def _every(*reach: Reach) -> Rule:
    return dict.fromkeys(EVERYONE, reach)


ALL = (Reach.ALL,)
PROVINCE = (Reach.PROVINCE,)
ORGANISATION = (Reach.ORGANISATION,)
PERSON = (Reach.PERSON,)
OWN = (Reach.OWN,)
PUBLISHED = (Reach.PUBLISHED,)
# The marketplace's invited seller staff: anyone signed in but officers (who oversee sellers).
_STAFF: Rule = {role: (Reach.STAFF,) for role in (V, E, U, R, B)}

# The roles table of DESIGN.md as it is built today (a role absent from a rule reaches nothing).
# Where today's behaviour is narrower than DESIGN.md, today's is kept:
# - alliance advisers see what the public sees, and the assessments of the organisations they
#   are assigned to (`Reach.ADVISED`: the assessment app's AdviserAssignment rows);
# - members see their own person and memberships, and change nothing here (contact details
#   are the cooperative's to keep);
# - central officers see personal data but do not reveal it (their work is the provinces');
# - a provincial officer sees their province's figures live, and released ones elsewhere.
TABLE: Mapping[Kind, Mapping[Action, Rule]] = {
    Kind.REGISTRY: {
        Action.VIEW: _every(Reach.ALL),  # the published registry
        Action.EXPORT: _every(Reach.ALL),
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        Action.CREATE: {A: ALL, P: PROVINCE},
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.PERSONAL: {
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.EXPORT: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        Action.REVEAL: {A: ALL, P: PROVINCE, M: ORGANISATION, E: PERSON},
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.REPORT: {
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, M: ORGANISATION},
        Action.EDIT: {A: ALL, P: PROVINCE, M: ORGANISATION},
        # A province reviews its organisations' reports; central officers the provinces'.
        Action.REVIEW: {
            A: ALL,
            C: (Reach.SUMMARIES,),
            P: (Reach.PROVINCE_ORGANISATIONS,),
        },
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ORGANISATION},
    },
    Kind.STATISTICS: {
        # Live figures for national roles and a province's own officer; released ones (small
        # cells suppressed) for everyone else (the model declares what is published).
        Action.VIEW: {**_every(Reach.PUBLISHED), A: ALL, C: ALL, P: (Reach.PROVINCE,)},
        Action.EXPORT: {**_every(Reach.PUBLISHED), A: ALL, C: ALL, P: (Reach.PROVINCE,)},
        Action.RELEASE: {A: ALL, C: ALL},
    },
    Kind.AUDIT: {
        # The trail of an object follows the object's own audit scope (Scope on its model).
        # Everyone signed in sees who looked them up (their person).
        Action.VIEW: {
            **_every(Reach.PERSON),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PERSON),
            M: (Reach.ORGANISATION, Reach.PERSON),
        },
    },
    Kind.JOB: {
        Action.VIEW: {**_every(Reach.OWN), A: ALL},
        Action.EDIT: _every(Reach.OWN),
    },
    Kind.ACCOUNTS: {
        # A provincial officer lifts the login locks of their province's users below them
        # (`core/lockout.py` says who is below); the system admin manages every account.
        Action.EDIT: {A: ALL, P: PROVINCE},
    },
    Kind.CATALOGUE: {
        # The import synonyms: national, kept by central officers; provinces read them.
        Action.VIEW: {A: ALL, C: ALL, P: ALL},
        Action.EDIT: {A: ALL, C: ALL},
    },
    Kind.APPLICATION: {
        # A founder their own applications (edited while a draft or returned for corrections:
        # the model's conditions); the office the rules name decides: a commune's officer the
        # cases of the kinds its commune registers (the model's `office_commune`), the
        # province's officer every case of the province (unions only there); national roles
        # follow every one.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, R: OWN, X: (Reach.COMMUNE,)},
        Action.CREATE: {R: OWN},
        Action.EDIT: {R: OWN},
        Action.REVIEW: {A: ALL, P: PROVINCE, X: (Reach.COMMUNE,)},
    },
    Kind.TASK: {
        # The steering committee's follow-up (tasks/), by designation (tasks' `Designation`):
        # only the secretariat writes directives and tasks and accepts or returns progress
        # reports; a ministry's (or another body's) focal points report on its tasks; the
        # committee reads everything and writes nothing. A central officer without a
        # designation reads like the committee (central officers follow every province) and
        # writes nothing. A province's officer is the focal point of its province's people's
        # committee by role (its province's tasks); one designated to the committee also reads
        # every province. Published directives (aggregate progress) are public.
        Action.VIEW: {
            **_every(Reach.PUBLISHED),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PUBLISHED, Reach.COMMITTEE),
        },
        Action.EDIT: {A: ALL, C: (Reach.FOCAL_POINT,), P: PROVINCE},
        Action.CREATE: {A: ALL, C: (Reach.SECRETARIAT,)},
        Action.REVIEW: {A: ALL, C: (Reach.SECRETARIAT,)},
        Action.EXPORT: {A: ALL, C: ALL, P: (Reach.PROVINCE, Reach.COMMITTEE)},
    },
    Kind.DESIGNATION: {
        # Who holds which function in the follow-up: named and ended by the secretariat or the
        # system admin; central officers (the committee among them) see the list; a
        # province's officer sees its own designations.
        Action.VIEW: {A: ALL, C: ALL, P: OWN},
        Action.CREATE: {A: ALL, C: (Reach.SECRETARIAT,)},
        Action.EDIT: {A: ALL, C: (Reach.SECRETARIAT,)},
    },
    Kind.FORUM: {
        # The yearly forum (tasks/forum/). The secretariat (designated central officers)
        # organises an edition (RELEASE: theme, programme, documents, the connection points)
        # and routes and answers recommendations; a province's officer keeps its connection
        # point (host, attendance, delegates) and raises the province's recommendations; a
        # cooperative's or a union's manager registers its delegates and raises its own. The
        # competent agency answers (REVIEW through the answer's own scope: the agency's
        # province, or its designated focal points). The committee and undesignated central
        # officers read everything and write nothing. Editions, connection points and
        # published answers are public.
        Action.VIEW: {
            **_every(Reach.PUBLISHED),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PUBLISHED, Reach.COMMITTEE),
            M: (Reach.ORGANISATION, Reach.PUBLISHED),
        },
        Action.CREATE: {A: ALL, C: (Reach.SECRETARIAT,), P: PROVINCE, M: ORGANISATION},
        Action.EDIT: {A: ALL, C: (Reach.SECRETARIAT,), P: PROVINCE, M: ORGANISATION},
        Action.REVIEW: {A: ALL, C: (Reach.SECRETARIAT, Reach.FOCAL_POINT), P: PROVINCE},
        Action.RELEASE: {A: ALL, C: (Reach.SECRETARIAT,)},
    },
    Kind.LISTING: {
        # The catalogue is public (the model keeps only active sellers' products in view); a
        # cooperative's manager keeps its own products, and so do the people they invited to
        # sell for it (`Reach.STAFF`: the marketplace's staff rows; officers are never staff).
        Action.VIEW: _every(Reach.ALL),
        Action.CREATE: {A: ALL, M: (Reach.ORGANISATION, Reach.STAFF), **_STAFF},
        Action.EDIT: {A: ALL, M: (Reach.ORGANISATION, Reach.STAFF), **_STAFF},
    },
    Kind.ORDER: {
        # A buyer sees and cancels their own orders; the seller's staff (its manager and the
        # people invited) see theirs and move them on (REVIEW); a province's officer follows
        # its sellers' orders, read-only. Any signed-in person may buy (B2B too).
        Action.VIEW: {
            A: ALL,
            C: ALL,
            P: PROVINCE,
            M: (Reach.ORGANISATION, Reach.OWN, Reach.STAFF),
            **{role: (Reach.OWN, Reach.STAFF) for role in (V, E, U, R, B)},
            X: OWN,
        },
        Action.CREATE: {role: OWN for role in (M, V, E, U, R, B, X)},
        Action.EDIT: {role: OWN for role in (M, V, E, U, R, B, X)},
        Action.REVIEW: {A: ALL, M: (Reach.ORGANISATION, Reach.STAFF), **_STAFF},
        Action.EXPORT: {
            A: ALL,
            C: ALL,
            P: PROVINCE,
            M: (Reach.ORGANISATION, Reach.STAFF),
            **_STAFF,
        },
    },
    Kind.STAFF: {
        # A cooperative's manager invites people to sell for it and revokes them; the invited
        # see their own rows; a province's officer sees who sells for its organisations.
        Action.VIEW: {
            A: ALL,
            C: ALL,
            P: PROVINCE,
            M: (Reach.ORGANISATION, Reach.OWN),
            **{role: OWN for role in (V, E, U, R, B)},
        },
        Action.CREATE: {A: ALL, M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
    },
    Kind.PRICES: {
        # Market information is public. Members, managers and officers report prices (a
        # provincial officer in their own province); officers load files; the system the rest.
        Action.VIEW: _every(Reach.ALL),
        Action.EXPORT: _every(Reach.ALL),
        Action.CREATE: {A: ALL, C: ALL, P: PROVINCE, M: ALL, E: ALL},
        Action.EDIT: {A: ALL, C: ALL, P: PROVINCE},
        # Price files (`prices/price_file.py`): only roles that already import elsewhere, since
        # `may(user, "import")` over every kind opens the registry's import pages (central
        # officers import nothing); a manager's file may name any province, as its reports do.
        Action.IMPORT: {A: ALL, P: PROVINCE, M: ALL},
    },
    Kind.ALERT: {
        # Every signed-in user (not the public, not an applicant) keeps their own alerts.
        Action.VIEW: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
        Action.CREATE: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
        Action.EDIT: {A: OWN, C: OWN, P: OWN, V: OWN, M: OWN, E: OWN},
    },
    Kind.TRACE: {
        # A cooperative keeps its own diary and records its own events; national roles and the
        # province's officer follow them; everyone else (the shopper scanning a package) sees
        # only what the cooperative marked public (the model's `published`). A recall crosses
        # provinces and organisations (a lot does not stop at a border): inspectors export it.
        Action.VIEW: {
            **_every(Reach.PUBLISHED),
            A: ALL,
            C: ALL,
            P: (Reach.PROVINCE, Reach.PUBLISHED),
            M: (Reach.ORGANISATION, Reach.PUBLISHED),
        },
        Action.CREATE: {A: ALL, M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
        Action.EXPORT: {A: ALL, C: ALL, P: ALL},
    },
    Kind.CLASSIFICATION: {
        # The manager self-scores their cooperative; the province reviews (adjusts, approves,
        # returns); an adviser follows the organisations assigned to them; national roles all.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.EDIT: {A: ALL, M: ORGANISATION},
        Action.REVIEW: {A: ALL, P: PROVINCE},
    },
    Kind.ADVICE: {
        # The adviser assigned to an organisation and its manager fill the questionnaire and
        # keep the plan; the province assigns advisers (CREATE) and follows; national roles all.
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.EDIT: {A: ALL, V: (Reach.ADVISED,), M: ORGANISATION},
        Action.CREATE: {A: ALL, P: PROVINCE},
    },
    Kind.ROUND: {
        # A province's officer sends its round's results to the centre (CREATE, by 21/12);
        # central officers receive them or return them to the province (REVIEW).
        Action.VIEW: {A: ALL, C: ALL, P: PROVINCE},
        Action.CREATE: {A: ALL, P: PROVINCE},
        Action.REVIEW: {A: ALL, C: ALL},
    },
}
