"""Shared fixtures: a small block with two grassroots organizations and one user per role.

block (ĐUK)
├── committee A (đảng bộ cơ sở) ── cell A1, cell A2 (chi bộ trực thuộc)
└── cell B (chi bộ cơ sở)
"""

import os

import pytest
from django.db import connections

from registry.models import OrganizationKind, Role

from .factories import BlockFactory, OrganizationFactory, UserFactory, appoint


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Every test creates users; PBKDF2 would cost about a second per user here (production keeps it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty default cache (figures cached under the verdicts' version, tree counts)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def tree(db):
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
    return type(
        "Tree",
        (),
        {"block": block, "committee_a": committee_a, "cell_a1": cell_a1, "cell_a2": cell_a2, "cell_b": cell_b},
    )


@pytest.fixture
def other_block(db):
    """A second block with a grassroots cell and its secretary, outside `tree.block`: what a plan,
    a scope or a figure of `tree` must never reach."""
    block = BlockFactory(name="Đảng bộ Khối doanh nghiệp tỉnh", code="ĐUKDN")
    cell = OrganizationFactory(name="Chi bộ Công ty Cấp nước", kind=OrganizationKind.GRASSROOTS_CELL, parent=block)
    secretary = appoint(UserFactory(username="bithu_khac"), cell, Role.CELL_SECRETARY)
    return type("OtherBlock", (), {"block": block, "cell": cell, "secretary": secretary})


@pytest.fixture
def users(tree):
    """One user per role, each appointed where that role sits in the tree."""

    def make(name, org, role):
        return appoint(UserFactory(username=name), org, role)

    return type(
        "Users",
        (),
        {
            "secretary_a1": make("bithu_a1", tree.cell_a1, Role.CELL_SECRETARY),
            "secretary_b": make("bithu_b", tree.cell_b, Role.CELL_SECRETARY),
            "committee_staff_a": make("canbo_a", tree.committee_a, Role.GRASSROOTS_STAFF),
            "org_board": make("bantochuc", tree.block, Role.ORGANIZATION_BOARD),
            "propaganda_board": make("bantuyengiao", tree.block, Role.PROPAGANDA_BOARD),
            "standing": make("thuongvu", tree.block, Role.STANDING_COMMITTEE),
            "attendee": make("dusinhhoat", tree.block, Role.MEETING_ATTENDEE),
            "admin": make("quantri", tree.block, Role.SYSTEM_ADMIN),
        },
    )


# Browser tests: Debian's Chromium driven by Playwright's sync API inside live_server
# tests, which needs Django's async-safety check relaxed (see ../shared/PLATFORM.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.skip("Chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright's sync API is active the test runs in a context of its own, where
            # Django opened a second database connection: close it while still in that context,
            # or the test database cannot be dropped at the end of the session.
            connections.close_all()
