#!/usr/bin/env python3
"""Generate src/kinds/ (the resource-kind table) from a real kube-apiserver's discovery.

Usage:
    python3 tools/gen_kinds.py [--url URL] [--token TOKEN]
    python3 tools/gen_kinds.py --from-dir src/kinds/discovery-v1.20.2
    python3 tools/gen_kinds.py --check-lists
    python3 tools/gen_kinds.py --check

Defaults: --url https://127.0.0.1:6443 (the local oracle started by
/work/shared/kube-apiserver/start.sh; its self-signed certificate is not checked)
and --token conformance-token.  Run it from the repository root.  Standard
library only (Python 3.11).

What it reads: /version, /api, /api/v1 (and every other version /api lists),
/apis, and for every group that /apis lists, /apis/<group> and
/apis/<group>/<version> for each served version.  Only GETs.

What it writes:
  src/kinds/discovery-<gitVersion>/   the raw bytes of every document exactly as
      served (no re-serialisation), one file per path: /api -> api.json,
      /api/v1 -> api-v1.json, /apis -> apis.json, /apis/apps -> apis-apps.json,
      /apis/apps/v1 -> apis-apps-v1.json, /version -> version.json.  They are
      fetched with a neutral User-Agent: kube-apiserver pretty-prints JSON for
      User-Agents starting with "curl" or "Wget" and otherwise sends it compact,
      ending with a newline.  index.txt lists "<path> <file>" per document.
  src/kinds/table.rs   Rust statics (see src/kinds/mod.rs for the types):
      SERVER_VERSION, GROUP_VERSIONS, RESOURCES and DISCOVERY_DOCUMENTS.

Derivations (kube-apiserver v1.20 discovery does not give these):
  - list_kind is kind + "List" (true of every built-in v1.20 type; --check-lists
    GETs every listable collection with ?limit=1 and compares the answer's kind).
  - singular is discovery's singularName when non-empty, else kind lower-cased
    (v1.20 always sends singularName ""; this is what kubectl's RESTMapper and
    later servers use).
  - a subresource's group/version are discovery's "group"/"version" when given
    (e.g. deployments/scale -> autoscaling/v1 Scale), else its parent's.

Order: core first, then groups in /apis order (the server's priority order),
versions in the server's order (preferred first), resources in discovery order
(alphabetical).  With --from-dir the same documents are read from a directory
written earlier, so the output is a pure function of the documents
(deterministic: same bytes in, same bytes out).  --check does that from the
committed src/kinds/discovery-v1.20.2/ without writing: it exits 1 if
src/kinds/table.rs differs (no server needed).
"""

import argparse
import json
import os
import ssl
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KINDS_DIR = os.path.join(ROOT, "src", "kinds")
USER_AGENT = "apiconform-gen-kinds/1"


def file_name(path):
    """/apis/apps/v1 -> apis-apps-v1.json"""
    return path.strip("/").replace("/", "-") + ".json"


class Live:
    def __init__(self, url, token):
        self.url = url.rstrip("/")
        self.token = token
        self.ctx = ssl._create_unverified_context()

    def get(self, path):
        req = urllib.request.Request(
            self.url + path,
            headers={
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
                "Authorization": "Bearer " + self.token,
            },
        )
        with urllib.request.urlopen(req, context=self.ctx, timeout=30) as resp:
            if resp.status != 200:
                raise SystemExit(f"GET {path}: HTTP {resp.status}")
            return resp.read()


class FromDir:
    def __init__(self, directory):
        self.directory = directory

    def get(self, path):
        with open(os.path.join(self.directory, file_name(path)), "rb") as f:
            return f.read()


def fetch_all(source):
    """Returns ({path: bytes} in fetch order, version document, core versions, groups)."""
    docs = {}

    def get(path):
        docs[path] = source.get(path)
        return json.loads(docs[path])

    version = get("/version")
    api = get("/api")
    core_versions = api["versions"]
    for v in core_versions:
        get(f"/api/{v}")
    apis = get("/apis")
    for g in apis["groups"]:
        get(f"/apis/{g['name']}")
        for v in g["versions"]:
            get(f"/apis/{g['name']}/{v['version']}")
    return docs, version, core_versions, apis["groups"]


def rs(s):
    """A Rust string literal (the values are plain ASCII identifiers and paths)."""
    if not isinstance(s, str) or not all(0x20 <= ord(c) < 0x7F for c in s):
        raise SystemExit(f"unexpected string value {s!r}")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rs_list(items):
    return "&[" + ", ".join(rs(i) for i in items) + "]"


