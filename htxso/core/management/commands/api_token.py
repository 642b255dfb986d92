from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from htxso.core.models import ApiToken, User
from htxso.core.tokens import issue_token, revoke_token


class Command(BaseCommand):
    help = "Cấp, liệt kê hoặc thu hồi khóa API của một người dùng."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="cấp khóa mới (in ra một lần duy nhất)")
        create.add_argument("username")
        create.add_argument("--name", default="api")
        listing = sub.add_parser("list", help="liệt kê khóa của người dùng")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="thu hồi khóa theo tiền tố")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError("Không có khóa với tiền tố này.")
            revoke_token(None, token)
            self.stdout.write(f"Đã thu hồi {token}.")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("Không có người dùng này.")
        if options["action"] == "create":
            self.stdout.write(issue_token(None, user, options["name"]))
            return
        for token in user.api_tokens.order_by("created_at"):
            state = "đã thu hồi" if token.revoked_at else "hiệu lực"
            self.stdout.write(f"{token.prefix}  {token.name}  {token.created_at:%Y-%m-%d}  {state}")
