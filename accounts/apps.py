from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and profiles"

    def ready(self) -> None:
        from accounts import personal_data
        from accounts.mfa import connect_mfa_signals
        from accounts.signals import connect_session_signals

        personal_data.register_accounts_data()
        connect_mfa_signals()
        connect_session_signals()
