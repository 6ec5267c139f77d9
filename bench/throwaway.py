"""The throwaway PostgreSQL database each benchmark creates and drops."""

from __future__ import annotations


def recreate_database(*, server: str, name: str, drop_only: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
