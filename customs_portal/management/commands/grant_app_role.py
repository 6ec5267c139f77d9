from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from customs_portal.models import AuditChainHead, AuditEvent

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(*, role: str, database: str) -> list[str]:
    """The statements that let `role` run the application and nothing more: read and
    write every table, but only read and append the audit trail. The role owns nothing,
    so it cannot ALTER (disable the append-only trigger), TRUNCATE or DROP any table.
    Default privileges give it the same rights on tables that later migrations create."""
    audit = connection.ops.quote_name(AuditEvent._meta.db_table)
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    return [
        f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE ALL ON {audit} FROM {role}",
        f"GRANT SELECT, INSERT ON {audit} TO {role}",
        # The chain head is updated on each append but never deleted or emptied.
        f"REVOKE ALL ON {head} FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE ON {head} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = (
        "Grants an existing PostgreSQL role what the application needs (run as the tables' "
        "owner, after migrate): every table read and written, the audit trail only read and appended."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's role, e.g. customs_app.")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        if not ROLE_NAME.match(role):
            raise CommandError("A role name is lower-case letters, digits and underscores.")
        statements = app_role_grants(role=role, database=connection.settings_dict["NAME"])
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role} the application's privileges.")
