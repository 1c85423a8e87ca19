"""Campaigns and contributions through the public API, as the e2e tests need them."""
import io
import time
import uuid
from datetime import datetime, timedelta, timezone

from pypdf import PdfReader

from tests.support.waiting import wait_until

PROJECT = {"title": "Ressourcerie de Villars", "summary": "Donner une seconde vie aux objets.",
           "field": "circular_economy", "commune": "Villars-les-Dombes",
           "founders": "Camille et Dominique"}


def in_a_month():
    return (datetime.now(timezone.utc) + timedelta(days=30)).isoformat()


def live_campaign(platform, project_id=None, **fields):
    """A campaign drafted, submitted and approved by staff."""
    if project_id is None:
        project = platform.post("/projects", PROJECT)
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
    body = {"project_id": project_id, "title": "Un camion", "goal_cents": 1_500_000,
            "deadline": in_a_month(), **fields}
    campaign = platform.post("/campaigns", body)
    assert campaign.status_code == 201, campaign.text
    campaign_id = campaign.json()["id"]
    for step in ("submit", "approve"):
        answer = platform.post(f"/campaigns/{campaign_id}/{step}")
        assert answer.status_code == 200, answer.text
    return answer.json()


SIGNATORY = {"signatory_name": "Marie Dupont", "signatory_capacity": "présidente"}


def receipting_organisation(platform, name="Les Jardins de la Dombes") -> str:
    """An association whose donors get tax receipts, signed by its president: its id."""
    name = f"{name} {uuid.uuid4().hex[:6]}"  # names are unique among members
    organisation = platform.post("/organisations", {
        "name": name, "legal_form": "association",
        "postal_code": "01330", "commune": "Villars-les-Dombes"}).json()
    answer = platform.request("PUT", f"/organisations/{organisation['id']}/beneficiary", {
        "legal_name": f"Association {name}", "siren": "732829320",
        "address": "2 rue des Écoles, 01330 Villars-les-Dombes",
        "purpose": "Jardins partagés et insertion", "receipt_eligible": True, **SIGNATORY},
        as_="staff")
    assert answer.status_code == 200, answer.text
    return organisation["id"]


def receipted_project(platform, organisation_id=None) -> str:
    """A project carried by an association whose donors get tax receipts: its id."""
    project = platform.post("/projects", {
        "title": "Jardin partagé", "summary": "Un jardin pour tous.", "field": "citizen_economy",
        "commune": "Villars-les-Dombes",
        "carrier_organisation_id": organisation_id or receipting_organisation(platform)})
    assert project.status_code == 201, project.text
    return project.json()["id"]


def legal_identity(first_name="Camille", last_name="Martin", **changes):
    """What a donor gives for a tax receipt (the body's `tax_receipt`)."""
    return {"first_name": first_name, "last_name": last_name, "street": "1 rue du Lavoir",
            "postal_code": "01600", "commune": "Trévoux", **changes}


def receipt_text(pdf: bytes) -> str:
    """The words of a one-page receipt PDF, read back with pypdf."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().replace("\u00a0", " ").split())


def contribute(platform, campaign_id, amount_cents, as_="citizen", key=None, headers=None,
               **fields):
    """A contribution by `as_` (a role the platform makes an account for) or by whoever
    `headers` authorize."""
    return platform.request("POST", f"/campaigns/{campaign_id}/contributions",
                            {"amount_cents": amount_cents, **fields},
                            as_=None if headers else as_,
                            headers={**(headers or {}),
                                     "Idempotency-Key": key or str(uuid.uuid4())})


def payment_id(contribution):
    return contribution["payment_url"].rsplit("/", 1)[-1]


def false_capture_claim(platform, amount_cents):
    """(campaign, contribution, payment, event): a contribution whose payment the
    provider holds as pending, and a webhook event claiming it captured, unsigned yet."""
    campaign = live_campaign(platform)
    pledged = contribute(platform, campaign["id"], amount_cents)
    assert pledged.status_code == 201, pledged.text
    contribution = pledged.json()
    payment = platform.paysim.client().get_payment(payment_id(contribution))
    assert payment["status"] == "pending"
    event = {"id": f"evt_{uuid.uuid4().hex}", "type": "payment.captured",
             "created": int(time.time()), "data": {**payment, "status": "captured"}}
    return campaign, contribution, payment, event


def pay(platform, contribution):
    """The payer confirms on the provider's page, as a browser would."""
    answer = platform.paysim.pay(payment_id(contribution))
    assert answer.status_code == 303, answer.text
    return answer


def contribution_state(platform, contribution_id, as_="staff"):
    return platform.get(f"/contributions/{contribution_id}", as_=as_).json()


def wait_for_status(platform, contribution_id, *statuses, timeout=20):
    return wait_until(
        lambda: (found := contribution_state(platform, contribution_id))["status"] in statuses
        and found, timeout=timeout, message=f"contribution {contribution_id} to be {statuses}")


def given(platform, campaign_id, amount_cents, as_="citizen", headers=None, **fields):
    """A contribution paid and captured (keep-it-all) or authorized (all-or-nothing)."""
    answer = contribute(platform, campaign_id, amount_cents, as_=as_, headers=headers, **fields)
    assert answer.status_code == 201, answer.text
    pay(platform, answer.json())
    return wait_for_status(platform, answer.json()["id"], "captured", "authorized")


def _sheet(**fields):
    return {"issuer_legal_name": "Épicerie Solidaire SCIC", "issuer_legal_form": "SCIC SAS",
            "issuer_siren": "732829320", "issuer_address": "1 place du Marché, 01330 Villars",
            "project_description": "Une épicerie de produits locaux.",
            "main_risks": ["Perte totale du capital investi.", "Illiquidité."],
            "target_amount_cents": 2_000_000, "minimum_target_cents": 1_000_000,
            "deadline": "2099-06-30", "investor_fees": "Aucun frais.",
            "use_of_funds": "Aménagement du local.", **fields}


LOAN_SHEET = _sheet(annual_interest_rate_bps=300, duration_months=60,
                    repayment_schedule="Mensualités constantes.")
SHARES_SHEET = _sheet(share_price_cents=5000, rights_attached="Une voix en assemblée générale.",
                      exit_conditions="Remboursement à la valeur nominale, après 5 ans.")
ALL_ACKNOWLEDGED = {"risk_warning_accepted": True, "key_information_read": True,
                    "large_investment_consent": True, "understanding_confirmed": True}


def right_answers():
    from services.funding.domain.investors import KNOWLEDGE_TEST
    return {question["id"]: question["correct"] for question in KNOWLEDGE_TEST}


def ready_to_invest(platform, headers, net_worth_cents=10_000_000):
    """The knowledge test passed and the loss simulated, as `headers`' citizen."""
    assert platform.request("POST", "/investor/knowledge-test", {"answers": right_answers()},
                            headers=headers).json()["passed"]
    simulated = platform.request("POST", "/investor/loss-simulation",
                                 {"net_worth_cents": net_worth_cents}, headers=headers)
    assert simulated.status_code == 200, simulated.text
    return simulated.json()
