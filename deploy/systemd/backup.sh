#!/usr/bin/env bash
# pg_dump of each database in WYC_BACKUP_DATABASES into WYC_BACKUP_DIR (custom format, restorable
# with pg_restore), then removes dumps older than WYC_BACKUP_DAYS days. Connection: libpq's PGHOST,
# PGPORT, PGUSER (~/.pgpass for a password); run by wyc-backup.service as postgres on the database host.
set -euo pipefail
dir=${WYC_BACKUP_DIR:?} days=${WYC_BACKUP_DAYS:-14}
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%MZ)
for db in ${WYC_BACKUP_DATABASES:?}; do
  pg_dump --format=custom --file="$dir/$db-$stamp.dump.part" "$db"
  mv "$dir/$db-$stamp.dump.part" "$dir/$db-$stamp.dump"   # a dump is complete or absent
  echo "backed up $db to $dir/$db-$stamp.dump"
done
find "$dir" -name '*.dump' -mtime "+$days" -delete
