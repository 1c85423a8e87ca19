"""Everything the platform holds about a person (right of access, GDPR art. 15 and 20),
gathered once for both who asks: the person signed in ("Mes données", its JSON export)
and an operator answering their request by e-mail address (GET /privacy/personal-data),
who must see the same, even for someone who can no longer sign in."""
from gateway.calls import call
from shared.pagination import MAX_LIMIT

SECTIONS = ("personal_data", "contributions", "investor_profile", "questions", "mails")


def held_about(person: dict) -> dict:
    """The sections held about the person `{"email": …}` (members.PersonQuery, checked
    there: a 422 without a valid address): what members holds (their account, the contact
    records naming them), then what funding holds of their account (contributions,
    investor profile, the questions they asked), and the mails notifications wrote to it
    (their subjects and states, never their bodies); none of these for an address with
    no account (an address is one account's at most)."""
    personal = call("members", "personal_data", person)
    held = {"personal_data": personal, "contributions": [], "investor_profile": None,
            "questions": [], "mails": []}
    for account in personal["accounts"]:
        held["contributions"] += every("funding", "list_my_contributions", account["id"])
        held["investor_profile"] = call("funding", "get_investor_profile", account["id"])
        held["questions"] += every("funding", "list_my_questions", account["id"])
        held["mails"] += every("notifications", "list_account_mails", account["id"])
    return held


def every(service: str, method: str, account_id: str) -> list:
    """Every item of one of a service's lists of an account, page after page."""
    items, cursor = [], None
    while True:
        page = call(service, method, account_id,
                    {"limit": str(MAX_LIMIT), **({"cursor": cursor} if cursor else {})})
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items
