from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format) and the media files into a dated "
        "folder under BACKUP_ROOT, with a manifest the restore drill checks against."
    )

    def add_arguments(self, parser):
        parser.add_argument("root", nargs="?", help="Folder for the backups (BACKUP_ROOT).")
        parser.add_argument(
            "--keep-days",
            type=int,
            help="Then delete backups older than this many days (the newest always stays).",
        )

    def handle(self, *args, root=None, keep_days=None, **options):
        try:
            backup = make_backup(root, keep_days=keep_days)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        ledger = backup.manifest["figures"]["ledger"]
        audit = backup.manifest["figures"]["audit"]
        media = backup.manifest["media"]
        self.stdout.write(
            f"{backup.folder}: {ledger['entries']} ledger entries, {audit['entries']} audit "
            f"entries, {media['files']} media files"
        )
        for folder in backup.removed:
            self.stdout.write(f"removed {folder}")
        self.stdout.write(self.style.SUCCESS("Backup written."))
