"""`sqcore.engine.effects`: what an operation asks for, and what it must be sent back. A
driver that answers an effect with the wrong kind of outcome is a bug, said at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from returns.result import Success

from sqcore.engine.effects import (
    Abandoned,
    Draw,
    Instant,
    Outcome,
    Send,
    Sent,
    Sleep,
    Step,
    draw,
    now,
    send,
    sleep,
)
from transports import Request, Response

REQUEST = Request("GET", "https://superstaq.example/v0.3.0/client/job/cirq", {}, None, 1.0)
INSTANT = Instant(5.0, 1_800_000_005.0)


def answered(step: Step[object], outcome: Outcome) -> tuple[object, object]:
    """The effect `step` yields, and its value once `outcome` is sent back."""
    effect = next(step)
    try:
        step.send(outcome)
    except StopIteration as stop:
        return effect, stop.value
    raise AssertionError("the step asked for more")


def test_each_helper_yields_its_effect_and_returns_its_outcome() -> None:
    sent = Sent(Success(Response(200, {}, b"{}")), INSTANT)
    assert answered(send(REQUEST, 0, None), sent) == (Send(REQUEST, 0, None), sent)
    assert answered(now(), INSTANT)[1] == INSTANT
    assert answered(sleep(2.0, None), INSTANT) == (Sleep(2.0, None), INSTANT)
    assert answered(draw(0), 0.25) == (Draw(0), 0.25)
    assert answered(draw(3), 1) == (Draw(3), 1.0)  # a source that gives an int


@pytest.mark.parametrize(
    ("step", "wrong", "said"),
    [
        (lambda: send(REQUEST, 0, None), INSTANT, "a Send was answered with Instant"),
        (now, None, "a Now was answered with None"),
        (lambda: sleep(1.0, None), 0.5, "a Sleep was answered with 0.5"),
        (lambda: draw(0), INSTANT, "a Draw was answered with Instant"),
    ],
    ids=["send", "now", "sleep", "draw"],
)
def test_an_outcome_of_the_wrong_kind_is_a_bug_said_at_once(
    step: Callable[[], Step[object]], wrong: Outcome, said: str
) -> None:
    with pytest.raises(AssertionError, match=f"^{said}"):
        answered(step(), wrong)


def test_abandoned_words_name_what_stopped_it() -> None:
    words = Abandoned("submitting a job to t", "Look for it.")
    assert words.said("CancelledError") == (
        "submitting a job to t was stopped by CancelledError after its request was sent. "
        "Look for it."
    )
