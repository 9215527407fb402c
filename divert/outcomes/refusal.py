"""The one refusal every outcomes use case raises, naming the field at fault."""

from __future__ import annotations


class Refusal(ValueError):
    """Input the use case will not accept; `field` names the field, the message is for people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
