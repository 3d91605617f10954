"""Who sees and changes what: the one place that decides.

A user acts for organizations through appointments (registry.models.Appointment),
each with a role. A role grants capabilities; a capability held for an
organization reaches everything under it in the tree. Every page, admin class,
API view and export reads through `ScopedQuerySet.visible_to(user, capability)`,
and looks single objects up with `get_object_or_404` on that queryset, so an
object outside the user's reach answers 404 everywhere alike.
"""

from django.db import models
from django.db.models import Q

# Capabilities, each a verb a view or service asks for.
VIEW = "view"
EDIT_REGISTRY = "edit_registry"  # members, memberships, ratings, attestations
FILE_MONTHLY = "file_monthly"  # meetings, attendance, four-goods self-assessment
LOCK_MONTH = "lock_month"  # lock / reopen a month's self-assessment
ATTEND = "attend"  # report on a meeting as the assigned upper-level attendee
REGISTER = "register"  # file a registration for recognition
APPRAISE_GRASSROOTS = "appraise_grassroots"  # grassroots committee appraises its cells
APPRAISE_BOARD = "appraise_board"  # a board of the upper level appraises
DECIDE = "decide"  # the standing committee decides and signs
MANAGE_PLANS = "manage_plans"
MANAGE_TREE = "manage_tree"  # create, move, retype or close organizations (SCHEMES §0)

ROLE_CAPABILITIES = {
    "cell_secretary": {VIEW, EDIT_REGISTRY, FILE_MONTHLY, REGISTER},
    "grassroots_staff": {VIEW, EDIT_REGISTRY, FILE_MONTHLY, LOCK_MONTH, REGISTER, APPRAISE_GRASSROOTS, DECIDE},
    "org_board": {VIEW, EDIT_REGISTRY, ATTEND, APPRAISE_BOARD, MANAGE_PLANS, MANAGE_TREE},
    "propaganda_board": {VIEW, APPRAISE_BOARD, REGISTER},
    "standing": {VIEW, ATTEND, DECIDE, MANAGE_PLANS},
    "attendee": {VIEW, ATTEND},
    "sysadmin": {
        VIEW,
        EDIT_REGISTRY,
        FILE_MONTHLY,
        LOCK_MONTH,
        ATTEND,
        REGISTER,
        APPRAISE_GRASSROOTS,
        APPRAISE_BOARD,
        DECIDE,
        MANAGE_PLANS,
        MANAGE_TREE,
    },
}


def _appointments(user):
    """(role, path) pairs of the user's appointments, read once per user object."""
    cached = getattr(user, "_scope_appointments", None)
    if cached is None:
        cached = list(user.appointments.values_list("role", "organization__path"))
        user._scope_appointments = cached
    return cached


def is_unrestricted(user):
    """Superusers and system administrators of a root organization see everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(role == "sysadmin" and path.count(".") == 1 for role, path in _appointments(user))


def prefixes_for(user, capability=VIEW):
    """Tree paths under which `user` holds `capability`; None means everywhere."""
    if is_unrestricted(user):
        return None
    if not user.is_authenticated or not user.is_active:
        return []
    return sorted({path for role, path in _appointments(user) if capability in ROLE_CAPABILITIES.get(role, ())})


def roles_for(user):
    return {role for role, _path in _appointments(user)} if user.is_authenticated else set()


def can(user, capability, organization):
    """Does `user` hold `capability` for `organization` (itself or an ancestor)?"""
    prefixes = prefixes_for(user, capability)
    return prefixes is None or any(organization.path.startswith(p) for p in prefixes)


def can_anywhere(user, capability):
    prefixes = prefixes_for(user, capability)
    return prefixes is None or bool(prefixes)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to restrict itself to a user's organizations.

    `scope_lookup` is the path to the owning organization's `path` field. When the
    lookup crosses a to-many relation, `scope_through_many` keeps the result free of
    duplicates by filtering on a primary-key subquery (still one SQL statement).
    """

    scope_lookup = "organization__path"
    scope_through_many = False

    @staticmethod
    def _prefix_q(lookup, prefixes):
        query = Q(pk__in=[])
        for prefix in prefixes:
            query |= Q(**{f"{lookup}__startswith": prefix})
        return query

    @staticmethod
    def _prefixes(user, capability):
        return prefixes_for(user, capability)

    def visible_to(self, user, capability=VIEW):
        prefixes = prefixes_for(user, capability)
        if prefixes is None:
            return self
        condition = self._prefix_q(self.scope_lookup, prefixes)
        if self.scope_through_many:
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)

    def writable_by(self, user, capability):
        """The objects `user` may change with `capability`: the write half of the policy.

        Reading and writing are separate questions (a cell reads its former members'
        history but changes only its current members), so models whose write reach
        differs from their read reach override this. Write services look the stored
        object up through it (never trusting ids from a request body) and answer 404
        for anything outside it, exactly as for a nonexistent object.
        """
        return self.visible_to(user, capability)

    def editable_by(self, user):
        return self.writable_by(user, EDIT_REGISTRY)
