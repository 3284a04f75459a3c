"""A member's scorecard (phiếu đánh giá): one option per criterion of the product's sheet, checked against it."""

from __future__ import annotations

import pytest

from services.rating.domain.errors import InvalidScorecard
from services.rating.domain.scoring import validate_scorecard
from tests.rating.support import best, shipped

SHEET = shipped().sheet(1)


def rejected(**changes) -> InvalidScorecard:
    choices = dict(best(SHEET))
    for key, value in changes.items():
        cid = key.replace("_", ".")
        if value is None:
            choices.pop(cid)
        else:
            choices[cid] = value
    with pytest.raises(InvalidScorecard) as caught:
        validate_scorecard(SHEET, choices)
    return caught.value


def test_a_full_scorecard_of_best_options_totals_100():
    assert validate_scorecard(SHEET, best(SHEET)).total == 100


def test_a_choice_may_be_given_as_points_or_as_option_id():
    choices = dict(best(SHEET), **{"A1.1": 2, "C2.3": "plan_traceable"})
    card = validate_scorecard(SHEET, choices)
    assert card.choices["A1.1"].id == "50to75" and card.choices["C2.3"].points == 3 and card.total == 97


def test_an_unknown_criterion_is_rejected_naming_it():
    error = rejected(Z9_9=1)
    assert error.field == "Z9.9" and "not on the sheet of set-01" in str(error)


def test_a_missing_criterion_is_rejected_naming_it():
    error = rejected(B2_3=None)
    assert error.field == "B2.3" and "has no choice" in str(error)


def test_points_that_are_not_an_option_are_rejected_naming_the_criterion():
    error = rejected(A1_1=0)
    assert error.field == "A1.1" and str(error) == "criterion A1.1: 0 points is not an option (allowed: 1, 2, 3)"


def test_points_over_the_criterion_maximum_are_rejected():
    assert rejected(C1_2=9).field == "C1.2"


def test_an_unknown_option_id_is_rejected_naming_the_criterion():
    error = rejected(C2_1="notarised")
    assert error.field == "C2.1" and "no option 'notarised'" in str(error)


def test_a_choice_that_is_neither_points_nor_option_id_is_rejected():
    assert rejected(A1_3=2.5).field == "A1.3"
    assert rejected(A1_6=True).field == "A1.6"
