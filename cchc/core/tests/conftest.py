from cchc.dossiers.tests.conftest import world  # noqa: F401
