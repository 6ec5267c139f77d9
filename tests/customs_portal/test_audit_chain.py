"""The audit trail is a hash chain that shows tampering, and the application's database
role may only read and append it."""

from __future__ import annotations

import json
import secrets
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.utils import ProgrammingError

from customs_portal.audit import SystemEvent, audit_record, audit_record_many
from customs_portal.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def verify() -> tuple[int, dict]:
    """Runs `verify_audit_trail --json`: its exit status and its report."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit_trail", "--json", stdout=out)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue())


def tamper(statement: str, params: list | None = None) -> None:
    """What the table's owner can do with psql: set the append-only trigger aside and edit."""
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks that ALTER TABLE waits on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE customs_portal_auditevent DISABLE TRIGGER customs_portal_auditevent_append_only")
        cursor.execute(statement, params)
        cursor.execute("ALTER TABLE customs_portal_auditevent ENABLE TRIGGER customs_portal_auditevent_append_only")


@pytest.fixture
def three_events(supervisor, company_a):
    events = [
        audit_record(action="declaration.submitted", actor=supervisor, before={"status": "draft"}, after={"n": 1.0}),
        audit_record(action="company.changed", system="tests", company=company_a, after={"name": "富士", "x": [1, 2]}),
        audit_record(action="risk_model.promoted", actor=supervisor, after={"version": 3}),
    ]
    return events


def test_each_event_links_to_the_one_before_it(three_events):
    first, second, third = (AuditEvent.objects.get(pk=event.pk) for event in three_events)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.length, head.last_hash) == (3, third.hash)


def test_an_intact_trail_verifies_with_exit_status_zero(three_events, company_a):
    audit_record_many(
        [SystemEvent(action="declaration.screening", system="screening", obj=company_a, company_id=company_a.pk)] * 2
    )
    status, report = verify()
    assert status == 0
    assert report["intact"] is True
    assert report["events"] == 5
    assert report["first_break"] is None


def test_text_output_names_the_result(three_events):
    from io import StringIO

    out = StringIO()
    call_command("verify_audit_trail", stdout=out)
    assert out.getvalue().startswith("Audit trail intact: 3 events")


def test_content_changed_with_raw_sql_is_reported_at_that_event(three_events):
    second = three_events[1]
    tamper('UPDATE customs_portal_auditevent SET after = \'{"name": "other"}\' WHERE id = %s', [second.pk])
    status, report = verify()
    assert status == 1
    assert report["first_break"]["problem"] == "content_changed"
    assert report["first_break"]["event_id"] == second.pk


def test_a_rehashed_edit_breaks_the_next_link(three_events):
    second, third = three_events[1], three_events[2]
    tamper("UPDATE customs_portal_auditevent SET hash = %s WHERE id = %s", ["f" * 64, second.pk])
    status, report = verify()
    assert status == 1
    assert report["first_break"]["problem"] in {"content_changed", "link_broken"}
    assert report["first_break"]["event_id"] == second.pk
    tamper("UPDATE customs_portal_auditevent SET prev_hash = %s WHERE id = %s", ["e" * 64, third.pk])
    assert verify()[1]["first_break"]["event_id"] == second.pk


def test_a_deleted_middle_event_is_reported_as_a_gap(three_events):
    tamper("DELETE FROM customs_portal_auditevent WHERE id = %s", [three_events[1].pk])
    status, report = verify()
    assert status == 1
    assert report["first_break"]["problem"] == "gap"
    assert report["first_break"]["event_id"] == three_events[2].pk


def test_a_deleted_last_event_no_longer_matches_the_chain_head(three_events):
    tamper("DELETE FROM customs_portal_auditevent WHERE id = %s", [three_events[2].pk])
    status, report = verify()
    assert status == 1
    assert report["first_break"]["problem"] == "head_mismatch"


def test_a_truncated_trail_no_longer_matches_the_chain_head(three_events):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE customs_portal_auditevent")
    status, report = verify()
    assert status == 1
    assert report["events"] == 0
    assert report["first_break"]["problem"] == "head_mismatch"


def test_appends_continue_the_chain_after_bulk_writes(three_events, company_a):
    audit_record_many([SystemEvent(action="manifest.imported", system="import", obj=company_a, company_id=None)])
    audit_record(action="company.changed", system="tests", company=company_a)
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5]
    assert verify()[0] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_the_chain_linear():
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def append(worker: int) -> None:
        try:
            start.wait()
            for number in range(5):
                with transaction.atomic():
                    audit_record(action="company.changed", system=f"worker-{worker}", after={"n": number})
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    status, report = verify()
    assert (status, report["events"]) == (0, 30)


# The application's database role -----------------------------------------------------


@pytest.fixture
def app_role():
    """A role made like docker compose's customs_app (inside the test's transaction, so
    it is gone afterwards), with the grants the migrate step gives it."""
    role = f"customs_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("grant_app_role", role, stdout=None)
    return role


