"""Citizens as they sign up: `POST /auth/signup` answers 202 the same whether or not the
address has an account, so a test signs in afterwards; `verify` follows the link mailed
to confirm the address first (through the mail catcher), as investing needs."""
import re
import uuid

from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

SIGNED_UP = 202
CONFIRMATION = "email_confirmation:"  # the key of a confirmation's mail (notifications)


def sign_up(platform, email=None, *, password=PASSWORD, name="Camille", verify=False):
    """A new citizen, signed in: the login's answer (tokens, account) with its `email`."""
    email = email or f"citoyen-{uuid.uuid4().hex[:10]}@example.org"
    answer = platform.post("/auth/signup", {"email": email, "password": password,
                                            "display_name": name}, as_=None)
    assert answer.status_code == SIGNED_UP, answer.text
    if verify:
        confirm_address(platform, email)
    return {**platform.login(email, password), "email": email}


def bearer(session) -> dict:
    return {"Authorization": f"Bearer {session['access_token']}"}


def confirmation_mails(platform, email) -> list:
    return [mail for key, mails in platform.mail.by_fact().items()
            if key.startswith(CONFIRMATION) for mail in mails if mail["X-RcptTo"] == email]


def confirmation_links(platform, email, count=1) -> list:
    """The links of the confirmation mails sent to `email`, once there are `count`."""
    wait_until(lambda: len(confirmation_mails(platform, email)) >= count, timeout=30,
               message=f"{count} address confirmation mail(s) to {email}")
    pattern = re.escape(platform.base_url) + r"/adresse/[A-Za-z0-9_-]+"
    return [link for mail in confirmation_mails(platform, email)
            for link in re.findall(pattern, mail.get_body(("plain",)).get_content())]


def token_of(link) -> str:
    return link.rsplit("/", 1)[1]


def confirm_address(platform, email):
    """Follow the (one) link mailed to `email` through the API; the account, confirmed."""
    [link] = confirmation_links(platform, email)
    answer = platform.post("/auth/email-verification/confirm", {"token": token_of(link)},
                           as_=None)
    assert answer.status_code == 200, answer.text
    return answer.json()
