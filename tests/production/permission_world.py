"""The permission world, built ONCE per test module (not once per parametrized case).

The same tree and users as the `tree` / `users` fixtures of tests/conftest.py, the objects
of tests/production/world.py inside ("in": cell A1 / committee A) and outside ("out":
another block) every restricted role's reach, and two members with distinctive names
that the body checks search for in every response:

- FOREIGN_NAME, a member of the other block's cell: only the system administrator of the
  root may ever see it;
- SIBLING_NAME, a member of grassroots cell B: the block's roles and B's secretary see it,
  cell A1's secretary and committee A's staff never do.

`shared_world` opens one transaction around the whole module and rolls it back at the
end; each test runs in a savepoint inside it (pytest-django's `db`), so tests never see
each other's writes and the rest of the suite never sees this world.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from registry.models import Member, OrganizationKind, Role
from tests.factories import BlockFactory, MembershipFactory, OrganizationFactory, UserFactory, appoint

from .world import ROLE_USERS, build_world

FOREIGN_NAME = "Zzyzx Ngoại Phạm Vi"
SIBLING_NAME = "Zzyzx Chi Bộ Bê"


def build_tree():
    """The tree of tests/conftest.py `tree`."""
    block = BlockFactory(name="Đảng bộ Khối cơ quan và doanh nghiệp tỉnh")
    committee_a = OrganizationFactory(
        name="Đảng bộ Sở Tài chính", kind=OrganizationKind.GRASSROOTS_COMMITTEE, parent=block
    )
    cell_a1 = OrganizationFactory(
        name="Chi bộ Phòng Ngân sách", kind=OrganizationKind.SUBORDINATE_CELL, parent=committee_a
    )
    cell_a2 = OrganizationFactory(
        name="Chi bộ Văn phòng Sở", kind=OrganizationKind.SUBORDINATE_CELL, parent=committee_a
    )
    cell_b = OrganizationFactory(name="Chi bộ Ban Dân tộc", kind=OrganizationKind.GRASSROOTS_CELL, parent=block)
    return SimpleNamespace(block=block, committee_a=committee_a, cell_a1=cell_a1, cell_a2=cell_a2, cell_b=cell_b)


def build_users(tree):
    """The users of tests/conftest.py `users`: one per role, appointed where the role sits."""

    def make(name, org, role):
        return appoint(UserFactory(username=name), org, role)

    return SimpleNamespace(
        secretary_a1=make("bithu_a1", tree.cell_a1, Role.CELL_SECRETARY),
        secretary_b=make("bithu_b", tree.cell_b, Role.CELL_SECRETARY),
        committee_staff_a=make("canbo_a", tree.committee_a, Role.GRASSROOTS_STAFF),
        org_board=make("bantochuc", tree.block, Role.ORGANIZATION_BOARD),
        propaganda_board=make("bantuyengiao", tree.block, Role.PROPAGANDA_BOARD),
        standing=make("thuongvu", tree.block, Role.STANDING_COMMITTEE),
        attendee=make("dusinhhoat", tree.block, Role.MEETING_ATTENDEE),
        admin=make("quantri", tree.block, Role.SYSTEM_ADMIN),
    )


def build():
    tree = build_tree()
    users = build_users(tree)
    ids = build_world(tree, users)
    # The out-of-scope member attends the other block's meeting, sits on its roll, is rated
    # and attested: every surface that could leak them has them.
    Member.objects.filter(pk=ids["out"]["member"]).update(full_name=FOREIGN_NAME)
    MembershipFactory(cell=tree.cell_b, start_date=datetime.date(2015, 1, 1), member__full_name=SIBLING_NAME)
    clients = {"anon": Client()}
    for role, attribute in ROLE_USERS.items():
        clients[role] = Client()
        clients[role].force_login(getattr(users, attribute))
    return SimpleNamespace(tree=tree, users=users, ids=ids, clients=clients)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def pworld(shared_world, db):
    """The module's world, in a savepoint of its own for this test (`db` nests inside `shared_world`)."""
    return shared_world
