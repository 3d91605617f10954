"""Figures served from the cache and refreshed behind the page (criteria.figure_cache, issue 12).

What a standing-committee member notices: the dashboard opens at once after any write anywhere
(the previous figures, said to be updating), and the next view shows the new ones."""

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from criteria import figure_cache
from criteria.tasks import refresh_figures


@pytest.fixture
def computer():
    calls = []

    def compute(root_id, year):
        calls.append((root_id, year))
        return {"root": root_id, "year": year, "run": len(calls)}

    figure_cache.register("test-figures", compute)
    return calls


ARGS = {"root_id": 7, "year": 2025}


def test_the_first_view_computes_and_the_next_ones_at_the_same_version_read_the_cache(computer):
    figures, computed_at, refreshing = figure_cache.get("test-figures", ARGS, "v1", "vi")
    assert figures["run"] == 1 and not refreshing and computed_at is not None
    again, _at, refreshing = figure_cache.get("test-figures", ARGS, "v1", "vi")
    assert again["run"] == 1 and not refreshing
    assert len(computer) == 1


def test_after_a_write_the_page_gets_the_previous_figures_and_one_recomputation_is_scheduled(computer):
    figure_cache.get("test-figures", ARGS, "v1", "vi")
    with mock.patch.object(refresh_figures, "delay") as delay:  # a worker would run it later
        figures, _at, refreshing = figure_cache.get("test-figures", ARGS, "v2", "vi")
        assert figures["run"] == 1 and refreshing, "served at once, said to be updating"
        figure_cache.get("test-figures", ARGS, "v2", "vi")  # a second view while it is on its way
    assert delay.call_count == 1, "one recomputation, not one per view"
    assert len(computer) == 1, "nothing recomputed in the request"

    figure_cache.recompute("test-figures", ARGS, "v2", "vi")  # what the worker does
    figures, _at, refreshing = figure_cache.get("test-figures", ARGS, "v2", "vi")
    assert figures["run"] == 2 and not refreshing


def test_on_the_embedded_default_the_recomputation_runs_in_the_request(computer):
    figure_cache.get("test-figures", ARGS, "v1", "vi")
    figures, _at, refreshing = figure_cache.get("test-figures", ARGS, "v2", "vi")  # tests run Celery eagerly
    assert figures["run"] == 2 and not refreshing


def test_a_broker_away_serves_the_previous_figures_and_tries_again_at_the_next_view(computer):
    figure_cache.get("test-figures", ARGS, "v1", "vi")
    with mock.patch.object(refresh_figures, "delay", side_effect=OperationalError("Redis down")) as delay:
        figures, _at, refreshing = figure_cache.get("test-figures", ARGS, "v2", "vi")
        assert figures["run"] == 1 and refreshing
        figure_cache.get("test-figures", ARGS, "v2", "vi")
    assert delay.call_count == 2, "the lock was released, so the next view schedules it again"


def test_languages_and_arguments_are_kept_apart(computer):
    figure_cache.get("test-figures", ARGS, "v1", "vi")
    figure_cache.get("test-figures", ARGS, "v1", "en")
    figure_cache.get("test-figures", {"root_id": 8, "year": 2025}, "v1", "vi")
    assert len(computer) == 3
