"""What every fault test needs: the real services of CI's second run, and rows other processes see."""
import pytest

from tests.groups.test_room_scale import ON_POSTGRESQL, REDIS_URL

# Servers, workers and the test share the test database, so every row must be committed. Each
# fault test stops or starts services and times real processes: they run after the parallel part.
REAL_SERVICES = [
    pytest.mark.redis,
    pytest.mark.serial,
    pytest.mark.skipif(
        not (REDIS_URL and ON_POSTGRESQL),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL: servers and workers share them (CI's second run)",
    ),
    pytest.mark.django_db(transaction=True),
]
