"""The search page's URL state: a search is a link, facet clicks toggle, the metric form folds in."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from assetscout.errors import InvalidInput
from assetscout.search.web.state import SearchState, metric_sort_of


def state_of(url: str) -> SearchState:
    return SearchState.from_params(parse_qsl(urlsplit(url).query))


def test_round_trip_through_the_url() -> None:
    s = SearchState(q="object detector", filters=("license=mit", "kind=model"), metrics=("map>=40@COCO",),
                    sort="downloads", offset=20, interpret=False, literal=("under 20M",))
    assert state_of(s.url()) == s
    assert SearchState().url() == "/"


def test_toggle_adds_then_removes_and_resets_the_page() -> None:
    s = SearchState(q="bert", offset=40)
    on = s.toggled(["license=mit"])
    assert on.filters == ("license=mit",) and on.offset == 0
    assert on.toggled(["license=mit"]).filters == ()
    sized = on.toggled(["min_parameters=10M", "max_parameters=100M"]).toggled(["max_parameters=10M"])
    assert sized.filters == ("license=mit", "max_parameters=10M")  # one parameter range at a time


def test_metric_form_becomes_a_constraint_and_a_sort() -> None:
    s = SearchState.from_params([("q", "x"), ("m_metric", "map"), ("m_op", ">="), ("m_value", "40"),
                                 ("m_dataset", "COCO"), ("m_sort", "1")])
    assert s.metrics == ("map>=40@COCO",) and s.sort == "metric:map@COCO"
    only_sort = SearchState.from_params([("m_metric", "top1"), ("m_value", ""), ("m_sort", "1")])
    assert only_sort.metrics == () and only_sort.sort == "metric:top1"
    assert metric_sort_of("R@1>=0.5@MSCOCO") == "metric:R@1@MSCOCO"


@pytest.mark.parametrize("params,words", [
    ([("m_value", "40")], "metric name"),
    ([("m_metric", "map")], "needs a value"),
    ([("m_metric", "map"), ("m_value", "1"), ("m_op", "!=")], "not allowed"),
    ([("offset", "abc")], "offset"),
    ([("k", "100000")], "between"),
])
def test_bad_parameters_say_what_is_wrong(params, words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        SearchState.from_params(params)
