""""Mes données": what the platform holds about the person signed in (their account, their
contributions, their investor profile, the public questions they asked, the mails sent
to them; gathered as an operator gathers it, gateway.privacy), downloadable as JSON (right of access, GDPR art.
15 and 20), and their erasure (art. 17), asked once more before it is done: members
anonymises the account and tells every service (members.person_erased)."""
import json

from flask import Response, g, make_response, render_template

from gateway.calls import call
from gateway.privacy import SECTIONS, held_about
from gateway.web import security
from gateway.web.blueprint import web
from gateway.web.contributions import EVERYONE
from gateway.web.security import signed_in


def _held(principal) -> dict:
    """What is held about the person signed in: the sections an operator reads of them
    too (gateway.privacy), found by the address members has for their account."""
    account = call("members", "get_account", principal.account_id)
    return {**held_about({"email": account["email"]}), "account": account}


# What became of a mail (notifications' states), as the page says it.
MAIL_STATES = {"pending": "à envoyer", "sent": "envoyé", "cancelled": "annulé",
               "failed": "non distribué"}


@web.get("/mes-donnees")
@signed_in(EVERYONE)
def my_data(principal):
    held = _held(principal)
    profile = held["investor_profile"]
    return render_template("web/my_data.html", active="my_data", account=held["account"],
                           contributions=len(held["contributions"]),
                           questions=len(held["questions"]),
                           contacts=len(held["personal_data"]["contacts"]),
                           mails=held["mails"], mail_states=MAIL_STATES,
                           investor=profile["knowledge_test_passed_at"] is not None
                           or profile["net_worth_cents"] is not None)


@web.get("/mes-donnees.json")
@signed_in(EVERYONE)
def my_data_export(principal):
    held = _held(principal)
    body = json.dumps({key: held[key] for key in SECTIONS}, ensure_ascii=False, indent=2,
                      default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-dombinnov.json"'})


@web.get("/mes-donnees/effacement")
@signed_in(EVERYONE)
def erasure_confirmation(principal):
    return render_template("web/erasure.html", active="my_data", done=False)


@web.post("/mes-donnees/effacement")
@signed_in(EVERYONE)
def erasure_submit(principal):
    account = call("members", "get_account", principal.account_id)
    call("members", "erase_person", {"email": account["email"]})
    response = make_response(render_template("web/erasure.html", active="my_data",
                                             done=True, principal=None))
    security.end_session(response)  # its refresh tokens are revoked already
    security.renew_csrf_seed()
    g.session_expired = False
    return response
