#!/usr/bin/env python3
"""Generate src/server/core_v1_schema.json from the Kubernetes v1.20.2 Go source.

Usage:  python3 tools/gen_core_schema.py [--out PATH] [--check]
        KUBE_SRC=/path/to/kubernetes python3 tools/gen_core_schema.py

Reads the Go struct definitions of every type reachable from the root types
(every core/v1 kind and its list, Binding, ComponentStatus, autoscaling/v1 Scale,
meta/v1 Status and DeleteOptions: BASE_ROOTS; and the kinds, each with its list,
of the other group versions in EXTRA_ROOTS: apps/v1, batch/v1 and v1beta1,
networking.k8s.io/v1 and v1beta1, extensions/v1beta1 Ingress, rbac.authorization.k8s.io/v1 and
v1beta1, policy/v1beta1, autoscaling/v1 HorizontalPodAutoscaler, storage.k8s.io/v1 and v1beta1
StorageClass, scheduling.k8s.io/v1 and v1beta1 PriorityClass, events.k8s.io/v1 and v1beta1 Event,
authentication.k8s.io/v1 TokenRequest, the authorization and authentication reviews,
certificates.k8s.io/v1 and v1beta1 CertificateSigningRequest, apiregistration.k8s.io/v1 and v1beta1
APIService)
and writes, for each struct, its JSON fields in Go declaration order, with how
a list field merges and is owned: "patch_strategy" and "merge_key" (the
patchStrategy/patchMergeKey tags), "list_type" and "list_map_keys" (the
`// +listType=` and `// +listMapKey=` markers).  Embedded structs without a JSON name (`json:",inline"`, e.g. TypeMeta)
are flattened in place, fields tagged `json:"-"` and unexported fields are
skipped.  Standard library only (Python 3.11).

Keys.  A struct is keyed by its bare Go name ("Pod", "DeploymentSpec") unless a
struct of the same name from another package is reachable too.  Of colliding
structs, the one from core/v1 or meta/v1, or reachable from BASE_ROOTS (at most
one may be: every type of the original core/v1 schema keeps its bare key),
keeps the bare name; every other gets "<group>/<version>.<Name>", with the
group/version as the API spells it (PACKAGES), e.g. "events.k8s.io/v1beta1.Event"
next to core's "Event", or "networking.k8s.io/v1.Ingress",
"networking.k8s.io/v1beta1.Ingress" and "extensions/v1beta1.Ingress" (no bare
"Ingress": none of them is core).  {"struct": ...} references use the same keys.
"gv" records each struct's group/version ("v1" for core/v1, "meta.k8s.io/v1"
for meta/v1, "apps/v1", ...), so that a kind of a group version can be looked
up: its qualified key if there is one, else its bare key if that struct's "gv"
is the group version.  "go" stays as Go prints the type ("v1beta1.Ingress"):
error paths use it.

Output format (see also src/server/schema.rs, which consumes it):

    {
      "source": "...",
      "roots": [...],
      "named": {"v1.ResourceList": "map[v1.ResourceName]resource.Quantity", ...},
      "types": {
        "Pod": {
          "go": "v1.Pod",
          "gv": "v1",
          "fields": [
            {"json": "kind", "go_path": ["TypeMeta", "Kind"], "go_type": "string",
             "type": "string", "omitempty": true},
            ...
          ]
        },
        ...
        "events.k8s.io/v1beta1.Event": {"go": "v1beta1.Event", "gv": "events.k8s.io/v1beta1", ...},
        ...
      }
    }

Type expressions ("type"):
  "string" | "int" | "float" | "bool"          scalars (named string/int types resolve
                                               to their scalar; []byte is "string")
  {"ptr": T} | {"slice": T} | {"map": T}       pointer, slice, map with string keys
  {"struct": "Key"}                            a struct listed under "types" (by its key)
  "time" | "microtime" | "duration" | "quantity" | "intorstring" | "raw"
                                               opaque types with custom JSON (un)marshalers

"go_path" is the chain of Go field names (more than one element for fields of
flattened embedded structs) and "go_type" the Go type as reflect prints it; both
are only used to build json-iterator style error paths and integer ranges.
"named" maps every named non-struct type mentioned in a go_type to its
underlying Go type (a name two packages print alike must have one underlying type).
"roots" lists the keys of the root types.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SRC = "~/.cache/kube-oracle/src/kubernetes-1.20.5+really1.20.2"

CORE_V1 = "k8s.io/api/core/v1"
META_V1 = "k8s.io/apimachinery/pkg/apis/meta/v1"
RESOURCE = "k8s.io/apimachinery/pkg/api/resource"
INTSTR = "k8s.io/apimachinery/pkg/util/intstr"
TYPES = "k8s.io/apimachinery/pkg/types"
RUNTIME = "k8s.io/apimachinery/pkg/runtime"

# Every kind core/v1 serves, with its list, and the meta/v1 types the API answers with.
CORE_KINDS = [
    "Pod", "Namespace", "ConfigMap", "Secret", "Service", "Endpoints", "ServiceAccount", "Event",
    "LimitRange", "ResourceQuota", "PersistentVolume", "PersistentVolumeClaim",
    "ReplicationController", "Node", "PodTemplate",
]
AUTOSCALING_V1 = "k8s.io/api/autoscaling/v1"
# The roots of the original core/v1 schema: every type reachable from them keeps its bare name.
BASE_ROOTS = (
    [(CORE_V1, k) for k in CORE_KINDS]
    + [(CORE_V1, k + "List") for k in CORE_KINDS]
    + [(CORE_V1, "Binding"), (CORE_V1, "ComponentStatus"), (CORE_V1, "ComponentStatusList")]
    + [(AUTOSCALING_V1, "Scale")]
    + [(META_V1, "Status"), (META_V1, "DeleteOptions")]
)

# The Go package of each API group version the schema covers, with its group/version as the API
# spells it ("v1" for the core group; meta/v1's types are registered in every group version, the
# package is recorded as "meta.k8s.io/v1").
PACKAGES = {
    CORE_V1: "v1",
    META_V1: "meta.k8s.io/v1",
    AUTOSCALING_V1: "autoscaling/v1",
    "k8s.io/api/apps/v1": "apps/v1",
    "k8s.io/api/batch/v1": "batch/v1",
    "k8s.io/api/batch/v1beta1": "batch/v1beta1",
    "k8s.io/api/networking/v1": "networking.k8s.io/v1",
    "k8s.io/api/networking/v1beta1": "networking.k8s.io/v1beta1",
    "k8s.io/api/extensions/v1beta1": "extensions/v1beta1",
    "k8s.io/api/rbac/v1": "rbac.authorization.k8s.io/v1",
    "k8s.io/api/rbac/v1beta1": "rbac.authorization.k8s.io/v1beta1",
    "k8s.io/api/policy/v1beta1": "policy/v1beta1",
    "k8s.io/api/storage/v1": "storage.k8s.io/v1",
    "k8s.io/api/storage/v1beta1": "storage.k8s.io/v1beta1",
    "k8s.io/api/scheduling/v1": "scheduling.k8s.io/v1",
    "k8s.io/api/scheduling/v1beta1": "scheduling.k8s.io/v1beta1",
    "k8s.io/api/events/v1": "events.k8s.io/v1",
    "k8s.io/api/events/v1beta1": "events.k8s.io/v1beta1",
    "k8s.io/api/authentication/v1": "authentication.k8s.io/v1",
    "k8s.io/api/authentication/v1beta1": "authentication.k8s.io/v1beta1",
    "k8s.io/api/authorization/v1": "authorization.k8s.io/v1",
    "k8s.io/api/authorization/v1beta1": "authorization.k8s.io/v1beta1",
    "k8s.io/api/certificates/v1": "certificates.k8s.io/v1",
    "k8s.io/api/certificates/v1beta1": "certificates.k8s.io/v1beta1",
    "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1": "apiregistration.k8s.io/v1",
    "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1beta1": "apiregistration.k8s.io/v1beta1",
}
GV_PACKAGE = {gv: pkg for pkg, gv in PACKAGES.items()}


def with_lists(gv: str, kinds: list[str]) -> list[tuple[str, str]]:
    return [(GV_PACKAGE[gv], n) for k in kinds for n in (k, k + "List")]


# The kinds (each with its list) of the other API groups v1.20.2 serves that the schema covers.
EXTRA_ROOTS = (
    with_lists(
        "apps/v1", ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"]
    )
    + with_lists("batch/v1", ["Job"])
    + with_lists("batch/v1beta1", ["CronJob"])
    + with_lists("networking.k8s.io/v1", ["NetworkPolicy", "IngressClass", "Ingress"])
    + with_lists("networking.k8s.io/v1beta1", ["Ingress", "IngressClass"])
    + with_lists("extensions/v1beta1", ["Ingress"])
    + with_lists(
        "rbac.authorization.k8s.io/v1", ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]
    )
    + with_lists(
        "rbac.authorization.k8s.io/v1beta1",
        ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
    )
    + with_lists("policy/v1beta1", ["PodDisruptionBudget", "PodSecurityPolicy"])
    + with_lists("autoscaling/v1", ["HorizontalPodAutoscaler"])
    + with_lists("storage.k8s.io/v1", ["StorageClass"])
    + with_lists("storage.k8s.io/v1beta1", ["StorageClass"])
    + with_lists("scheduling.k8s.io/v1", ["PriorityClass"])
    + with_lists("scheduling.k8s.io/v1beta1", ["PriorityClass"])
    + with_lists("events.k8s.io/v1", ["Event"])
    + with_lists("events.k8s.io/v1beta1", ["Event"])
    + with_lists("certificates.k8s.io/v1", ["CertificateSigningRequest"])
    + with_lists("certificates.k8s.io/v1beta1", ["CertificateSigningRequest"])
    + with_lists("apiregistration.k8s.io/v1", ["APIService"])
    + with_lists("apiregistration.k8s.io/v1beta1", ["APIService"])
    # serviceaccounts/token (a subresource: no list)
    + [(GV_PACKAGE["authentication.k8s.io/v1"], "TokenRequest")]
    # Create-only reviews (no list)
    + [(GV_PACKAGE[gv], kind)
       for gv in ("authorization.k8s.io/v1", "authorization.k8s.io/v1beta1")
       for kind in ("SelfSubjectAccessReview", "SubjectAccessReview", "LocalSubjectAccessReview",
                    "SelfSubjectRulesReview")]
    + [(GV_PACKAGE[gv], "TokenReview")
       for gv in ("authentication.k8s.io/v1", "authentication.k8s.io/v1beta1")]
)
ROOTS = BASE_ROOTS + EXTRA_ROOTS

# Types whose JSON form comes from custom MarshalJSON/UnmarshalJSON methods.
SPECIALS = {
    (META_V1, "Time"): "time",
    (META_V1, "MicroTime"): "microtime",
    (META_V1, "Duration"): "duration",
    (META_V1, "FieldsV1"): "raw",
    (RUNTIME, "RawExtension"): "raw",
    (RESOURCE, "Quantity"): "quantity",
    (INTSTR, "IntOrString"): "intorstring",
}

INT_KINDS = {
    "int", "int8", "int16", "int32", "int64",
    "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune",
}
FLOAT_KINDS = {"float32", "float64"}
BUILTINS = INT_KINDS | FLOAT_KINDS | {"string", "bool"}


class GenError(Exception):
    pass


# ---------------------------------------------------------------------------
# Go source scanning


def strip_comments(src: str) -> str:
    """Remove // and /* */ comments, keeping string/rune/raw-string literals intact."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "/" and i + 1 < n and src[i + 1] == "/":
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            if j < 0:
                raise GenError("unterminated block comment")
            # keep line structure
            out.append("\n" * src.count("\n", i, j + 2))
            i = j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                j += 1
            out.append(src[i : j + 1])
            i = j + 1
        elif c == "`":
            j = src.find("`", i + 1)
            if j < 0:
                raise GenError("unterminated raw string")
            out.append(src[i : j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass
class GoField:
    names: list[str]  # empty for embedded fields
    type_src: str
    tag: str
    embedded: bool
    markers: dict = field(default_factory=dict)  # +listType, +listMapKey (several)


@dataclass
class GoType:
    pkg: str
    name: str
    struct_fields: list[GoField] | None  # None if not a struct
    underlying_src: str | None  # for non-struct named types
    imports: dict[str, str]
    parse_error: str | None = None


@dataclass
class Package:
    path: str
    name: str
    types: dict[str, GoType] = field(default_factory=dict)


IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)", re.S | re.M)
IMPORT_SINGLE = re.compile(r'^import\s+(?:(\w+|\.|_)\s+)?"([^"]+)"', re.M)
IMPORT_LINE = re.compile(r'^\s*(?:(\w+|\.|_)\s+)?"([^"]+)"\s*$')
TYPE_DECL = re.compile(r"^type\s+(\w+)\s+(=\s*)?", re.M)
FIELD_LINE = re.compile(r"^(\w+(?:\s*,\s*\w+)*)\s+([^`]+?)\s*(`[^`]*`)?\s*;?$")
EMBED_LINE = re.compile(r"^(\*?[\w.]+)\s*(`[^`]*`)?\s*;?$")


def parse_imports(src: str) -> dict[str, str]:
    imports: dict[str, str] = {}

    def add(alias: str | None, path: str) -> None:
        if alias in (".", "_"):
            return
        imports[alias or path.rsplit("/", 1)[-1]] = path

    for block in IMPORT_BLOCK.findall(src):
        for line in block.splitlines():
            m = IMPORT_LINE.match(line)
            if m:
                add(m.group(1), m.group(2))
    for m in IMPORT_SINGLE.finditer(src):
        add(m.group(1), m.group(2))
    return imports


def matching_brace(src: str, open_idx: int) -> int:
    depth = 0
    i = open_idx
    while i < len(src):
        c = src[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        elif c in "\"'":
            q = c
            i += 1
            while src[i] != q:
                if src[i] == "\\":
                    i += 1
                i += 1
        elif c == "`":
            i = src.index("`", i + 1)
        i += 1
    raise GenError("unbalanced braces")


# Comment markers the list semantics come from (`// +listType=map`, `// +listMapKey=port`), kept
# through the comment stripping as pseudo-lines that precede their field.
MARKER = re.compile(r"^(\s*)//\s*\+(listType|listMapKey)=(\S+)\s*$", re.M)


def parse_struct_body(body: str) -> list[GoField]:
    fields: list[GoField] = []
    markers: dict = {}
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("__MARK "):
            k, v = line[len("__MARK ") :].split("=", 1)
            if k == "listMapKey":
                markers.setdefault(k, []).append(v)
            else:
                markers[k] = v
            continue
        m = EMBED_LINE.match(line)
        if m and not re.match(r"^\w+\s+[^`\s]", line):
            fields.append(GoField([], m.group(1), (m.group(2) or "``")[1:-1], True))
            continue
        m = FIELD_LINE.match(line)
        if not m:
            raise GenError(f"cannot parse struct field line: {line!r}")
        names = [x.strip() for x in m.group(1).split(",")]
        type_src = m.group(2).strip()
        if "{" in type_src or "(" in type_src:
            raise GenError(f"unsupported inline type in field line: {line!r}")
        fields.append(GoField(names, type_src, (m.group(3) or "``")[1:-1], False, markers))
        markers = {}
    return fields


def parse_package(root: Path, path: str) -> Package:
    directory = root / path
    if not directory.is_dir():
        raise GenError(f"package directory not found: {directory}")
    pkg_name = None
    pkg = Package(path, "")
    for f in sorted(directory.glob("*.go")):
        if f.name.endswith("_test.go") or f.name == "generated.pb.go":
            continue
        src = strip_comments(MARKER.sub(r"\1__MARK \2=\3", f.read_text(encoding="utf-8")))
        m = re.search(r"^package\s+(\w+)", src, re.M)
        if not m:
            continue
        if pkg_name is None:
            pkg_name = m.group(1)
        elif pkg_name != m.group(1):
            continue
        imports = parse_imports(src)
        if re.search(r"^type\s*\(", src, re.M):
            raise GenError(f"grouped type declarations not supported: {f}")
        for m in TYPE_DECL.finditer(src):
            name = m.group(1)
            rest = src[m.end() :]
            if rest.startswith("struct"):
                ob = m.end() + rest.index("{")
                cb = matching_brace(src, ob)
                try:
                    fields = parse_struct_body(src[ob + 1 : cb])
                    error = None
                except GenError as e:  # only fatal if the type is reachable
                    fields, error = [], str(e)
                pkg.types[name] = GoType(path, name, fields, None, imports, error)
            else:
                underlying = rest.split("\n", 1)[0].strip()
                pkg.types[name] = GoType(path, name, None, underlying, imports)
    if pkg_name is None:
        raise GenError(f"no Go package in {directory}")
    pkg.name = pkg_name
    return pkg


# ---------------------------------------------------------------------------
# Type resolution


def split_type(src: str) -> tuple[str, str]:
    """Return (kind, rest) for a Go type expression."""
    src = src.strip()
    if src.startswith("*"):
        return "ptr", src[1:]
    if src.startswith("[]"):
        return "slice", src[2:]
    if src.startswith("["):
        raise GenError(f"arrays are not supported: {src}")
    if src.startswith("map["):
        depth = 0
        for i, c in enumerate(src[3:], start=3):
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return "map", src[4:i] + "\x00" + src[i + 1 :]
        raise GenError(f"bad map type: {src}")
    return "named", src


class Resolver:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.packages: dict[str, Package] = {}
        # (pkg, name) -> schema; its {"struct": (pkg, name)} references get their keys at the end
        self.structs: dict[tuple[str, str], dict] = {}
        self.pending: list[GoType] = []
        self.named: dict[str, str] = {}

    def package(self, path: str) -> Package:
        if path not in self.packages:
            self.packages[path] = parse_package(self.root, path)
        return self.packages[path]

    def lookup(self, ctx: GoType | None, pkg_path: str, ref: str) -> tuple[str, str]:
        """Resolve a (possibly qualified) type name to (pkg_path, name)."""
        if "." in ref:
            alias, name = ref.split(".", 1)
            if ctx is None or alias not in ctx.imports:
                raise GenError(f"unknown package alias {alias!r} in {ref}")
            return ctx.imports[alias], name
        return pkg_path, ref

    def go_string(self, ctx: GoType, src: str) -> str:
        """The type as Go's reflect prints it (package name, not path)."""
        kind, rest = split_type(src)
        if kind == "ptr":
            return "*" + self.go_string(ctx, rest)
        if kind == "slice":
            return "[]" + self.go_string(ctx, rest)
        if kind == "map":
            k, v = rest.split("\x00")
            return f"map[{self.go_string(ctx, k)}]{self.go_string(ctx, v)}"
        if rest in BUILTINS:
            return "uint8" if rest == "byte" else ("int32" if rest == "rune" else rest)
        pkg_path, name = self.lookup(ctx, ctx.pkg, rest)
        return f"{self.package(pkg_path).name}.{name}"

    def resolve(self, ctx: GoType, src: str) -> object:
        kind, rest = split_type(src)
        if kind == "ptr":
            return {"ptr": self.resolve(ctx, rest)}
        if kind == "slice":
            if rest.strip() in ("byte", "uint8"):
                return "string"  # []byte is base64 text in JSON
            return {"slice": self.resolve(ctx, rest)}
        if kind == "map":
            k, v = rest.split("\x00")
            if self.resolve(ctx, k) != "string":
                raise GenError(f"map key must be a string kind: {src}")
            return {"map": self.resolve(ctx, v)}
        if rest in INT_KINDS:
            return "int"
        if rest in FLOAT_KINDS:
            return "float"
        if rest in ("string", "bool"):
            return rest
        if rest in ("interface{}", "any"):
            return "raw"
        pkg_path, name = self.lookup(ctx, ctx.pkg, rest)
        if (pkg_path, name) in SPECIALS:
            return SPECIALS[(pkg_path, name)]
        pkg = self.package(pkg_path)
        t = pkg.types.get(name)
        if t is None:
            raise GenError(f"type {pkg_path}.{name} not found")
        if t.struct_fields is None:
            if t.underlying_src is None or t.underlying_src.startswith("="):
                raise GenError(f"unsupported type declaration {pkg_path}.{name}")
            go_name = f"{pkg.name}.{name}"
            underlying = self.go_string(t, t.underlying_src)
            if self.named.setdefault(go_name, underlying) != underlying:
                # go_type strings name the package, not its path: they must stay unambiguous
                raise GenError(f"named type {go_name} is {self.named[go_name]} and {underlying}")
            return self.resolve(t, t.underlying_src)
        self.require_struct(t)
        return {"struct": (t.pkg, name)}

    def require_struct(self, t: GoType) -> None:
        if (t.pkg, t.name) in self.structs:
            return
        if t.pkg not in PACKAGES:
            raise GenError(f"{t.pkg}.{t.name}: no group/version known for package {t.pkg}")
        schema = {"go": f"{self.package(t.pkg).name}.{t.name}", "gv": PACKAGES[t.pkg], "fields": []}
        self.structs[(t.pkg, t.name)] = schema
        schema["fields"] = self.struct_fields(t, [])

    def struct_fields(self, t: GoType, prefix: list[str]) -> list[dict]:
        out: list[dict] = []
        if t.parse_error is not None:
            raise GenError(f"{t.pkg}.{t.name}: {t.parse_error}")
        assert t.struct_fields is not None
        for f in t.struct_fields:
            tag = parse_json_tag(f.tag)
            if tag is not None and tag[0] == "-" and len(tag) == 1:
                continue
            tag_name = tag[0] if tag else ""
            opts = tag[1:] if tag else []
            if "string" in opts:
                raise GenError(f"`json:\",string\"` is not supported ({t.name})")
            if f.embedded:
                go_name = f.type_src.lstrip("*").rsplit(".", 1)[-1]
                if not tag_name:
                    if f.type_src.startswith("*"):
                        raise GenError(f"embedded pointer structs not supported ({t.name})")
                    pkg_path, name = self.lookup(t, t.pkg, f.type_src)
                    inner = self.package(pkg_path).types.get(name)
                    if inner is None or inner.struct_fields is None:
                        raise GenError(f"embedded non-struct {f.type_src} in {t.name}")
                    out.extend(self.struct_fields(inner, prefix + [go_name]))
                    continue
                names = [go_name]
            else:
                names = f.names
            for name in names:
                if not name[0].isupper():
                    continue  # unexported: invisible to encoding/json
                entry = {
                    "json": tag_name or name,
                    "go_path": prefix + [name],
                    "go_type": self.go_string(t, f.type_src),
                    "type": self.resolve(t, f.type_src),
                    "omitempty": "omitempty" in opts,
                }
                # How a list merges (strategic merge patch) and is owned (managedFields).
                for key, tag_key in (("patch_strategy", "patchStrategy"), ("merge_key", "patchMergeKey")):
                    m = re.search(rf'(?:^|\s){tag_key}:"([^"]*)"', f.tag)
                    if m:
                        entry[key] = m.group(1)
                if "listType" in f.markers:
                    entry["list_type"] = f.markers["listType"]
                if "listMapKey" in f.markers:
                    entry["list_map_keys"] = f.markers["listMapKey"]
                out.append(entry)
        seen: set[str] = set()
        for f in out:
            if f["json"] in seen:
                raise GenError(f"duplicate JSON field {f['json']!r} in {t.name}")
            seen.add(f["json"])
        return out


def parse_json_tag(tag: str) -> list[str] | None:
    m = re.search(r'(?:^|\s)json:"([^"]*)"', tag)
    if not m:
        return None
    return m.group(1).split(",")


def require_roots(r: Resolver, roots) -> None:
    for pkg_path, name in roots:
        t = r.package(pkg_path).types.get(name)
        if t is None or t.struct_fields is None:
            raise GenError(f"root type {pkg_path}.{name} not found")
        r.require_struct(t)


def assign_keys(structs, preferred: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The schema key of every struct: its bare name if no other package has a struct of that
    name, or if it is the preferred occurrence (core/v1, meta/v1, or reachable from BASE_ROOTS);
    else "<group>/<version>.<Name>"."""
    by_name: dict[str, list[tuple[str, str]]] = {}
    for pkg, name in structs:
        by_name.setdefault(name, []).append((pkg, name))
    keys: dict[tuple[str, str], str] = {}
    for name, occurrences in by_name.items():
        if len(occurrences) == 1:
            keys[occurrences[0]] = name
            continue
        bare = [o for o in occurrences if o in preferred]
        if len(bare) > 1:
            raise GenError(f"struct name clash between preferred packages: {name} in {bare}")
        for o in occurrences:
            keys[o] = name if o in bare else f"{PACKAGES[o[0]]}.{name}"
    return keys


def rekey(expr: object, keys: dict[tuple[str, str], str]) -> object:
    if isinstance(expr, dict):
        return {k: keys[v] if k == "struct" else rekey(v, keys) for k, v in expr.items()}
    return expr


def generate(root: Path) -> dict:
    r = Resolver(root)
    require_roots(r, BASE_ROOTS)
    base = set(r.structs)
    require_roots(r, EXTRA_ROOTS)
    preferred = base | {k for k in r.structs if k[0] in (CORE_V1, META_V1)}
    keys = assign_keys(r.structs, preferred)
    types: dict[str, dict] = {}
    for ref, schema in r.structs.items():
        for f in schema["fields"]:
            f["type"] = rekey(f["type"], keys)
        types[keys[ref]] = schema
    return {
        "source": "kubernetes v1.20.2 (staging/src/k8s.io/{api,apimachinery}); "
        "generated by tools/gen_core_schema.py, do not edit",
        "roots": sorted(keys[(pkg, name)] for pkg, name in ROOTS),
        "named": dict(sorted(r.named.items())),
        "types": dict(sorted(types.items())),
    }


def render(schema: dict) -> str:
    """Readable, deterministic JSON: one struct field per line."""

    def c(v: object) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))

    lines = ["{"]
    lines.append(f'  "source": {c(schema["source"])},')
    lines.append(f'  "roots": {c(schema["roots"])},')
    lines.append('  "named": {')
    named = list(schema["named"].items())
    for i, (k, v) in enumerate(named):
        lines.append(f"    {c(k)}: {c(v)}" + ("," if i + 1 < len(named) else ""))
    lines.append("  },")
    lines.append('  "types": {')
    types = list(schema["types"].items())
    for i, (name, t) in enumerate(types):
        lines.append(f"    {c(name)}: {{")
        lines.append(f'      "go": {c(t["go"])},')
        lines.append(f'      "gv": {c(t["gv"])},')
        if not t["fields"]:
            lines.append('      "fields": []')
        else:
            lines.append('      "fields": [')
            for j, f in enumerate(t["fields"]):
                lines.append(f"        {c(f)}" + ("," if j + 1 < len(t["fields"]) else ""))
            lines.append("      ]")
        lines.append("    }" + ("," if i + 1 < len(types) else ""))
    lines.append("  }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if json.loads(text) != schema:
        raise GenError("internal error: rendered JSON does not round-trip")
    return text


def main() -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(here / "src/server/core_v1_schema.json"))
    ap.add_argument(
        "--src", default=os.environ.get("KUBE_SRC", DEFAULT_SRC), help="Kubernetes source tree"
    )
    ap.add_argument(
        "--check", action="store_true", help="only verify that --out is up to date (exit 1 if not)"
    )
    args = ap.parse_args()
    root = Path(os.path.expanduser(args.src)) / "staging/src"
    try:
        schema = generate(root)
    except (GenError, OSError) as e:
        print(f"gen_core_schema: {e}", file=sys.stderr)
        return 1
    text = render(schema)
    if args.check:
        try:
            current = Path(args.out).read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print(f"gen_core_schema: {args.out} is out of date", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date", file=sys.stderr)
        return 0
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(schema['types'])} struct types", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
