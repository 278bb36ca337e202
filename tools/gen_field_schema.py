#!/usr/bin/env python3
"""Generate src/import/fields-v1.20.2.json: the fields of every kind kube-apiserver v1.20.2 serves,
from its OpenAPI document (`GET /openapi/v2`), for the importer to tell a document's invented or
retired fields from real ones.

Usage:  curl -sk -H "Authorization: Bearer $TOKEN" https://127.0.0.1:6443/openapi/v2 > openapi.json
        python3 tools/gen_field_schema.py openapi.json > src/import/fields-v1.20.2.json

Output: {"kinds": {"<apiVersion> <Kind>": "<definition>"}, "defs": {"<definition>": {"<field>": T}}}
where T is "" (a scalar, or a value of any shape: Quantity, IntOrString, Time, RawExtension),
"@<definition>", "[]T" (an array of T) or "{}T" (a map of T). Standard library only.
"""
import json
import sys


def short(ref):
    return ref.rsplit("/", 1)[-1]


def typ(s):
    if "$ref" in s:
        return "@" + short(s["$ref"])
    t = s.get("type")
    if t == "array":
        return "[]" + typ(s.get("items", {}))
    if t == "object" and isinstance(s.get("additionalProperties"), dict):
        return "{}" + typ(s["additionalProperties"])
    return ""


def main():
    doc = json.load(open(sys.argv[1]))
    defs, kinds = {}, {}
    for name, d in sorted(doc["definitions"].items()):
        props = d.get("properties")
        if props:
            defs[name] = {k: typ(v) for k, v in sorted(props.items())}
        for gvk in d.get("x-kubernetes-group-version-kind", []):
            av = gvk["version"] if not gvk["group"] else gvk["group"] + "/" + gvk["version"]
            key = av + " " + gvk["kind"]
            if props and "metadata" in props:
                kinds[key] = name
    json.dump({"source": "kube-apiserver v1.20.2 /openapi/v2", "kinds": kinds, "defs": defs},
              sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
