#!/usr/bin/env bash
# Runs every test of the solution. First installs, from Debian's packages, what the tests need
# and the machine lacks: a PostgreSQL server (the tests start their own throwaway cluster) and
# Chromium (the end-to-end tests drive it headless).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian's packages..."
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
results="$(pwd)/TestResults"
rm -rf "$results"
status=0
# One test project after the other: run side by side, the browser tests shared two cores with the
# fault tests' load and could miss their timeouts.
dotnet build Donations.sln -v quiet -nologo

# Known vulnerable packages (direct or transitive) fail the run. The advisories come from the NuGet
# vulnerability feed; when it cannot be reached (an offline machine) the check warns and the run
# goes on, saying so, rather than passing silently or failing for want of a network.
audit="$(dotnet list Donations.sln package --vulnerable --include-transitive 2>&1)" && audit_status=0 || audit_status=$?
if grep -qiE "has the following vulnerable packages" <<<"$audit"; then
  echo "$audit" >&2
  echo "Known vulnerable packages (above): update them." >&2
  status=1
elif [ "$audit_status" -ne 0 ] || grep -qiE "unable to load|failed to retrieve|error|warn" <<<"$audit"; then
  echo "WARNING: the vulnerable-package check could not reach the NuGet vulnerability feed; packages were not checked." >&2
  grep -iE "error|warn|unable|failed" <<<"$audit" | head -n 5 >&2 || true
fi
for project in tests/Donations.Tests tests/Donations.EndToEnd; do
  dotnet test "$project" --no-build --logger "trx" --results-directory "$results" "$@" || status=$?
done

# One closing line for any reader of the log: totals over every test project.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then echo "No test ran." >&2; exit 1; fi
exit "$status"
