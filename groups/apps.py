from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "support_groups"  # "groups" is taken by django.contrib.auth's Group model
    verbose_name = "Support groups"

    def ready(self) -> None:
        from groups import personal_data

        personal_data.register()
