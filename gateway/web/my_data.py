""""Mes données": what the platform holds about the person signed in (their account, their
contributions, their investor profile, the public questions they asked), downloadable as
JSON (right of access, GDPR art. 15 and 20), and their erasure (art. 17), asked once more
before it is done: members anonymises the account and tells every service
(members.person_erased)."""
import json

from flask import Response, g, make_response, render_template

from gateway.calls import call
from gateway.web import security
from gateway.web.blueprint import web
from gateway.web.contributions import EVERYONE
from gateway.web.security import signed_in

CONTRIBUTIONS_EXPORTED = "100"  # a page of the service's lists: more than anyone has here


def _held(principal) -> dict:
    account = call("members", "get_account", principal.account_id)
    return {
        "personal_data": call("members", "personal_data", {"email": account["email"]}),
        "contributions": call("funding", "list_my_contributions", principal.account_id,
                              {"limit": CONTRIBUTIONS_EXPORTED})["items"],
        "investor_profile": call("funding", "get_investor_profile", principal.account_id),
        "questions": call("funding", "list_my_questions", principal.account_id,
                          {"limit": CONTRIBUTIONS_EXPORTED})["items"],
        "account": account}


@web.get("/mes-donnees")
@signed_in(EVERYONE)
def my_data(principal):
    held = _held(principal)
    profile = held["investor_profile"]
    return render_template("web/my_data.html", active="my_data", account=held["account"],
                           contributions=len(held["contributions"]),
                           questions=len(held["questions"]),
                           contacts=len(held["personal_data"]["contacts"]),
                           investor=profile["knowledge_test_passed_at"] is not None
                           or profile["net_worth_cents"] is not None)


@web.get("/mes-donnees.json")
@signed_in(EVERYONE)
def my_data_export(principal):
    held = _held(principal)
    body = json.dumps({key: held[key] for key in ("personal_data", "contributions",
                                                  "investor_profile", "questions")},
                      ensure_ascii=False, indent=2, default=str)
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
