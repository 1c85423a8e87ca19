"""`make run` gives paysim and funding the same secrets, and each the other's address."""
from deploy.local import platform_env


def test_paysim_and_funding_get_the_same_new_secrets():
    env = platform_env({})
    assert env["PAYSIM_API_KEY"] == env["PAYMENT_API_KEY"] and len(env["PAYMENT_API_KEY"]) == 64
    assert env["PAYSIM_WEBHOOK_SECRET"] == env["PAYMENT_WEBHOOK_SECRET"]
    assert env["PAYSIM_API_KEY"] != env["PAYSIM_WEBHOOK_SECRET"] != env["JWT_SECRET"]
    assert platform_env({})["PAYMENT_API_KEY"] != env["PAYMENT_API_KEY"]  # new each run


def test_a_secret_set_on_either_side_is_given_to_the_other():
    env = platform_env({"PAYSIM_API_KEY": "sk_mine", "PAYMENT_WEBHOOK_SECRET": "whsec_mine"})
    assert env["PAYMENT_API_KEY"] == "sk_mine"
    assert env["PAYSIM_WEBHOOK_SECRET"] == "whsec_mine"


def test_each_finds_the_other_where_it_listens():
    env = platform_env({})
    assert env["PAYMENT_PROVIDER_URL"] == "http://127.0.0.1:8100"
    assert env["PAYSIM_WEBHOOK_URL"] == "http://127.0.0.1:8000/api/v1/payments/webhook"
    assert env["PUBLIC_URL"] == "http://127.0.0.1:8000"
    moved = platform_env({"GATEWAY_BIND": "0.0.0.0:9000", "PAYSIM_BIND": "127.0.0.1:9100"})
    assert moved["PAYMENT_PROVIDER_URL"] == "http://127.0.0.1:9100"
    assert moved["PAYSIM_WEBHOOK_URL"] == "http://127.0.0.1:9000/api/v1/payments/webhook"
    assert platform_env({"PAYSIM_WEBHOOK_URL": "http://elsewhere/hook"})[
        "PAYSIM_WEBHOOK_URL"] == "http://elsewhere/hook"


def test_notifications_mail_through_the_local_catcher_unless_told_otherwise():
    env = platform_env({})
    assert (env["SMTP_HOST"], env["SMTP_PORT"]) == ("127.0.0.1", "1025")
    assert platform_env({"MAIL_BIND": "0.0.0.0:2525"})["SMTP_PORT"] == "2525"
    relay = platform_env({"SMTP_HOST": "smtp.example.org", "SMTP_PORT": "587"})
    assert (relay["SMTP_HOST"], relay["SMTP_PORT"]) == ("smtp.example.org", "587")