def rs_opt(s):
    return "None" if s is None else f"Some({rs(s)})"


def build(docs, core_versions, groups):
    """Returns (group_versions, resources) as plain Python data."""
    gvs = []  # (group, version, preferred)
    for i, v in enumerate(core_versions):
        # /api has no preferredVersion; the first listed (the only one: v1) is preferred.
        gvs.append(("", v, i == 0))
    for g in groups:
        pref = g["preferredVersion"]["version"]
        for v in g["versions"]:
            gvs.append((g["name"], v["version"], v["version"] == pref))

    resources = []
    for group, version, preferred in gvs:
        path = f"/api/{version}" if group == "" else f"/apis/{group}/{version}"
        doc = json.loads(docs[path])
        gv = version if group == "" else f"{group}/{version}"
        if doc.get("groupVersion") != gv:
            raise SystemExit(f"{path}: groupVersion {doc.get('groupVersion')!r}, expected {gv!r}")
        top = {}
        order = []
        subs = []
        for r in doc["resources"]:
            if "/" in r["name"]:
                subs.append(r)
                continue
            if r["name"] in top:
                raise SystemExit(f"{path}: resource {r['name']} listed twice")
            top[r["name"]] = {
                "group": group,
                "version": version,
                "api_version": gv,
                "kind": r["kind"],
                "plural": r["name"],
                "singular": r.get("singularName") or r["kind"].lower(),
                "short_names": r.get("shortNames", []),
                "categories": r.get("categories", []),
                "namespaced": r["namespaced"],
                "list_kind": r["kind"] + "List",
                "verbs": r["verbs"],
                "storage_version_hash": r.get("storageVersionHash"),
                "subresources": [],
                "preferred": preferred,
            }
            order.append(r["name"])
        for r in subs:
            parent, _, sub = r["name"].partition("/")
            if parent not in top or "/" in sub:
                raise SystemExit(f"{path}: subresource {r['name']} without a top-level parent")
            p = top[parent]
            if r["namespaced"] != p["namespaced"]:
                raise SystemExit(f"{path}: {r['name']} scope differs from its parent's")
            p["subresources"].append(
                {
                    "name": sub,
                    "group": r.get("group", group),
                    "version": r.get("version", version),
                    "kind": r["kind"],
                    "verbs": r["verbs"],
                }
            )
        kinds = [top[n]["kind"] for n in order]
        dups = {k for k in kinds if kinds.count(k) > 1}
        if dups:
            raise SystemExit(f"{path}: kinds served by several resources: {sorted(dups)}")
        resources.extend(top[n] for n in order)
    return gvs, resources


def render(server_version, gvs, resources, doc_dir_name, doc_paths):
    out = []
    w = out.append
    w(f"// Generated by tools/gen_kinds.py from kube-apiserver {server_version}'s discovery documents.\n")
    w("// Do not edit: regenerate (see tools/README.md).\n")
    w("\n")
    w("use super::{GroupVersion, Resource, Subresource};\n")
    w("\n")
    w(f"/// The `gitVersion` of the server the table was generated from.\n")
    w(f"pub const SERVER_VERSION: &str = {rs(server_version)};\n")
    w("\n")
    w("/// Every served group-version, core first, then in the server's `/apis` order.\n")
    w("pub static GROUP_VERSIONS: &[GroupVersion] = &[\n")
    for group, version, preferred in gvs:
        w(f"    GroupVersion {{ group: {rs(group)}, version: {rs(version)}, preferred: {'true' if preferred else 'false'} }},\n")
    w("];\n")
    w("\n")
    w(f"/// Every top-level resource of every served group-version ({len(resources)} entries).\n")
    w("pub static RESOURCES: &[Resource] = &[\n")
    for r in resources:
        w("    Resource {\n")
        w(f"        group: {rs(r['group'])},\n")
        w(f"        version: {rs(r['version'])},\n")
        w(f"        api_version: {rs(r['api_version'])},\n")
        w(f"        kind: {rs(r['kind'])},\n")
        w(f"        plural: {rs(r['plural'])},\n")
        w(f"        singular: {rs(r['singular'])},\n")
        w(f"        short_names: {rs_list(r['short_names'])},\n")
        w(f"        categories: {rs_list(r['categories'])},\n")
        w(f"        namespaced: {'true' if r['namespaced'] else 'false'},\n")
        w(f"        list_kind: {rs(r['list_kind'])},\n")
        w(f"        verbs: {rs_list(r['verbs'])},\n")
        if r["subresources"]:
            w("        subresources: &[\n")
            for s in r["subresources"]:
                w(
                    f"            Subresource {{ name: {rs(s['name'])}, group: {rs(s['group'])}, "
                    f"version: {rs(s['version'])}, kind: {rs(s['kind'])}, verbs: {rs_list(s['verbs'])} }},\n"
                )
            w("        ],\n")
        else:
            w("        subresources: &[],\n")
        w(f"        preferred: {'true' if r['preferred'] else 'false'},\n")
        w(f"        storage_version_hash: {rs_opt(r['storage_version_hash'])},\n")
        w("    },\n")
    w("];\n")
    w("\n")
    w("/// The discovery documents (and `/version`) as served: (request path, exact bytes).\n")
    w("pub static DISCOVERY_DOCUMENTS: &[(&str, &[u8])] = &[\n")
    for p in doc_paths:
        w(f"    ({rs(p)}, include_bytes!({rs(doc_dir_name + '/' + file_name(p))})),\n")
    w("];\n")
    return "".join(out)


