#!/bin/sh
# Waits for the Temporal frontend, makes sure the namespace exists and registers tradeflow's search attributes
# (runs in temporalio/admin-tools, and natively from scripts/cluster.sh with the temporal CLI on PATH). Idempotent.
# On SQL visibility custom search attributes belong to a namespace, hence --namespace everywhere.
#
# Keep ATTRIBUTES equal to SEARCH_ATTRIBUTES in src/temporal/search-attributes.ts (a unit test checks it).
set -eu

ATTRIBUTES="TradingDate=Keyword TradingAccount=Keyword TradingMode=Keyword RunState=Keyword"
NAMESPACE="${NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-30d}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"

echo "waiting for Temporal at $TEMPORAL_ADDRESS"
tries=0
until temporal operator cluster health 2>/dev/null | grep -q SERVING; do
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "Temporal did not become healthy"; exit 1; }
  sleep 2
done

if ! temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "creating namespace $NAMESPACE (retention $RETENTION)"
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
fi

# A new namespace reaches the frontend's cache only after a few seconds.
tries=0
until existing="$(temporal operator search-attribute list --namespace "$NAMESPACE" 2>&1)"; do
  tries=$((tries + 1))
  [ "$tries" -lt 60 ] || { echo "$existing"; exit 1; }
  sleep 2
done
for pair in $ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if printf '%s\n' "$existing" | grep -Eq "^[[:space:]]*$name[[:space:]]"; then
    echo "search attribute $name already registered"
  else
    echo "registering search attribute $name ($type)"
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "namespace $NAMESPACE is ready for tradeflow"
