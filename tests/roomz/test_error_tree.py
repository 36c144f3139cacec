"""One error tree for roomz: the tree drawn in ``roomz.errors`` names every error class."""

from __future__ import annotations

import inspect

from roomz import errors


def test_the_drawn_tree_names_every_error_class() -> None:
    """Each exception class in roomz.errors, ChatError included, appears in its tree."""
    classes = [
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj) and issubclass(obj, Exception) and obj.__module__ == errors.__name__
    ]
    assert "ChatError" in classes
    tree = errors.__doc__ or ""
    assert [name for name in classes if name not in tree] == []


def test_a_chat_error_answers_with_its_code_reason_and_extra_fields() -> None:
    """ChatError's answer is the protocol's error body plus its extra fields."""
    refused = errors.ChatError(errors.Reason.RATE_LIMITED, "slow down", retry_after=1.5)
    assert refused.frame() == {
        "error": "slow down",
        "code": 429,
        "reason": "rate_limited",
        "retry_after": 1.5,
    }
