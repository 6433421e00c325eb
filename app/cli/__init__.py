"""`flask --app app ...` commands, one module per group."""
from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli.audit import audit
    from app.cli.documents import documents
    from app.cli.fees import fees, payments
    from app.cli.holidays import holidays
    from app.cli.tokens import tokens
    from app.cli.users import users
    from app.cli.whitelist import whitelist

    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(audit)
    app.cli.add_command(whitelist)
    app.cli.add_command(holidays)
    app.cli.add_command(documents)
    app.cli.add_command(fees)
    app.cli.add_command(payments)
