"""Domain errors raised by services; views turn them into messages or HTTP statuses."""


class DomainError(Exception):
    """An action that the rules refuse (HTTP 400/409). ``message`` is for the person."""

    status_code = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(DomainError):
    """The person may not do this (HTTP 403)."""

    status_code = 403


class Conflict(DomainError):
    """Someone else changed the record first (HTTP 409)."""

    status_code = 409
