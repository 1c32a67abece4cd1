#!/usr/bin/env python
"""Django's command-line utility for cchc."""

import os
import sys

UNMIGRATED = ("no such table", "does not exist")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(sys.argv)
    except (OperationalError, ProgrammingError) as exc:
        # A command run before the database exists: say what to do, not a traceback.
        if not any(marker in str(exc) for marker in UNMIGRATED):
            raise
        sys.stderr.write(
            "Cơ sở dữ liệu chưa được tạo hoặc chưa cập nhật cấu trúc "
            f"({str(exc).splitlines()[0]}).\n"
            "Hãy chạy `make demo` (tạo dữ liệu mẫu) hoặc `python manage.py migrate` rồi "
            "`python manage.py load_reference_data`, sau đó chạy lại lệnh.\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
