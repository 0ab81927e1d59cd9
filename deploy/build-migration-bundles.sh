#!/usr/bin/env bash
# Builds one EF Core migrations bundle per provider into artifacts/ (an executable that needs the
# .NET 10 runtime on the machine that runs it, like the service itself), and the idempotent SQL
# scripts for the server databases, for deployments where a DBA applies them:
#   deploy/build-migration-bundles.sh
#   artifacts/efbundle-postgres --connection "Host=...;Database=donations;Username=...;Password=..."
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet tool restore >/dev/null
mkdir -p artifacts
for provider in Sqlite Postgres SqlServer; do
  project="migrations/Donations.Migrations.$provider"
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$provider")
  dotnet ef migrations bundle --project "$project" --startup-project "$project" \
    --output "artifacts/efbundle-$lower" --force
done
for provider in Postgres SqlServer; do
  project="migrations/Donations.Migrations.$provider"
  lower=$(tr '[:upper:]' '[:lower:]' <<<"$provider")
  dotnet ef migrations script --idempotent --project "$project" --startup-project "$project" \
    --output "artifacts/migrate-$lower.sql"
done
ls -l artifacts
