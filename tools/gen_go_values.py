#!/usr/bin/env python3
"""Generate src/server/go-internal-types.json: the internal Go structs kube-apiserver v1.20.2 prints
with `%#v` in validation messages (`field.Invalid` of a whole value: a Job's immutable pod
template, a pod disruption budget's spec), from the Kubernetes v1.20.2 Go source.

Usage:  python3 tools/gen_go_values.py [--check]
        KUBE_SRC=/path/to/kubernetes python3 tools/gen_go_values.py

Starting from the internal `core.PodTemplateSpec` (pkg/apis/core) and
`policy.PodDisruptionBudgetSpec` (pkg/apis/policy), writes every struct they reach by value (what `%#v` prints in full; a pointer prints as its address only), each as its fields in
declaration order: the Go field name (an embedded field is named after its type), how `%#v` names
the field's type, what the field is, and the JSON name of the field of the same Go name in the
versioned struct of the same name (k8s.io/api/core/v1, policy/v1beta1, or the same package for
meta/v1), which is
where the reference server finds the value. Standard library only (Python 3.11); reuses the Go
parser of gen_core_schema.py.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_core_schema as g  # noqa: E402

DEFAULT_SRC = g.DEFAULT_SRC
OUT = Path(__file__).resolve().parent.parent / "src/server/go-internal-types.json"
ROOTS = [
    ("k8s.io/kubernetes/pkg/apis/core", "PodTemplateSpec"),
    ("k8s.io/kubernetes/pkg/apis/policy", "PodDisruptionBudgetSpec"),
]
# The versioned package whose struct of the same name holds an internal struct's JSON names.
VERSIONED = {
    "k8s.io/kubernetes/pkg/apis/core": "k8s.io/api/core/v1",
    "k8s.io/kubernetes/pkg/apis/policy": "k8s.io/api/policy/v1beta1",
}
# Struct types `%#v` prints in a way of their own (a GoString method, or private fields).
SPECIALS = {
    ("k8s.io/apimachinery/pkg/apis/meta/v1", "Time"): "time",
    ("k8s.io/apimachinery/pkg/api/resource", "Quantity"): "quantity",
    ("k8s.io/apimachinery/pkg/util/intstr", "IntOrString"): "intorstring",
}


class Gen(g.Resolver):
    """gen_core_schema's resolver (its `go_string`, `lookup`), over the internal packages too."""

    def __init__(self, src: Path) -> None:
        super().__init__(src / "staging/src")
        self.src = src
        self.structs: dict[str, list[dict]] = {}  # type: ignore[assignment]

    def package(self, path: str) -> g.Package:
        if path not in self.packages:
            prefix = "k8s.io/kubernetes/"
            if path.startswith(prefix):
                pkg = g.parse_package(self.src, path[len(prefix):])
                pkg.path = path
                for t in pkg.types.values():
                    t.pkg = path
                self.packages[path] = pkg
            else:
                return super().package(path)
        return self.packages[path]

    def expr(self, ctx: g.GoType, src: str) -> object:
        """What a value of the type is, as the printer needs it."""
        kind, rest = g.split_type(src)
        shown = self.go_string(ctx, src)
        if kind == "ptr":
            _, inner = g.split_type(rest)
            if "." in inner or inner not in g.BUILTINS:
                pkg, name = self.lookup(ctx, ctx.pkg, inner) if inner not in g.BUILTINS else ("", inner)
                if SPECIALS.get((pkg, name)) == "time":
                    return {"ptr": shown, "time": True}
            return {"ptr": shown}
        if kind == "slice":
            if rest.strip() in ("byte", "uint8"):
                return {"bytes": shown}
            return {"slice": shown, "elem": self.expr(ctx, rest)}
        if kind == "map":
            k, v = rest.split("\x00")
            return {"map": shown, "elem": self.expr(ctx, v)}
        if rest in g.INT_KINDS or rest in g.FLOAT_KINDS:
            return "number"
        if rest == "string":
            return "string"
        if rest == "bool":
            return "bool"
        pkg, name = self.lookup(ctx, ctx.pkg, rest)
        if (pkg, name) in SPECIALS:
            return SPECIALS[(pkg, name)]
        t = self.package(pkg).types.get(name)
        if t is None:
            raise g.GenError(f"type {pkg}.{name} not found")
        if t.struct_fields is None:
            under = t.underlying_src or ""
            u_kind, _ = g.split_type(under)
            if u_kind == "map":
                k, v = under[4:].split("]", 1) if under.startswith("map[") else ("", "")
                return {"map": shown, "elem": self.expr(t, v.strip())}
            if u_kind == "slice":
                return {"slice": shown, "elem": self.expr(t, under[2:])}
            return self.expr(t, under)
        key = shown
        if key not in self.structs:
            self.structs[key] = []
            self.structs[key] = self.fields(t)
        return {"struct": key}

    def json_names(self, t: g.GoType) -> dict[str, str]:
        """Go field name -> JSON name, of the versioned struct of the same name."""
        pkg = VERSIONED.get(t.pkg, t.pkg)
        versioned = self.package(pkg).types.get(t.name)
        out: dict[str, str] = {}
        for f in (versioned.struct_fields or []) if versioned else []:
            tag = g.parse_json_tag(f.tag)
            names = f.names or [f.type_src.split(".")[-1].lstrip("*")]
            for n in names:
                if tag and tag[0] not in ("", "-"):
                    out[n] = tag[0]
                elif f.embedded:
                    out[n] = ""  # inline: the fields are the parent's
        return out

    def fields(self, t: g.GoType) -> list[dict]:
        names = self.json_names(t)
        out = []
        for f in t.struct_fields or []:
            for n in f.names or [f.type_src.split(".")[-1].lstrip("*")]:
                if not n[0].isupper():
                    continue
                out.append({"go": n, "json": names.get(n), "type": self.expr(t, f.type_src)})
        return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only verify that the output is up to date")
    args = ap.parse_args()
    src = Path(os.path.expanduser(os.environ.get("KUBE_SRC", DEFAULT_SRC)))
    gen = Gen(src)
    try:
        for pkg, name in ROOTS:
            gen.expr(gen.package(pkg).types[name], name)
    except (g.GenError, OSError, KeyError) as e:
        print(f"gen_go_values: {e}", file=sys.stderr)
        return 1
    doc = {"source": "kubernetes v1.20.2 (pkg/apis/core, staging/src/k8s.io/{api,apimachinery}); "
                     "generated by tools/gen_go_values.py, do not edit",
           "structs": dict(sorted(gen.structs.items()))}
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"gen_go_values: {OUT} is out of date", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(gen.structs)} structs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
