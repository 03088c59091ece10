import uuid

from hypothesis import given
from hypothesis import strategies as st

from oversight.resolutions.voting import Choice, decide, has_quorum, tally

C = [uuid.UUID(int=i) for i in range(1, 8)]  # seven active commissioners


def test_majority_present_and_more_yes_adopts() -> None:
    present = C[:4]
    votes = {C[0]: Choice.YES, C[1]: Choice.YES, C[2]: Choice.NO, C[3]: Choice.ABSTAIN}
    outcome, counted = decide(votes, present, C)
    assert outcome == "adopted"
    assert (counted.yes, counted.no, counted.abstain, counted.recused, counted.absent) == (
        2,
        1,
        1,
        0,
        3,
    )


def test_no_quorum_rejects_even_a_unanimous_yes() -> None:
    present = C[:3]
    outcome, counted = decide(dict.fromkeys(present, Choice.YES), present, C)
    assert outcome == "rejected"
    assert counted.absent == 4


def test_a_tie_rejects() -> None:
    votes = {C[0]: Choice.YES, C[1]: Choice.NO, C[2]: Choice.ABSTAIN, C[3]: Choice.ABSTAIN}
    assert decide(votes, C[:4], C)[0] == "rejected"


def test_recused_members_count_towards_quorum() -> None:
    present = C[:4]
    votes = {C[0]: Choice.YES, C[1]: Choice.RECUSED, C[2]: Choice.RECUSED, C[3]: Choice.RECUSED}
    assert has_quorum(present, C)
    assert decide(votes, present, C)[0] == "adopted"


def test_present_people_who_are_not_active_commissioners_do_not_make_quorum() -> None:
    strangers = [uuid.UUID(int=100 + i) for i in range(5)]
    assert not has_quorum([*C[:3], *strangers], C)


@given(st.lists(st.sampled_from(list(Choice)), max_size=7), st.integers(0, 7))
def test_adopted_exactly_when_quorum_and_yes_beats_no(choices: list[Choice], extra: int) -> None:
    voters = C[: len(choices)]
    present = C[: max(len(choices), min(extra, 7))]
    outcome, counted = decide(dict(zip(voters, choices, strict=True)), present, C)
    assert counted.yes + counted.no + counted.abstain + counted.recused == len(choices)
    assert counted.absent == 7 - len(present)
    expected = len(present) * 2 > 7 and choices.count(Choice.YES) > choices.count(Choice.NO)
    assert (outcome == "adopted") == expected
    assert tally(dict(zip(voters, choices, strict=True)), present, C) == counted
