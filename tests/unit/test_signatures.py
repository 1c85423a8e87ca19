import pytest

from shared.errors import DomainError
from shared.signatures import sign, verify

SECRET = "whsec_test"
BODY = b'{"id": "evt_1", "type": "payment.captured"}'
NOW = 1_800_000_000


def refusal(header, body=BODY, secret=SECRET, now=NOW):
    with pytest.raises(DomainError) as caught:
        verify(secret, header, body, now=now)
    assert (caught.value.kind, caught.value.code) == ("bad_request", "bad_signature")
    return caught.value.message


def test_a_signed_body_is_accepted_within_the_tolerance():
    header = sign(SECRET, BODY, NOW)
    assert header.startswith(f"t={NOW},v1=")
    verify(SECRET, header, BODY, now=NOW)
    verify(SECRET, header, BODY, now=NOW + 299)
    verify(SECRET, header, BODY, now=NOW - 299)  # a sender clock a little ahead


def test_a_tampered_body_is_refused():
    assert "No Paysim-Signature signature matches" in refusal(
        sign(SECRET, BODY, NOW), body=BODY.replace(b"captured", b"refunded"))


def test_another_secret_is_refused():
    refusal(sign("whsec_other", BODY, NOW))


def test_a_stale_timestamp_is_refused_even_when_the_signature_is_right():
    assert "replayed" in refusal(sign(SECRET, BODY, NOW), now=NOW + 301)


def test_a_signature_made_for_another_timestamp_is_refused():
    forged = sign(SECRET, BODY, NOW - 3600).replace(f"t={NOW - 3600}", f"t={NOW}")
    refusal(forged)


@pytest.mark.parametrize("header", [
    "garbage", "t=abc,v1=00", f"t={NOW}", "v1=00", f"t={NOW},v1=", f"t={NOW};v1=00", ","])
def test_a_malformed_header_is_refused(header):
    refusal(header)


@pytest.mark.parametrize("header", [None, ""])
def test_a_missing_header_is_refused(header):
    assert "missing" in refusal(header)


def test_any_of_several_signatures_may_match_during_a_secret_rotation():
    new = sign(SECRET, BODY, NOW).split(",v1=")[1]
    old = sign("whsec_old", BODY, NOW).split(",v1=")[1]
    verify(SECRET, f"t={NOW},v1={old},v1={new}", BODY, now=NOW)
    verify(SECRET, f"t={NOW}, v0=ignored, v1={new}", BODY, now=NOW)
    refusal(f"t={NOW},v1={old}")
