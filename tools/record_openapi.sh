#!/usr/bin/env bash
# Records the real kube-apiserver v1.20.2's OpenAPI document in both forms it serves (JSON and the
# protobuf kubectl asks for) into src/server/openapi-v1.20.2.{json,pb}.gz, which the reference server
# serves at /openapi/v2. Needs the server of tools/kube-apiserver running.
set -euo pipefail
cd "$(dirname "$0")/.."
URL=${APICONFORM_ORACLE_URL:-https://127.0.0.1:6443}
TOKEN=${APICONFORM_ORACLE_TOKEN:-conformance-token}
curl -sfk -H "Authorization: Bearer $TOKEN" "$URL/openapi/v2" | gzip -9n > src/server/openapi-v1.20.2.json.gz
curl -sfk -H "Authorization: Bearer $TOKEN" -H "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf" \
  "$URL/openapi/v2" | gzip -9n > src/server/openapi-v1.20.2.pb.gz
ls -l src/server/openapi-v1.20.2.*.gz
