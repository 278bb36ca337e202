#!/usr/bin/env python3
"""Record the Table columns (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) the real
kube-apiserver v1.20.2 prints for each resource the reference server models (core/v1 and the API
groups; keyed by plural: every version of a kind has the same printer), into
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
# (group/version, plural, namespaced) of the API groups.
GROUPS = [
    ("apps/v1", "deployments", True), ("apps/v1", "replicasets", True),
    ("apps/v1", "statefulsets", True), ("apps/v1", "daemonsets", True),
    ("apps/v1", "controllerrevisions", True), ("batch/v1", "jobs", True),
    ("batch/v1beta1", "cronjobs", True), ("networking.k8s.io/v1", "ingresses", True),
    ("networking.k8s.io/v1", "ingressclasses", False),
    ("networking.k8s.io/v1", "networkpolicies", True),
    ("rbac.authorization.k8s.io/v1", "roles", True),
    ("rbac.authorization.k8s.io/v1", "rolebindings", True),
    ("rbac.authorization.k8s.io/v1", "clusterroles", False),
    ("rbac.authorization.k8s.io/v1", "clusterrolebindings", False),
    ("policy/v1beta1", "poddisruptionbudgets", True),
    ("policy/v1beta1", "podsecuritypolicies", False),
    ("autoscaling/v1", "horizontalpodautoscalers", True),
    ("storage.k8s.io/v1", "storageclasses", False),
    ("scheduling.k8s.io/v1", "priorityclasses", False),
    ("certificates.k8s.io/v1", "certificatesigningrequests", False),
    ("apiregistration.k8s.io/v1", "apiservices", False),
]

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
out = {}
paths = [(r, f"/api/v1/{r}" if r in CLUSTER else f"/api/v1/namespaces/default/{r}")
         for r in RESOURCES]
paths += [(r, f"/apis/{gv}/namespaces/default/{r}" if namespaced else f"/apis/{gv}/{r}")
          for gv, r, namespaced in GROUPS]
for r, path in paths:
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
