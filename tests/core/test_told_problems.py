"""When the problems question is asked although the challenges slot is filled."""

from bot.conversation.told_problems import joined, problems_question_due


def test_a_backup_alone_leaves_the_question_to_ask() -> None:
    assert problems_question_due(["need_redundancy"], settled=False, skipped=False)


def test_a_problem_told_or_a_question_settled_or_skipped_does_not() -> None:
    assert not problems_question_due(["need_redundancy", "high_cost"], settled=False, skipped=False)
    assert not problems_question_due(["bandwidth"], settled=False, skipped=False)
    assert not problems_question_due(["need_redundancy"], settled=True, skipped=False)
    assert not problems_question_due(["need_redundancy"], settled=False, skipped=True)
    assert not problems_question_due([], settled=False, skipped=False)  # asked as an empty slot
    assert not problems_question_due(None, settled=False, skipped=False)


def test_answers_join_the_codes_known_in_order() -> None:
    assert joined(["need_redundancy"], ["reliability", "need_redundancy", "high_cost"]) == [
        "need_redundancy", "reliability", "high_cost"]
    assert joined(None, ["relocation"]) == ["relocation"]
