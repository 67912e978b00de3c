from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backups import BackupError, backups_in, restore_drill


class Command(BaseCommand):
    help = (
        "Restore a backup into a fresh database and compare the credit ledger, the audit "
        "log and the media files with the backup's manifest; fails when any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", nargs="?", help="The backup folder (default: the newest under BACKUP_ROOT)."
        )
        parser.add_argument(
            "--into", help="Name of the database to create (default: <database>_restore_drill)."
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the restored database (to promote it)."
        )

    def handle(self, *args, folder=None, into=None, keep=False, **options):
        if folder is None:
            found = backups_in(Path(settings.BACKUP_ROOT))
            if not found:
                raise CommandError(f"No backup under {settings.BACKUP_ROOT}: run manage.py backup.")
            folder = found[-1]
        into = into or f"{connection.settings_dict['NAME']}_restore_drill"
        try:
            drill = restore_drill(folder, into=into, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        width = max(len(check.what) for check in drill.checks)
        for check in drill.checks:
            mark = "ok  " if check.ok else "DIFF"
            line = f"{mark} {check.what:<{width}}  {check.restored}"
            if not check.ok:
                line += f"  (backup: {check.expected})"
            self.stdout.write(line)
        if not drill.ok:
            raise CommandError(f"The restore of {drill.folder} differs from its backup.")
        kept = f"; database {drill.database} kept" if drill.kept else ""
        self.stdout.write(self.style.SUCCESS(f"{drill.folder} restores{kept}."))
