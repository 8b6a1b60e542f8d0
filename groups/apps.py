from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    label = "support_groups"  # "groups" is taken by django.contrib.auth's Group model
    verbose_name = "Support groups"

    def ready(self) -> None:
        from groups import personal_data
        from groups.library import discussion_places_for_entry
        from resources.discussion import discussion_finder_register

        personal_data.register()
        # "Talk about this in a group" on library entries: the library asks, groups answers.
        discussion_finder_register(name="groups", finder=discussion_places_for_entry)