def check_lists(source, resources):
    """GET every listable collection (cluster-wide, ?limit=1) and compare its kind."""
    bad = 0
    for r in resources:
        if "list" not in r["verbs"]:
            continue
        base = "/api/" if r["group"] == "" else "/apis/" + r["group"] + "/"
        path = base + r["version"] + "/" + r["plural"] + "?limit=1"
        kind = json.loads(source.get(path))["kind"]
        status = "ok" if kind == r["list_kind"] else "MISMATCH"
        bad += kind != r["list_kind"]
        print(f"{status:8} {path:70} {kind}")
    if bad:
        raise SystemExit(f"{bad} list kinds differ from <Kind>List")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="https://127.0.0.1:6443")
    ap.add_argument("--token", default="conformance-token")
    ap.add_argument("--from-dir", help="read the documents from a directory written earlier")
    ap.add_argument("--out", default=KINDS_DIR, help="the src/kinds directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate table.rs from the stored documents and only compare (exit 1 if it differs)")
    ap.add_argument("--check-lists", action="store_true",
                    help="also GET every listable collection and check its list kind (live server only)")
    args = ap.parse_args()

    if args.check and not args.from_dir:
        args.from_dir = os.path.join(args.out, "discovery-v1.20.2")
    source = FromDir(args.from_dir) if args.from_dir else Live(args.url, args.token)
    docs, version, core_versions, groups = fetch_all(source)
    server_version = version["gitVersion"]
    gvs, resources = build(docs, core_versions, groups)
    if args.check_lists:
        if args.from_dir:
            raise SystemExit("--check-lists needs a live server")
        check_lists(source, resources)

    doc_dir_name = "discovery-" + server_version
    doc_dir = os.path.join(args.out, doc_dir_name)
    table = render(server_version, gvs, resources, doc_dir_name, list(docs))
    table_path = os.path.join(args.out, "table.rs")
    if args.check:
        with open(table_path, encoding="utf-8", newline="") as f:
            current = f.read()
        if current != table:
            raise SystemExit(f"{os.path.relpath(table_path, ROOT)} is out of date: run python3 tools/gen_kinds.py --from-dir {os.path.relpath(args.from_dir, ROOT)}")
        print(f"{os.path.relpath(table_path, ROOT)} is up to date", file=sys.stderr)
        return
    os.makedirs(doc_dir, exist_ok=True)
    if not args.from_dir:
        stale = set(os.listdir(doc_dir)) - {file_name(p) for p in docs} - {"index.txt"}
        for name in sorted(stale):
            os.remove(os.path.join(doc_dir, name))
        for path, body in docs.items():
            with open(os.path.join(doc_dir, file_name(path)), "wb") as f:
                f.write(body)
        with open(os.path.join(doc_dir, "index.txt"), "w", newline="\n") as f:
            for path in docs:
                f.write(f"{path} {file_name(path)}\n")
    with open(table_path, "w", newline="\n") as f:
        f.write(table)
    subs = sum(len(r["subresources"]) for r in resources)
    print(
        f"{server_version}: {len(gvs)} group-versions, {len(resources)} resources, "
        f"{subs} subresources, {len(docs)} documents -> {os.path.relpath(args.out, ROOT)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
