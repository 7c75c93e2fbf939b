"""When the problems question is asked although the challenges slot is filled, and how."""

from bot.conversation.told_problems import besides_told_question, joined, problems_question_due


def test_a_backup_alone_leaves_the_question_to_ask() -> None:
    assert problems_question_due(["need_redundancy"], settled=False, skipped=False)


def test_one_problem_told_before_the_question_leaves_it_to_ask() -> None:
    # "the bill is insane" with the address: the outages they would name next still count.
    assert problems_question_due(["bandwidth"], settled=False, skipped=False)
    assert problems_question_due(["need_redundancy", "high_cost"], settled=False, skipped=False)


def test_two_problems_told_or_a_question_settled_or_skipped_does_not() -> None:
    assert not problems_question_due(["high_cost", "reliability"], settled=False, skipped=False)
    assert not problems_question_due(["need_redundancy", "high_cost", "poor_support"],
                                     settled=False, skipped=False)
    assert not problems_question_due(["need_redundancy"], settled=True, skipped=False)
    assert not problems_question_due(["high_cost"], settled=True, skipped=False)
    assert not problems_question_due(["need_redundancy"], settled=False, skipped=True)
    assert not problems_question_due([], settled=False, skipped=False)  # asked as an empty slot
    assert not problems_question_due(None, settled=False, skipped=False)


def test_the_question_says_what_was_told_and_offers_only_the_other_problems() -> None:
    question = besides_told_question(["high_cost", "need_redundancy"])
    assert question.text.startswith("Besides the cost and a backup connection, is anything")
    titles = [b["title"] for b in question.buttons]
    assert "Costs too much" not in titles
    assert titles == ["Poor support", "Outages", "No, that's all"]
    assert besides_told_question(["reliability"]).text.startswith("Besides the outages, is")


def test_answers_join_the_codes_known_in_order() -> None:
    assert joined(["need_redundancy"], ["reliability", "need_redundancy", "high_cost"]) == [
        "need_redundancy", "reliability", "high_cost"]
    assert joined(None, ["relocation"]) == ["relocation"]
