"""Demo data of export control: the controlled-goods and end-user lists (illustrative
data, see the files' notes). Idempotent: running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from declarations.export_control import services as export_control

DATA_DIR = Path(__file__).resolve().parent.parent / "export_control" / "data"
CONTROLLED_GOODS = DATA_DIR / "controlled_goods.csv"
END_USERS = DATA_DIR / "end_user_list.csv"


def seed() -> None:
    export_control.controlled_goods_import(
        data=CONTROLLED_GOODS.read_bytes(), file_name=CONTROLLED_GOODS.name, system="seed"
    )
    export_control.end_users_import(data=END_USERS.read_bytes(), file_name=END_USERS.name, system="seed")
