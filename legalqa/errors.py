"""One base class for every error legalqa reports to a user.

The CLI catches :class:`LegalqaError` and prints its message, which says what went wrong,
in which file, and what to do; anything else is a bug and is reported as one."""


class LegalqaError(Exception):
    """An error meant for the user: its message is shown as it is."""
