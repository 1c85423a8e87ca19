"""Which organisation a list is read for (gateway.auth.confined_organisation): staff read
the list as asked; a member admin reads its own organisation's, never another's."""
import pytest

from gateway.auth import Principal, confined_organisation
from shared.errors import FORBIDDEN, DomainError

STAFF = ("animator", "operator")
ADMIN = Principal("a1", frozenset({"member_admin"}), "o1")


@pytest.mark.parametrize("asked", [None, "o2", ""])
def test_staff_read_the_list_as_asked(asked):
    staff = Principal("s1", frozenset({"animator", "member_admin"}), "o1")
    assert confined_organisation(staff, asked, STAFF) is None


@pytest.mark.parametrize("asked", [None, "o1"])
def test_a_member_admin_reads_its_own_organisations(asked):
    assert confined_organisation(ADMIN, asked, STAFF) == "o1"


@pytest.mark.parametrize("principal, asked", [
    (ADMIN, "o2"), (ADMIN, ""),
    (Principal("a2", frozenset({"member_admin"}), None), None)])  # an admin of nothing
def test_a_member_admin_is_refused_another_organisations(principal, asked):
    with pytest.raises(DomainError) as refused:
        confined_organisation(principal, asked, STAFF)
    assert (refused.value.kind, refused.value.code) == (FORBIDDEN, "other_organisation")
