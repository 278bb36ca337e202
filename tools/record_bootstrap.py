#!/usr/bin/env python3
"""Record what a new kube-apiserver v1.20.2 makes of itself at start and the reference server
seeds from (src/server/bootstrap-v1.20.2.json): the RBAC bootstrap policy (cluster roles, cluster
role bindings, and the roles and role bindings of kube-system and kube-public), as the server of
tools/kube-apiserver answers them right after its first start, in the order it wrote them. uids,
resourceVersions and timestamps are left out (the reference server gives its own).

Usage:  python3 tools/record_bootstrap.py   (the server of tools/kube-apiserver running, fresh)
"""

import json
import os
import ssl
import urllib.request
from pathlib import Path

URL = os.environ.get("APICONFORM_ORACLE_URL", "https://127.0.0.1:6443")
TOKEN = os.environ.get("APICONFORM_ORACLE_TOKEN", "conformance-token")
OUT = Path(__file__).resolve().parent.parent / "src/server/bootstrap-v1.20.2.json"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
# (resource, list path): namespaced ones in the system namespaces only.
LISTS = [
    ("clusterroles", f"{RBAC}/clusterroles"),
    ("clusterrolebindings", f"{RBAC}/clusterrolebindings"),
    ("roles", f"{RBAC}/namespaces/kube-system/roles"),
    ("roles", f"{RBAC}/namespaces/kube-public/roles"),
    ("rolebindings", f"{RBAC}/namespaces/kube-system/rolebindings"),
    ("rolebindings", f"{RBAC}/namespaces/kube-public/rolebindings"),
]


def get(path: str) -> dict:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    req = urllib.request.Request(URL + path, headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, context=ctx) as resp:
        return json.load(resp)


def main() -> None:
    objects = []
    for resource, path in LISTS:
        listed = get(path)
        kind = listed["kind"].removesuffix("List")
        for item in listed["items"]:
            meta = item["metadata"]
            # Made by the server at start: written by kube-apiserver itself.
            if not all(m.get("manager") == "kube-apiserver" for m in meta.get("managedFields", [])):
                continue
            rv = int(meta.pop("resourceVersion"))
            for k in ("uid", "creationTimestamp", "selfLink"):
                meta.pop(k, None)
            for m in meta.get("managedFields", []):
                m.pop("time", None)
            objects.append((rv, {"resource": resource, "object": {
                "kind": kind, "apiVersion": listed["apiVersion"], **item}}))
    objects.sort(key=lambda o: o[0])
    OUT.write_text(json.dumps([o for _, o in objects], indent=1, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"wrote {len(objects)} objects to {OUT}")


if __name__ == "__main__":
    main()
