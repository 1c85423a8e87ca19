"""Create an account with roles from the command line: how the first animator or
operator comes to exist (no open route can give those roles).

    python -m deploy.accounts create --email ops@dombinnov.fr --name "Camille" \\
        --role operator --role animator [--organisation <id>] [--password-stdin]

In compose: `docker compose exec members python -m deploy.accounts create ...`. The
password is asked for at a prompt, or read from standard input with --password-stdin.
It goes to the running members service by RPC, which checks and hashes it like any other.
"""
import argparse
import getpass
import json
import sys

from shared.config import Settings
from shared.errors import DomainError
from shared.rpc import ClusterRpcProxy  # DomainError crosses RPC as itself

ROLES = ("citizen", "member_admin", "animator", "funder", "operator")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an account with roles")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="the name shown to others")
    create.add_argument("--role", action="append", required=True, choices=ROLES)
    create.add_argument("--organisation", help="the organisation a member_admin acts for")
    create.add_argument("--password-stdin", action="store_true")
    args = parser.parse_args(argv)

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin \
        else getpass.getpass("Password: ")
    payload = {"email": args.email, "display_name": args.name, "password": password,
               "roles": args.role, "organisation_id": args.organisation}
    settings = Settings()
    try:
        with ClusterRpcProxy({"AMQP_URI": settings.amqp_uri}, timeout=settings.rpc_timeout) as rpc:
            account = rpc.members.create_account(payload)
    except DomainError as exc:
        details = exc.details.get("fields") if isinstance(exc.details, dict) else None
        print(f"Refused: {exc.message} {json.dumps(details) if details else ''}".strip(),
              file=sys.stderr)
        return 1
    print(json.dumps(account, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
