"""Fixtures of the recognition tests: plans from fixtures/plans.json, media in a temporary folder."""

import datetime
import json
from pathlib import Path

import pytest

from criteria.models import Plan, Scheme
from recognition import services
from recognition.models import State

PLANS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "plans.json"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _fixture_fields(scheme):
    if PLANS_FILE.exists():
        for row in json.loads(PLANS_FILE.read_text()):
            if row.get("model") == "criteria.plan" and row["fields"]["scheme"] == scheme:
                return dict(row["fields"])
    return None


def make_plan(scheme, issuer):
    """A plan of `scheme` with the parameters the seeds give (fixtures/plans.json when present)."""
    fields = _fixture_fields(scheme) or {
        "title": f"Kế hoạch {scheme}",
        "issuer_name": "Đảng ủy Khối cơ quan và doanh nghiệp tỉnh Yên Bái",
        "number": "1-KH/ĐUK",
        "issued_on": "2022-04-25",
        "period_start_year": 2021,
        "period_end_year": 2025,
        "params": {},
    }
    fields.pop("copied_from", None)
    fields.pop("issuer", None)
    fields["issued_on"] = datetime.date.fromisoformat(str(fields["issued_on"]))
    fields["scheme"] = scheme
    return Plan.objects.create(issuer=issuer, **fields)


@pytest.fixture
def plans(tree):
    return type(
        "Plans",
        (),
        {scheme: make_plan(scheme, tree.block) for scheme in (Scheme.MODEL_CELL, Scheme.FOUR_GOODS, Scheme.EXEMPLARY)},
    )


PATHS = {
    # the order of steps each position goes through, after "submitted"
    "grassroots_then_decide": [State.APPRAISED_GRASSROOTS],
    "grassroots_then_board": [State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD],
    "board": [State.APPRAISED_BOARD],
}


# The test tree holds few facts, so most verdicts are "not eligible": recognizing then needs the
# decider's written reason (issue 12). `advance` gives this one; tests of the rule itself are in
# test_override.py, where the reason is given or withheld on purpose.
OVERRIDE_REASON = "Ban Thường vụ đã đối chiếu hồ sơ minh chứng và thống nhất công nhận."


def advance(registration, target, user, override_reason=OVERRIDE_REASON):
    """Walk a registration through the workflow up to `target`, acting as `user` (an admin);
    recognizing with `override_reason` (recorded only when the verdict is not eligible)."""
    order = [State.DRAFT, State.SUBMITTED, State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD, State.RECOGNIZED]
    registration.refresh_from_db()
    while registration.state != target:
        state = registration.state
        if state == State.DRAFT:
            services.registration_submit(registration=registration, user=user)
        elif state == State.SUBMITTED and registration.needs_grassroots_appraisal:
            services.registration_appraise_grassroots(registration=registration, user=user)
        elif state == State.SUBMITTED or (
            state == State.APPRAISED_GRASSROOTS and not registration.authority_decides_after_grassroots
        ):
            if target == State.RECOGNIZED or order.index(target) >= order.index(State.APPRAISED_BOARD):
                services.registration_appraise_board(registration=registration, user=user)
            else:
                raise AssertionError(f"{target} is not on this registration's path")
        elif state in (State.APPRAISED_GRASSROOTS, State.APPRAISED_BOARD) and target == State.RECOGNIZED:
            services.registration_recognize(
                registration=registration,
                user=user,
                issued_on=datetime.date(2025, 3, 20),
                override_reason=override_reason,
            )
        else:
            raise AssertionError(f"cannot reach {target} from {state}")
        registration.refresh_from_db()
    return registration
