"""One place where every app declares the personal data it owns.

A member's export gathers every registered section; deleting an account asks every registered
owner to erase (or detach) what it holds before the user row goes. Apps register in their
AppConfig.ready(), so this module never needs to know another app's models:

    personal_data_register(
        name="forum_posts",
        export=lambda user: [...],                 # JSON-serialisable
        erase=lambda user, keep_contributions: ...,
    )

`keep_contributions` is the member's choice at deletion: True keeps what they wrote in shared
spaces, shown as "a former member"; False removes it.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

User = get_user_model()

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any, bool], None]


@dataclass(frozen=True)
class PersonalDataOwner:
    name: str
    export: Exporter
    erase: Eraser | None


_owners: dict[str, PersonalDataOwner] = {}


def personal_data_register(*, name: str, export: Exporter, erase: Eraser | None = None) -> None:
    """Register (or re-register, on autoreload) the exporter and eraser of one data section."""
    _owners[name] = PersonalDataOwner(name=name, export=export, erase=erase)


def personal_data_owners() -> list[PersonalDataOwner]:
    return list(_owners.values())


def register_accounts_data() -> None:
    from accounts.safety_plan import safety_plan_data_erase, safety_plan_data_export
    from accounts.selectors import account_data_export, notifications_data_export, profile_data_export

    personal_data_register(name="account", export=account_data_export)
    personal_data_register(name="profile", export=profile_data_export)
    personal_data_register(name="notifications", export=notifications_data_export)
    personal_data_register(name="safety_plan", export=safety_plan_data_export, erase=safety_plan_data_erase)
