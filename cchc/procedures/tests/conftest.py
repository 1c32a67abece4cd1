from cchc.dossiers.tests.conftest import media_in_tmp, world  # noqa: F401
