#!/usr/bin/env python3
"""Record the Table columns (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) the real
kube-apiserver v1.20.2 prints for each core/v1 resource the reference server models, into
src/server/table-columns-v1.20.2.json. Needs the server of tools/kube-apiserver running.

Usage:  python3 tools/record_table_columns.py
"""

import json
import os
import ssl
import urllib.request
from pathlib import Path

URL = os.environ.get("APICONFORM_ORACLE_URL", "https://127.0.0.1:6443")
TOKEN = os.environ.get("APICONFORM_ORACLE_TOKEN", "conformance-token")
RESOURCES = [
    "pods", "namespaces", "configmaps", "secrets", "serviceaccounts", "endpoints", "events",
    "services", "persistentvolumeclaims", "persistentvolumes", "replicationcontrollers", "nodes",
    "resourcequotas", "limitranges", "podtemplates",
]
CLUSTER = {"namespaces", "persistentvolumes", "nodes"}

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}
for r in RESOURCES:
    path = f"/api/v1/{r}" if r in CLUSTER else f"/api/v1/namespaces/default/{r}"
    req = urllib.request.Request(URL + path, headers={
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io",
        "User-Agent": "apiconform-record",
    })
    with urllib.request.urlopen(req, context=ctx) as resp:
        table = json.load(resp)
    out[r] = table["columnDefinitions"]
target = Path(__file__).resolve().parent.parent / "src/server/table-columns-v1.20.2.json"
target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {target}: {len(out)} resources")
