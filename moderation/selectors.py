from dataclasses import dataclass
from datetime import datetime

from platform_site.health import worker_is_responsive, worker_last_seen


@dataclass(frozen=True)
class PipelineHealth:
    worker_responsive: bool
    worker_last_seen: datetime | None


def pipeline_health_get() -> PipelineHealth:
    return PipelineHealth(worker_responsive=worker_is_responsive(), worker_last_seen=worker_last_seen())
