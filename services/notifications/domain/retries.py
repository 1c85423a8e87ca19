"""When a mail that could not go is tried again, and when we give up on it."""
from datetime import datetime, timedelta

# A sender holds the mails it took this long: past it, another replica may take them
# (the first one died). See postman.py for what that means for duplicates.
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=2)
MAX_ATTEMPTS = 10  # about six hours of trying, then a person should look


def next_attempt(attempts: int, now: datetime) -> datetime:
    """30 s after the first failure, doubling, at most two hours apart."""
    return now + min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def gives_up(attempts: int) -> bool:
    return attempts >= MAX_ATTEMPTS
