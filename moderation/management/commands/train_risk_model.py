"""Retrain the risk model from Thaw's own examples and our moderators' decisions."""
from django.core.management.base import BaseCommand

from moderation.risk.model import SHIPPED_MODEL_PATH, examples_load, model_inputs_digest
from moderation.services import risk_model_train


class Command(BaseCommand):
    help = (
        "Train the risk model on the examples written for Thaw (moderation/risk/examples/) plus the "
        "flags moderators confirmed or dismissed, and make it the active model. With --shipped, "
        "rebuild the model file that ships with the code from the examples alone."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--shipped", action="store_true", help="rewrite moderation/risk/model.json from the examples only")
        parser.add_argument("--examples-only", action="store_true", help="leave moderators' decisions out")

    def handle(self, *args, shipped: bool, examples_only: bool, **options) -> None:
        if shipped:
            from moderation.risk.training import model_fit

            # The digest of the inputs lets a test tell a stale model.json without retraining.
            model = model_fit(examples_load(), trained_on={"inputs_sha256": model_inputs_digest()})
            SHIPPED_MODEL_PATH.write_text(model.to_json(), encoding="utf-8")
            self.stdout.write(f"Wrote {SHIPPED_MODEL_PATH} ({model.version}, {model.trained_on}).")
            return
        row = risk_model_train(use_decisions=not examples_only)
        self.stdout.write(self.style.SUCCESS(f"Trained and activated {row.version}: {row.trained_on}."))
