import shutil

import pytest

from resources.services import CONTENT_DIR, library_load


@pytest.fixture
def library(db):
    """The real library, loaded from resources/content/ as `load_resources` does."""
    return library_load()


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the content folder that a test may change."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    return folder