@pytest.fixture
def as_role(app_role):
    """Runs the block as `app_role` on the test's connection."""

    class AsRole:
        def __enter__(self):
            with connection.cursor() as cursor:
                # So that a refusal is about privileges, not the test's deferred checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"SET ROLE {app_role}")

        def __exit__(self, *exc):
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    return AsRole()


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE customs_portal_auditevent",
        "ALTER TABLE customs_portal_auditevent DISABLE TRIGGER customs_portal_auditevent_append_only",
        "UPDATE customs_portal_auditevent SET action = 'x'",
        "DELETE FROM customs_portal_auditevent",
        "DROP TABLE customs_portal_auditevent",
        "TRUNCATE customs_portal_auditchainhead",
        "DELETE FROM customs_portal_auditchainhead",
    ],
)
def test_the_app_role_cannot_alter_truncate_or_edit_the_audit_trail(three_events, as_role, statement):
    with as_role, pytest.raises(ProgrammingError, match="permission denied|must be owner"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 3


def test_the_app_role_reads_and_appends_the_audit_trail(three_events, as_role, company_a):
    with as_role:
        audit_record(action="company.changed", system="tests", company=company_a)
        audit_record_many([SystemEvent(action="manifest.imported", system="import", obj=company_a, company_id=None)])
        assert AuditEvent.objects.count() == 5
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0].startswith("customs_app_test_")
    assert verify()[0] == 0


def test_the_app_role_writes_other_tables_and_those_made_later(as_role, app_role, company_a):
    with as_role:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE customs_portal_company SET name = 'Renamed' WHERE id = %s", [company_a.pk])
            assert cursor.rowcount == 1
    # A table a later migration creates (as the owner) gets the same rights by default.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_table (id serial PRIMARY KEY, note text)")
    with as_role, connection.cursor() as cursor:
        cursor.execute("INSERT INTO later_table (note) VALUES ('x')")
        cursor.execute("DELETE FROM later_table")
        with pytest.raises(ProgrammingError, match="must be owner"), transaction.atomic():
            cursor.execute("ALTER TABLE later_table ADD COLUMN y int")


def test_grant_app_role_refuses_a_name_that_is_not_a_plain_identifier():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="role name"):
        call_command("grant_app_role", 'x"; DROP TABLE users; --')


@pytest.mark.django_db(transaction=True)
def test_events_recorded_before_the_chain_are_chained_in_id_order_by_the_migration(supervisor):
    from django.db.migrations.executor import MigrationExecutor

    before = [("customs_portal", "0009_outboxtask")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldAuditEvent = executor.loader.project_state(before).apps.get_model("customs_portal", "AuditEvent")
    old_ids = [
        OldAuditEvent.objects.create(action=f"company.changed_{number}", actor_label="old", after={"n": number}).pk
        for number in range(3)
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    chained = list(AuditEvent.objects.order_by("seq").values_list("id", flat=True))
    assert chained == old_ids
    audit_record(action="company.changed", actor=supervisor)
    status, report = verify()
    assert (status, report["events"]) == (0, 4)


def test_docker_compose_runs_the_application_as_customs_app_and_only_migrate_as_the_owner():
    from pathlib import Path

    import yaml
    from django.conf import settings

    root = Path(settings.BASE_DIR)
    services = yaml.safe_load((root / "docker-compose.yml").read_text())["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://customs_app:"), name
        assert environment["POSTGRES_PASSWORD"] == "", name
    migrate = services["migrate"]
    assert migrate["environment"]["DATABASE_URL"].startswith("postgres://customs:${POSTGRES_PASSWORD")
    assert "grant_app_role customs_app" in migrate["command"][-1]
    assert migrate["command"][-1].index("migrate --noinput") < migrate["command"][-1].index("grant_app_role")
    assert "./scripts/postgres-init:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]
    init = (root / "scripts/postgres-init/10-app-role.sh").read_text()
    assert "CREATE ROLE customs_app LOGIN PASSWORD :'app_password' NOSUPERUSER" in init


def test_values_the_database_normalises_still_verify(rf, supervisor):
    request = rf.get("/", REMOTE_ADDR="2001:0db8:0000:0000:0000:0000:0000:0001")
    audit_record(action="company.changed", actor=supervisor, request=request, after={"big": 1e16, "r": 0.1, "t": (1,)})
    assert AuditEvent.objects.get().ip_address == "2001:db8::1"
    assert verify()[0] == 0


def test_a_broken_chain_is_named_in_the_text_output_with_exit_status_one(three_events):
    from io import StringIO

    tamper("UPDATE customs_portal_auditevent SET action = 'declaration.permitted' WHERE id = %s", [three_events[0].pk])
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit_trail", stdout=out)
    assert exit_.value.code == 1
    assert out.getvalue().startswith(f"Audit trail broken at event {three_events[0].pk} (position 1): content_changed")
