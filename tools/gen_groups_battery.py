#!/usr/bin/env python3
"""Write the API-groups part of the differential battery: request-only transcripts in
tests/oracle/groups-requests/ (NNNN-…), which `APICONFORM_RECORD=1 cargo test --test server
differential::groups` sends to the real kube-apiserver v1.20.2 and records into
tests/oracle/groups-v1.20.2/ (the recording `transcripts::groups_sequence_matches_the_recording`
replays).

Usage:  python3 tools/gen_groups_battery.py

A sequence of its own, in a namespace of its own (`conf-smoke` in the files, made unique per live
run; the sequence creates it first): discovery of the groups, then for each resource of apps/v1,
batch/v1, batch/v1beta1, networking.k8s.io/v1 and v1beta1, extensions/v1beta1, rbac/v1,
policy/v1beta1, autoscaling/v1, storage.k8s.io/v1 and scheduling.k8s.io/v1 every verb, the status
and scale subresources, the errors (404, 409 AlreadyExists and Conflict, 422 invalid and immutable,
400 wrong kind and name, 405) and deletion with each propagation policy; then server-side apply
(a Deployment and a ConfigMap), what the retired versions answer, events.k8s.io (v1 and
v1beta1 views of the core events), certificates.k8s.io signing requests (v1 and v1beta1, their
status and approval) and apiregistration.k8s.io APIServices.

Cluster-scoped names start with `conf-smoke` (so that each live run has its own) and carry the
label `battery: conf-smoke`, which every cluster-scoped list and delete-collection selects: nothing
of anyone else is read or deleted. Every object is deleted within the sequence; the finalizers a
deletion leaves (`orphan`, `foregroundDeletion`: no garbage collector runs) are removed by a patch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from battery_requests import render
from typing import Callable

OUT = Path(__file__).resolve().parent.parent / "tests/oracle/groups-requests"
NS = "conf-smoke"

STEPS: list[tuple[str, str, str, object, str]] = []

MERGE = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
JSONP = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"


def step(name: str, method: str, path: str, body: object = None, ctype: str = "application/json") -> None:
    STEPS.append((name, method, path, body, ctype))


def container(image: str = "nginx:1.19") -> dict:
    return {"name": "c", "image": image}


def template(app: str, restart: str | None = None) -> dict:
    spec: dict = {"containers": [container()]}
    if restart:
        spec["restartPolicy"] = restart
    return {"metadata": {"labels": {"app": app}}, "spec": spec}


@dataclass
class Res:
    """One resource and how the generic block exercises it."""

    key: str  # the singular used in step names
    gv: str
    plural: str
    kind: str
    namespaced: bool
    spec: Callable[[str], dict]  # app label -> the object's fields beside apiVersion/kind/metadata
    wrong_kind: str  # another kind of the same group-version, for the 400
    invalid: list[tuple[str, Callable[[dict], None]]] = field(default_factory=list)
    put: Callable[[dict], None] = lambda o: o["metadata"]["labels"].update({"put": "yes"})
    merge: object = None
    smp: object = None
    jsonp: object = None
    status: dict | None = None  # a status to PUT
    status_patch: dict | None = None  # a status to merge-patch
    status_invalid: dict | None = None  # a status the real server rejects
    scale: bool = False
    no_scale: bool = False  # ask for the scale of a resource without one
    immutable: list[tuple[str, object, str]] = field(default_factory=list)  # name, patch, type
    bad_name: str = "Bad_Name"
    # Named like any path segment (RBAC, PodDisruptionBudgets): only `/`, `%`, `.` and `..` are refused.
    path_segment_names: bool = False

    def __post_init__(self) -> None:
        if self.path_segment_names:
            self.bad_name = self.name("a%b")

    def name(self, suffix: str) -> str:
        return f"{self.key}-{suffix}" if self.namespaced else f"{NS}-{self.key}-{suffix}"

    def coll(self) -> str:
        if self.namespaced:
            return f"/apis/{self.gv}/namespaces/{NS}/{self.plural}"
        return f"/apis/{self.gv}/{self.plural}"

    def obj(self, name: str) -> str:
        return f"{self.coll()}/{name}"

    def make(self, name: str, app: str | None = None) -> dict:
        labels = {"app": app or self.key}
        if not self.namespaced:
            labels["battery"] = NS
        return {"apiVersion": self.gv, "kind": self.kind, "metadata": {"name": name, "labels": labels},
                **copy.deepcopy(self.spec(app or self.key))}

    def selector(self, app: str) -> str:
        return f"app%3D{app}" + ("" if self.namespaced else f",battery%3D{NS}")


def released(r: Res, name: str, what: str) -> None:
    """A deleted object that a finalizer keeps (or a 404 if it is gone): the finalizers removed."""
    step(f"release-{what}", "PATCH", r.obj(name), {"metadata": {"finalizers": None}}, MERGE)


def block(r: Res) -> None:
    k, n = r.key, r.name("1")
    c, o = r.coll(), r.obj(n)
    step(f"create-{k}", "POST", c, r.make(n))
    step(f"create-{k}-duplicate", "POST", c, r.make(n))
    step(f"create-{k}-bad-name", "POST", c, r.make(r.bad_name))
    if r.path_segment_names:
        odd = r.name("Upper_Case:ok")
        step(f"create-{k}-name-any-path-segment", "POST", c, r.make(odd))
        step(f"delete-{k}-name-any-path-segment", "DELETE", r.obj(odd))
    for desc, mutate in r.invalid:
        body = r.make(r.name("invalid"))
        mutate(body)
        step(f"create-{k}-{desc}", "POST", c, body)
    wrong = r.make(r.name("wrong-kind"))
    wrong["kind"] = r.wrong_kind
    step(f"create-{k}-wrong-kind", "POST", c, wrong)
    step(f"get-{k}", "GET", o)
    step(f"get-missing-{k}", "GET", r.obj(r.name("missing")))
    step(f"list-{k}-by-label", "GET", f"{c}?labelSelector={r.selector(k)}")
    put = r.make(n)
    r.put(put)
    step(f"put-{k}", "PUT", o, put)
    stale = copy.deepcopy(put)
    stale["metadata"]["resourceVersion"] = "1"
    step(f"put-{k}-stale", "PUT", o, stale)
    step(f"put-{k}-wrong-name", "PUT", o, r.make(r.name("other")))
    merge = r.merge if r.merge is not None else {"metadata": {"annotations": {"merged": "yes"}}}
    step(f"merge-patch-{k}", "PATCH", o, merge, MERGE)
    smp = r.smp if r.smp is not None else {"metadata": {"labels": {"tier": "x"}}}
    step(f"strategic-patch-{k}", "PATCH", o, smp, SMP)
    jsonp = r.jsonp if r.jsonp is not None else [{"op": "add", "path": "/metadata/labels/j", "value": "1"}]
    step(f"json-patch-{k}", "PATCH", o, jsonp, JSONP)
    step(f"noop-patch-{k}", "PATCH", o, {"metadata": {"labels": {"app": k}}}, MERGE)
    step(f"json-patch-{k}-test-fails", "PATCH", o,
         [{"op": "test", "path": "/metadata/name", "value": "other"}], JSONP)
    if r.status is not None:
        step(f"get-{k}-status", "GET", f"{o}/status")
        step(f"put-{k}-status", "PUT", f"{o}/status",
             {"apiVersion": r.gv, "kind": r.kind, "metadata": {"name": n}, "status": r.status})
        if r.status_invalid is not None:
            step(f"put-{k}-status-invalid", "PUT", f"{o}/status",
                 {"apiVersion": r.gv, "kind": r.kind, "metadata": {"name": n}, "status": r.status_invalid})
        step(f"merge-patch-{k}-status", "PATCH", f"{o}/status", {"status": r.status_patch or r.status}, MERGE)
        step(f"strategic-patch-{k}-status-labels", "PATCH", f"{o}/status",
             {"metadata": {"labels": {"status": "patched"}}}, SMP)
        step(f"get-{k}-after-status", "GET", o)
    if r.scale:
        step(f"get-{k}-scale", "GET", f"{o}/scale")
        step(f"put-{k}-scale", "PUT", f"{o}/scale",
             {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": n, "namespace": NS},
              "spec": {"replicas": 5}})
        step(f"put-{k}-scale-stale", "PUT", f"{o}/scale",
             {"apiVersion": "autoscaling/v1", "kind": "Scale",
              "metadata": {"name": n, "namespace": NS, "resourceVersion": "1"}, "spec": {"replicas": 2}})
        step(f"put-{k}-scale-negative", "PUT", f"{o}/scale",
             {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": n}, "spec": {"replicas": -1}})
        step(f"merge-patch-{k}-scale", "PATCH", f"{o}/scale", {"spec": {"replicas": 4}}, MERGE)
        step(f"json-patch-{k}-scale", "PATCH", f"{o}/scale",
             [{"op": "replace", "path": "/spec/replicas", "value": 3}], JSONP)
        step(f"get-{k}-after-scale", "GET", o)
    if r.no_scale:
        step(f"get-{k}-scale-not-found", "GET", f"{o}/scale")
    for desc, patch, ctype in r.immutable:
        step(f"patch-{k}-{desc}", "PATCH", o, patch, ctype)
    step(f"post-to-{k}-object-not-allowed", "POST", o, r.make(n))
    step(f"delete-{k}", "DELETE", o)
    released(r, n, k)
    step(f"delete-missing-{k}", "DELETE", o)
    # Propagation policies: without a garbage collector, Orphan and Foreground leave their finalizer.
    for policy in ("Orphan", "Foreground", "Background"):
        step(f"create-{k}-for-{policy.lower()}", "POST", c, r.make(r.name(policy.lower())))
    for policy in ("Orphan", "Foreground", "Background"):
        step(f"delete-{k}-{policy.lower()}", "DELETE", f"{r.obj(r.name(policy.lower()))}?propagationPolicy={policy}")
    for policy in ("Orphan", "Foreground", "Background"):
        released(r, r.name(policy.lower()), f"{k}-{policy.lower()}")
    # Delete collection, of the objects the label selects.
    for i in (1, 2):
        step(f"create-{k}-for-collection-{i}", "POST", c, r.make(r.name(f"c{i}"), f"{k}-c"))
    step(f"delete-collection-{k}", "DELETE", f"{c}?labelSelector={r.selector(k + '-c')}")
    for i in (1, 2):
        released(r, r.name(f"c{i}"), f"{k}-collection-{i}")
    step(f"list-{k}-after-delete-collection", "GET", f"{c}?labelSelector={r.selector(k + '-c')}")


def set_in(path: str, value: object) -> Callable[[dict], None]:
    """A mutation setting the dotted `path` (list indexes as numbers) of an object."""

    def mutate(o: dict) -> None:
        keys = [int(p) if p.isdigit() else p for p in path.split(".")]
        cur = o
        for p in keys[:-1]:
            cur = cur[p]
        if value is DROP:
            del cur[keys[-1]]
        else:
            cur[keys[-1]] = value

    return mutate


DROP = object()


def both(*mutations: Callable[[dict], None]) -> Callable[[dict], None]:
    def mutate(o: dict) -> None:
        for m in mutations:
            m(o)

    return mutate


# --- the namespace and discovery -------------------------------------------------------------

step("create-namespace", "POST", "/api/v1/namespaces",
     {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
for path in ["/apis", "/apis/apps", "/apis/apps/v1", "/apis/batch", "/apis/batch/v1", "/apis/batch/v1beta1",
             "/apis/networking.k8s.io", "/apis/networking.k8s.io/v1", "/apis/networking.k8s.io/v1beta1",
             "/apis/extensions", "/apis/extensions/v1beta1", "/apis/rbac.authorization.k8s.io",
             "/apis/rbac.authorization.k8s.io/v1", "/apis/policy", "/apis/policy/v1beta1", "/apis/autoscaling",
             "/apis/autoscaling/v1", "/apis/storage.k8s.io", "/apis/storage.k8s.io/v1",
             "/apis/scheduling.k8s.io", "/apis/scheduling.k8s.io/v1"]:
    step("discovery-" + (path.strip("/").replace("/", "-").replace(".", "-")), "GET", path)

# --- apps/v1 ---------------------------------------------------------------------------------


def workload_spec(app: str) -> dict:
    return {"spec": {"selector": {"matchLabels": {"app": app}}, "template": template(app)}}


def mismatch(o: dict) -> None:
    o["spec"]["template"]["metadata"]["labels"] = {"app": "other"}


IMMUTABLE_SELECTOR = ("selector-immutable", {"spec": {"selector": {"matchLabels": {"app": "other"}},
                                                      "template": {"metadata": {"labels": {"app": "other"}}}}}, MERGE)
IMAGE_SMP = {"spec": {"template": {"spec": {"containers": [
    {"name": "c", "image": "nginx:1.20", "env": [{"name": "A", "value": "1"}]}]}}}}

block(Res("deployment", "apps/v1", "deployments", "Deployment", True, workload_spec, "ReplicaSet",
          invalid=[("selector-mismatch", mismatch),
                   ("without-selector", set_in("spec.selector", DROP)),
                   ("negative-replicas", set_in("spec.replicas", -1)),
                   ("recreate-with-rolling-update",
                    set_in("spec.strategy", {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})),
                   ("restart-policy-never", set_in("spec.template.spec.restartPolicy", "Never")),
                   ("without-containers", set_in("spec.template.spec.containers", []))],
          put=both(set_in("spec.replicas", 2), set_in("spec.template.spec.containers.0.image", "nginx:1.21")),
          merge={"spec": {"replicas": 3}}, smp=IMAGE_SMP,
          jsonp=[{"op": "add", "path": "/metadata/annotations", "value": {"note": "metadata only"}}],
          status={"replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2,
                  "unavailableReplicas": 1, "observedGeneration": 4,
                  "conditions": [{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                                  "message": "Deployment does not have minimum availability.",
                                  "lastUpdateTime": "2021-01-01T00:00:00Z",
                                  "lastTransitionTime": "2021-01-01T00:00:00Z"}]},
          status_patch={"readyReplicas": 3, "availableReplicas": 3, "unavailableReplicas": None},
          status_invalid={"replicas": -1},
          scale=True,
          immutable=[IMMUTABLE_SELECTOR,
                     ("progress-deadline-below-min-ready", {"spec": {"minReadySeconds": 700}}, MERGE),
                     ("template-labels-off-selector", {"spec": {"template": {"metadata": {"labels": {"app": "x"}}}}},
                      SMP)]))

block(Res("replicaset", "apps/v1", "replicasets", "ReplicaSet", True, workload_spec, "Deployment",
          invalid=[("selector-mismatch", mismatch),
                   ("negative-replicas", set_in("spec.replicas", -1))],
          put=set_in("spec.replicas", 2), merge={"spec": {"replicas": 3}}, smp=IMAGE_SMP,
          status={"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 1, "availableReplicas": 1,
                  "observedGeneration": 3},
          status_patch={"readyReplicas": 2},
          status_invalid={"replicas": 1, "readyReplicas": 2},
          scale=True, immutable=[IMMUTABLE_SELECTOR]))


def statefulset_spec(app: str) -> dict:
    return {"spec": {"serviceName": "web", "selector": {"matchLabels": {"app": app}}, "template": template(app),
                     "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                               "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": "1Gi"}}}}]}}


block(Res("statefulset", "apps/v1", "statefulsets", "StatefulSet", True, statefulset_spec, "DaemonSet",
          invalid=[("selector-mismatch", mismatch),
                   ("bad-pod-management-policy", set_in("spec.podManagementPolicy", "Sometimes")),
                   ("on-delete-with-rolling-update",
                    set_in("spec.updateStrategy", {"type": "OnDelete", "rollingUpdate": {"partition": 1}})),
                   ("negative-replicas", set_in("spec.replicas", -1))],
          put=set_in("spec.replicas", 2), merge={"spec": {"replicas": 3, "updateStrategy": {
              "rollingUpdate": {"partition": 1}}}}, smp=IMAGE_SMP,
          status={"replicas": 3, "readyReplicas": 1, "currentReplicas": 3, "updatedReplicas": 3,
                  "observedGeneration": 3, "currentRevision": "statefulset-1-abc", "updateRevision": "statefulset-1-abc",
                  "collisionCount": 0},
          status_patch={"readyReplicas": 2},
          status_invalid={"replicas": -2},
          scale=True,
          immutable=[IMMUTABLE_SELECTOR,
                     ("pod-management-policy-forbidden", {"spec": {"podManagementPolicy": "Parallel"}}, MERGE),
                     ("service-name-forbidden", {"spec": {"serviceName": "other"}}, MERGE),
                     ("claims-forbidden", {"spec": {"volumeClaimTemplates": []}}, MERGE)]))

block(Res("daemonset", "apps/v1", "daemonsets", "DaemonSet", True, workload_spec, "StatefulSet",
          invalid=[("selector-mismatch", mismatch),
                   ("bad-update-strategy", set_in("spec.updateStrategy", {"type": "Sometimes"})),
                   ("restart-policy-on-failure", set_in("spec.template.spec.restartPolicy", "OnFailure"))],
          put=set_in("spec.minReadySeconds", 5), merge={"spec": {"minReadySeconds": 10}}, smp=IMAGE_SMP,
          status={"currentNumberScheduled": 1, "numberMisscheduled": 0, "desiredNumberScheduled": 1,
                  "numberReady": 0, "observedGeneration": 2},
          status_patch={"numberReady": 1},
          status_invalid={"currentNumberScheduled": -1, "numberMisscheduled": 0, "desiredNumberScheduled": 1,
                          "numberReady": 0},
          no_scale=True,
          immutable=[IMMUTABLE_SELECTOR,
                     ("max-unavailable-zero",
                      {"spec": {"updateStrategy": {"rollingUpdate": {"maxUnavailable": 0}}}}, MERGE)]))

block(Res("controllerrevision", "apps/v1", "controllerrevisions", "ControllerRevision", True,
          lambda app: {"data": {"spec": {"template": {"metadata": {"labels": {"app": app}}}}}, "revision": 1},
          "Deployment",
          invalid=[("negative-revision", set_in("revision", -1))],
          put=set_in("revision", 2), merge={"revision": 3},
          smp={"metadata": {"labels": {"tier": "x"}}, "revision": 4},
          immutable=[("data-immutable", {"data": {"other": 1}}, MERGE)]))

# --- batch -----------------------------------------------------------------------------------


def job_spec(app: str) -> dict:
    return {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [container("busybox:1.36")]}}}}


block(Res("job", "batch/v1", "jobs", "Job", True, job_spec, "CronJob",
          invalid=[("restart-policy-always", set_in("spec.template.spec.restartPolicy", "Always")),
                   ("selector-not-manual", set_in("spec.selector", {"matchLabels": {"app": "x"}})),
                   ("negative-parallelism", set_in("spec.parallelism", -1)),
                   ("negative-backoff-limit", set_in("spec.backoffLimit", -1))],
          # The generated selector names the uid: an update without it is refused.
          put=both(set_in("spec.parallelism", 2), set_in("spec.completions", 1)),
          merge={"spec": {"parallelism": 2}},
          smp={"spec": {"activeDeadlineSeconds": 600}},
          jsonp=[{"op": "replace", "path": "/spec/backoffLimit", "value": 3}],
          status={"active": 1, "startTime": "2021-01-01T00:00:00Z"},
          status_patch={"active": 0, "succeeded": 1, "completionTime": "2021-01-01T00:01:00Z",
                        "conditions": [{"type": "Complete", "status": "True",
                                        "lastProbeTime": "2021-01-01T00:01:00Z",
                                        "lastTransitionTime": "2021-01-01T00:01:00Z"}]},
          status_invalid={"active": -1},
          no_scale=True,
          immutable=[("template-immutable",
                      {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.37"}]}}}},
                      SMP),
                     ("completions-immutable", {"spec": {"completions": 3}}, MERGE),
                     ("selector-immutable", {"spec": {"selector": {"matchLabels": {"app": "x"}}}}, MERGE)]))

# A Job with a manual selector: its own labels, no controller-uid; then updatable by PUT.
manual = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job-manual", "labels": {"app": "manual"}},
          "spec": {"manualSelector": True, "selector": {"matchLabels": {"app": "manual"}},
                   "template": {"metadata": {"labels": {"app": "manual"}},
                                "spec": {"restartPolicy": "OnFailure", "containers": [container("busybox:1.36")]}}}}
JOBS = f"/apis/batch/v1/namespaces/{NS}/jobs"
step("create-job-manual-selector", "POST", JOBS, manual)
bad = copy.deepcopy(manual)
bad["metadata"]["name"] = "job-manual-bad"
bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
step("create-job-manual-selector-mismatch", "POST", JOBS, bad)
bad = copy.deepcopy(manual)
bad["metadata"]["name"] = "job-manual-bad"
del bad["spec"]["selector"]
step("create-job-manual-without-selector", "POST", JOBS, bad)
put = copy.deepcopy(manual)
put["spec"]["parallelism"] = 3
put["spec"]["completions"] = 1
step("put-job-manual-selector", "PUT", f"{JOBS}/job-manual", put)
step("list-jobs-by-label", "GET", f"{JOBS}?labelSelector=app%3Dmanual")
step("delete-job-manual-background", "DELETE", f"{JOBS}/job-manual?propagationPolicy=Background")
step("get-deleted-job-manual", "GET", f"{JOBS}/job-manual")


def cronjob_spec(app: str) -> dict:
    return {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "OnFailure", "containers": [container("busybox:1.36")]}}}}}}


block(Res("cronjob", "batch/v1beta1", "cronjobs", "CronJob", True, cronjob_spec, "Job",
          invalid=[("bad-schedule", set_in("spec.schedule", "every five minutes")),
                   ("bad-concurrency-policy", set_in("spec.concurrencyPolicy", "Sometimes")),
                   ("negative-starting-deadline", set_in("spec.startingDeadlineSeconds", -5)),
                   ("restart-policy-always", set_in("spec.jobTemplate.spec.template.spec.restartPolicy", "Always"))],
          bad_name="cronjob-with-a-name-that-is-longer-than-fifty-two-chars",
          put=set_in("spec.concurrencyPolicy", "Forbid"),
          merge={"spec": {"suspend": True}},
          smp={"spec": {"concurrencyPolicy": "Replace", "successfulJobsHistoryLimit": 1}},
          jsonp=[{"op": "replace", "path": "/spec/schedule", "value": "0 * * * *"}],
          status={"lastScheduleTime": "2021-01-01T00:00:00Z"},
          status_patch={"active": [{"kind": "Job", "namespace": NS, "name": "cronjob-1-1", "apiVersion": "batch/v1"}]},
          immutable=[("bad-schedule-by-patch", {"spec": {"schedule": "61 * * * *"}}, MERGE)]))

# --- networking ------------------------------------------------------------------------------

block(Res("networkpolicy", "networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", True,
          lambda app: {"spec": {"podSelector": {"matchLabels": {"app": app}},
                                "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                                                      {"podSelector": {}}],
                                             "ports": [{"port": 80}, {"protocol": "UDP", "port": "dns"}]}]}},
          "Ingress",
          invalid=[("bad-cidr", set_in("spec.ingress.0.from.0.ipBlock.cidr", "10.0.0.0/40")),
                   ("bad-protocol", set_in("spec.ingress.0.ports.0.protocol", "ICMP")),
                   ("bad-policy-type", set_in("spec.policyTypes", ["Sideways"]))],
          put=set_in("spec.policyTypes", ["Ingress", "Egress"]),
          merge={"spec": {"egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "a"}}}]}]}},
          smp={"spec": {"podSelector": {"matchLabels": {"tier": "db"}}}}))

block(Res("ingressclass", "networking.k8s.io/v1", "ingressclasses", "IngressClass", False,
          lambda app: {"spec": {"controller": "example.com/ingress-controller",
                                "parameters": {"apiGroup": "k8s.example.com", "kind": "Params", "name": "p"}}},
          "Ingress",
          invalid=[("bad-controller", set_in("spec.controller", "not a controller")),
                   ("parameters-without-kind", set_in("spec.parameters.kind", DROP))],
          bad_name=f"{NS}-Bad_Name",
          put=set_in("spec.parameters.name", "q"),
          merge={"spec": {"parameters": {"name": "r"}}},
          immutable=[("controller-immutable", {"spec": {"controller": "example.com/other"}}, MERGE)]))


def ingress_v1_spec(app: str) -> dict:
    return {"spec": {"defaultBackend": {"service": {"name": "default", "port": {"number": 80}}},
                     "tls": [{"hosts": ["a.example.com"], "secretName": "tls"}],
                     "rules": [{"host": "a.example.com", "http": {"paths": [
                         {"path": "/", "pathType": "Prefix",
                          "backend": {"service": {"name": "web", "port": {"name": "http"}}}},
                         {"path": "/api", "pathType": "Exact",
                          "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}}]}}


INGRESS_STATUS = {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}
INGRESS_STATUS_PATCH = {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}
INGRESS_STATUS_INVALID = {"loadBalancer": {"ingress": [{"ip": "not-an-ip"}]}}

block(Res("ingress", "networking.k8s.io/v1", "ingresses", "Ingress", True, ingress_v1_spec, "IngressClass",
          invalid=[("without-path-type", set_in("spec.rules.0.http.paths.0.pathType", DROP)),
                   ("bad-host", set_in("spec.rules.0.host", "*.*.example.com")),
                   ("backend-without-port", set_in("spec.defaultBackend.service.port", {})),
                   ("exact-path-not-absolute", set_in("spec.rules.0.http.paths.1.path", "api"))],
          put=set_in("spec.rules.0.host", "b.example.com"),
          merge={"spec": {"ingressClassName": "nginx"}},
          smp={"spec": {"rules": [{"host": "c.example.com", "http": {"paths": [
              {"path": "/", "pathType": "ImplementationSpecific",
               "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
          status=INGRESS_STATUS, status_patch=INGRESS_STATUS_PATCH, status_invalid=INGRESS_STATUS_INVALID))

# The same object through the older versions (converted; each with its deprecation warning).
INGRESSES = "namespaces/conf-smoke/ingresses"
step("create-ingress-for-versions", "POST", f"/apis/networking.k8s.io/v1/{INGRESSES}",
     {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "versions"},
      **ingress_v1_spec("versions")})
step("get-ingress-as-networking-v1beta1", "GET", f"/apis/networking.k8s.io/v1beta1/{INGRESSES}/versions")
step("get-ingress-as-extensions-v1beta1", "GET", f"/apis/extensions/v1beta1/{INGRESSES}/versions")
step("list-ingresses-as-extensions-v1beta1", "GET", f"/apis/extensions/v1beta1/{INGRESSES}")
step("delete-ingress-for-versions", "DELETE", f"/apis/networking.k8s.io/v1/{INGRESSES}/versions")


def ingress_beta_spec(app: str) -> dict:
    return {"spec": {"backend": {"serviceName": "default", "servicePort": 80},
                     "rules": [{"host": "a.example.com", "http": {"paths": [
                         {"path": "/", "backend": {"serviceName": "web", "servicePort": "http"}}]}}]}}


for gv, key in (("networking.k8s.io/v1beta1", "ingress-v1beta1"), ("extensions/v1beta1", "ingress-extensions")):
    block(Res(key, gv, "ingresses", "Ingress", True, ingress_beta_spec,
              "IngressClass" if gv.startswith("networking") else "Deployment",
              invalid=[("bad-path-type", set_in("spec.rules.0.http.paths.0.pathType", "Sometimes")),
                       ("backend-without-service-port", set_in("spec.backend.servicePort", DROP))],
              put=set_in("spec.rules.0.host", "b.example.com"),
              merge={"spec": {"ingressClassName": "nginx"}},
              smp={"spec": {"rules": [{"host": "c.example.com", "http": {"paths": [
                  {"path": "/c", "pathType": "Prefix", "backend": {"serviceName": "web", "servicePort": 80}}]}}]}},
              status=INGRESS_STATUS, status_patch=INGRESS_STATUS_PATCH, status_invalid=INGRESS_STATUS_INVALID))

# --- rbac.authorization.k8s.io/v1 --------------------------------------------------------------

RULES = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]
RBAC = "rbac.authorization.k8s.io"

block(Res("role", f"{RBAC}/v1", "roles", "Role", True, lambda app: {"rules": RULES}, "ClusterRole",
          invalid=[("rule-without-verbs", set_in("rules.0.verbs", [])),
                   ("non-resource-urls", set_in("rules", [{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}])),
                   ("rule-without-resources", set_in("rules.0.resources", DROP))],
          path_segment_names=True,
          put=set_in("rules.0.verbs", ["get", "list", "watch"]),
          merge={"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]},
          smp={"rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["s"], "verbs": ["get"]}]}))

block(Res("rolebinding", f"{RBAC}/v1", "rolebindings", "RoleBinding", True,
          lambda app: {"roleRef": {"apiGroup": RBAC, "kind": "Role", "name": "reader"},
                       "subjects": [{"kind": "User", "name": "alice"},
                                    {"kind": "ServiceAccount", "name": "default", "namespace": NS},
                                    {"kind": "Group", "apiGroup": RBAC, "name": "devs"}]},
          "ClusterRoleBinding",
          invalid=[("role-ref-to-a-pod", set_in("roleRef.kind", "Pod")),
                   ("subject-of-unknown-kind", set_in("subjects.0.kind", "Robot")),
                   ("service-account-with-api-group", set_in("subjects.1.apiGroup", RBAC))],
          path_segment_names=True,
          put=set_in("subjects", [{"kind": "User", "apiGroup": RBAC, "name": "bob"}]),
          merge={"subjects": [{"kind": "User", "name": "carol"}]},
          immutable=[("role-ref-immutable", {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"}},
                      MERGE)]))

block(Res("clusterrole", f"{RBAC}/v1", "clusterroles", "ClusterRole", False,
          lambda app: {"rules": RULES + [{"nonResourceURLs": ["/healthz", "/metrics"], "verbs": ["get"]}]},
          "Role",
          invalid=[("rule-without-verbs", set_in("rules.0.verbs", [])),
                   ("bad-aggregation-selector", set_in("aggregationRule", {"clusterRoleSelectors": [
                       {"matchExpressions": [{"key": "a", "operator": "Sometimes"}]}]}))],
          path_segment_names=True,
          put=set_in("rules", RULES),
          merge={"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"aggregate-to": NS}}]}}))
CLUSTERROLES = f"/apis/{RBAC}/v1/clusterroles"
step("create-clusterrole-aggregated", "POST", CLUSTERROLES,
     {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole",
      "metadata": {"name": f"{NS}-aggregated", "labels": {"battery": NS}},
      "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"aggregate-to": NS}}]}})
step("create-clusterrole-aggregated-part", "POST", CLUSTERROLES,
     {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole",
      "metadata": {"name": f"{NS}-part", "labels": {"battery": NS, "aggregate-to": NS}}, "rules": RULES})
step("get-clusterrole-aggregated", "GET", f"{CLUSTERROLES}/{NS}-aggregated")
step("delete-clusterrole-aggregated", "DELETE", f"{CLUSTERROLES}/{NS}-aggregated")
step("delete-clusterrole-aggregated-part", "DELETE", f"{CLUSTERROLES}/{NS}-part")

block(Res("clusterrolebinding", f"{RBAC}/v1", "clusterrolebindings", "ClusterRoleBinding", False,
          lambda app: {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
                       "subjects": [{"kind": "User", "name": "alice"}]},
          "RoleBinding",
          invalid=[("role-ref-to-a-role", set_in("roleRef.kind", "Role")),
                   ("service-account-without-namespace",
                    set_in("subjects", [{"kind": "ServiceAccount", "name": "default"}]))],
          path_segment_names=True,
          put=set_in("subjects", [{"kind": "Group", "apiGroup": RBAC, "name": "devs"}]),
          merge={"subjects": [{"kind": "User", "name": "carol"}]},
          immutable=[("role-ref-immutable", {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "edit"}},
                      MERGE)]))

# --- policy/v1beta1 --------------------------------------------------------------------------

block(Res("poddisruptionbudget", "policy/v1beta1", "poddisruptionbudgets", "PodDisruptionBudget", True,
          lambda app: {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}}},
          "PodSecurityPolicy", path_segment_names=True,
          invalid=[("min-available-and-max-unavailable", set_in("spec.maxUnavailable", 1)),
                   ("percentage-above-100", set_in("spec.minAvailable", "150%")),
                   ("negative-min-available", set_in("spec.minAvailable", -1))],
          put=set_in("spec.minAvailable", "50%"), merge={"spec": {"minAvailable": 2}},
          smp={"spec": {"selector": {"matchLabels": {"tier": "db"}}}},
          status={"observedGeneration": 2, "disruptionsAllowed": 1, "currentHealthy": 2, "desiredHealthy": 1,
                  "expectedPods": 2, "disruptedPods": {"pod-a": "2021-01-01T00:00:00Z"}},
          status_patch={"currentHealthy": 3},
          status_invalid={"disruptionsAllowed": -1, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}))


def psp_spec(app: str) -> dict:
    return {"spec": {"privileged": False, "seLinux": {"rule": "RunAsAny"},
                     "runAsUser": {"rule": "MustRunAsNonRoot"}, "supplementalGroups": {"rule": "RunAsAny"},
                     "fsGroup": {"rule": "MustRunAs", "ranges": [{"min": 1, "max": 65535}]},
                     "volumes": ["configMap", "secret", "emptyDir"]}}


block(Res("podsecuritypolicy", "policy/v1beta1", "podsecuritypolicies", "PodSecurityPolicy", False, psp_spec,
          "PodDisruptionBudget",
          invalid=[("without-selinux-rule", set_in("spec.seLinux", {})),
                   ("bad-run-as-user-rule", set_in("spec.runAsUser.rule", "Sometimes")),
                   ("bad-volume", set_in("spec.volumes", ["floppy"]))],
          bad_name=f"{NS}-Bad_Name",
          put=set_in("spec.hostNetwork", True),
          merge={"spec": {"readOnlyRootFilesystem": True}},
          smp={"spec": {"allowedCapabilities": ["NET_ADMIN"]}}))

# --- autoscaling, storage, scheduling --------------------------------------------------------

block(Res("horizontalpodautoscaler", "autoscaling/v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True,
          lambda app: {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                                "maxReplicas": 5, "targetCPUUtilizationPercentage": 80}},
          "Scale",
          invalid=[("max-replicas-zero", set_in("spec.maxReplicas", 0)),
                   ("min-above-max", set_in("spec.minReplicas", 9)),
                   ("target-without-kind", set_in("spec.scaleTargetRef.kind", DROP))],
          put=set_in("spec.minReplicas", 2), merge={"spec": {"maxReplicas": 7}},
          smp={"spec": {"targetCPUUtilizationPercentage": 60}},
          status={"currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 90,
                  "lastScaleTime": "2021-01-01T00:00:00Z", "observedGeneration": 2},
          status_patch={"currentReplicas": 3},
          status_invalid={"currentReplicas": -1, "desiredReplicas": 0}))

block(Res("storageclass", "storage.k8s.io/v1", "storageclasses", "StorageClass", False,
          lambda app: {"provisioner": "example.com/fast", "parameters": {"type": "ssd"},
                       "allowVolumeExpansion": True, "mountOptions": ["ro"]},
          "CSIDriver",
          invalid=[("without-provisioner", set_in("provisioner", DROP)),
                   ("bad-reclaim-policy", set_in("reclaimPolicy", "Recycle")),
                   ("bad-binding-mode", set_in("volumeBindingMode", "Later"))],
          bad_name=f"{NS}-Bad_Name",
          put=set_in("allowVolumeExpansion", False), merge={"mountOptions": ["rw"]},
          immutable=[("parameters-immutable", {"parameters": {"type": "hdd"}}, MERGE),
                     ("provisioner-immutable", {"provisioner": "example.com/slow"}, MERGE),
                     ("reclaim-policy-immutable", {"reclaimPolicy": "Retain"}, MERGE),
                     ("binding-mode-immutable", {"volumeBindingMode": "WaitForFirstConsumer"}, MERGE)]))

block(Res("priorityclass", "scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", False,
          lambda app: {"value": 1000, "description": "for the battery"},
          "Deployment",
          invalid=[("value-too-high", set_in("value", 1000000001)),
                   ("bad-preemption-policy", set_in("preemptionPolicy", "Sometimes")),
                   ("reserved-name-prefix", set_in("metadata.name", f"system-{NS}-pc"))],
          bad_name=f"{NS}-Bad_Name",
          put=set_in("description", "changed"), merge={"description": "merged"},
          immutable=[("value-immutable", {"value": 2000}, MERGE),
                     ("preemption-policy-immutable", {"preemptionPolicy": "Never"}, MERGE)]))
step("delete-reserved-priorityclass-if-created", "DELETE", f"/apis/scheduling.k8s.io/v1/priorityclasses/system-{NS}-pc")

# --- server-side apply -----------------------------------------------------------------------

DEPLOYMENTS = f"/apis/apps/v1/namespaces/{NS}/deployments"
CONFIGMAPS = f"/api/v1/namespaces/{NS}/configmaps"


def deployment_yaml(replicas: int | None, image: str = "nginx:1.19") -> str:
    lines = ["apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: applied", "  labels:",
             "    app: applied", "spec:"]
    if replicas is not None:
        lines.append(f"  replicas: {replicas}")
    lines += ["  selector:", "    matchLabels:", "      app: applied", "  template:", "    metadata:",
              "      labels:", "        app: applied", "    spec:", "      containers:", "      - name: c",
              f"        image: {image}"]
    return "\n".join(lines) + "\n"


def configmap_yaml(name: str, data: dict[str, str]) -> str:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: {name}", "data:"]
    lines += [f"  {k}: \"{v}\"" for k, v in data.items()]
    return "\n".join(lines) + "\n"


applied = f"{DEPLOYMENTS}/applied"
step("apply-create-deployment", "PATCH", f"{applied}?fieldManager=manager-a", deployment_yaml(1), APPLY)
step("apply-deployment-change", "PATCH", f"{applied}?fieldManager=manager-a", deployment_yaml(2), APPLY)
step("apply-deployment-unchanged", "PATCH", f"{applied}?fieldManager=manager-a", deployment_yaml(2), APPLY)
step("apply-deployment-conflict", "PATCH", f"{applied}?fieldManager=manager-b", deployment_yaml(3), APPLY)
step("apply-deployment-force", "PATCH", f"{applied}?fieldManager=manager-b&force=true", deployment_yaml(3), APPLY)
step("apply-deployment-first-manager-drops-replicas", "PATCH", f"{applied}?fieldManager=manager-a",
     deployment_yaml(None), APPLY)
step("apply-deployment-shared-field-conflict", "PATCH", f"{applied}?fieldManager=manager-a",
     deployment_yaml(None, "nginx:1.20"), APPLY)
step("apply-deployment-without-field-manager", "PATCH", applied, deployment_yaml(4), APPLY)
step("apply-deployment-not-yaml", "PATCH", f"{applied}?fieldManager=manager-a", "spec: [unclosed\n", APPLY)
step("merge-patch-deployment-with-force", "PATCH", f"{applied}?force=true", {"spec": {"replicas": 5}}, MERGE)
step("merge-patch-deployment-owned-by-apply", "PATCH", applied, {"spec": {"replicas": 6}}, MERGE)
step("apply-deployment-conflict-with-update", "PATCH", f"{applied}?fieldManager=manager-b", deployment_yaml(7),
     APPLY)
step("get-applied-deployment", "GET", applied)
step("delete-applied-deployment", "DELETE", applied)

step("apply-create-configmap", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-a",
     configmap_yaml("applied", {"a": "1"}), APPLY)
step("apply-configmap-change", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-a",
     configmap_yaml("applied", {"a": "2", "b": "3"}), APPLY)
step("apply-configmap-conflict", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-b",
     configmap_yaml("applied", {"a": "9"}), APPLY)
step("apply-configmap-force", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-b&force=true",
     configmap_yaml("applied", {"a": "9"}), APPLY)
step("apply-configmap-drops-a-field", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-a",
     configmap_yaml("applied", {"a": "9"}), APPLY)
step("apply-configmap-without-field-manager", "PATCH", f"{CONFIGMAPS}/applied",
     configmap_yaml("applied", {"a": "1"}), APPLY)
step("apply-configmap-name-mismatch", "PATCH", f"{CONFIGMAPS}/applied?fieldManager=manager-a",
     configmap_yaml("other", {"a": "1"}), APPLY)
step("create-configmap-to-apply-over", "POST", CONFIGMAPS,
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "updated"}, "data": {"x": "1"}})
step("apply-configmap-conflict-with-update", "PATCH", f"{CONFIGMAPS}/updated?fieldManager=manager-a",
     configmap_yaml("updated", {"x": "2"}), APPLY)
step("apply-configmap-same-value-shares-ownership", "PATCH", f"{CONFIGMAPS}/updated?fieldManager=manager-a",
     configmap_yaml("updated", {"x": "1", "y": "2"}), APPLY)
step("get-configmap-applied", "GET", f"{CONFIGMAPS}/applied")
step("delete-configmap-applied", "DELETE", f"{CONFIGMAPS}/applied")
step("delete-configmap-updated", "DELETE", f"{CONFIGMAPS}/updated")

# --- retired versions ------------------------------------------------------------------------


def old_deployment(api_version: str) -> dict:
    return {"apiVersion": api_version, "kind": "Deployment", "metadata": {"name": "old"},
            **workload_spec("old")}


for gv in ("apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"):
    slug = gv.replace("/", "-")
    if gv != "extensions/v1beta1":
        step(f"discovery-retired-{slug}", "GET", f"/apis/{gv}")
    step(f"list-deployments-{slug}", "GET", f"/apis/{gv}/namespaces/{NS}/deployments")
    step(f"create-deployment-{slug}", "POST", f"/apis/{gv}/namespaces/{NS}/deployments", old_deployment(gv))
for plural, kind in (("daemonsets", "DaemonSet"), ("replicasets", "ReplicaSet")):
    step(f"create-{kind.lower()}-extensions-v1beta1", "POST", f"/apis/extensions/v1beta1/namespaces/{NS}/{plural}",
         {"apiVersion": "extensions/v1beta1", "kind": kind, "metadata": {"name": "old"}, **workload_spec("old")})
    step(f"list-{plural}-extensions-v1beta1", "GET", f"/apis/extensions/v1beta1/namespaces/{NS}/{plural}")
step("list-networkpolicies-extensions-v1beta1", "GET", f"/apis/extensions/v1beta1/namespaces/{NS}/networkpolicies")
step("list-podsecuritypolicies-extensions-v1beta1", "GET", "/apis/extensions/v1beta1/podsecuritypolicies")
step("discovery-retired-batch-v2alpha1", "GET", "/apis/batch/v2alpha1")
step("discovery-future-policy-v1", "GET", "/apis/policy/v1")
step("create-deployment-body-of-a-retired-version", "POST", DEPLOYMENTS, old_deployment("apps/v1beta1"))
step("create-deployment-body-of-another-group", "POST", DEPLOYMENTS, old_deployment("extensions/v1beta1"))
step("list-deployments-after-retired", "GET", DEPLOYMENTS)
step("delete-deployment-old-if-created", "DELETE", f"{DEPLOYMENTS}/old")
step("release-deployment-old", "PATCH", f"{DEPLOYMENTS}/old", {"metadata": {"finalizers": None}}, MERGE)

# --- events.k8s.io ---------------------------------------------------------------------------
# One store with the core events, each version a view with its own field names; the strict
# rules of events.k8s.io/v1 on create only; a PUT creates; a write through one group drops the
# managedFields entries of the other.

EVENTS_V1 = f"/apis/events.k8s.io/v1/namespaces/{NS}/events"
EVENTS_BETA = f"/apis/events.k8s.io/v1beta1/namespaces/{NS}/events"
CORE_EVENTS = f"/api/v1/namespaces/{NS}/events"
step("create-core-event", "POST", CORE_EVENTS,
     {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "core"},
      "involvedObject": {"kind": "Pod", "name": "p", "namespace": NS}, "reason": "Started",
      "message": "hello", "type": "Normal", "count": 1, "source": {"component": "kubelet"}})
step("get-core-event-as-events-v1", "GET", f"{EVENTS_V1}/core")
step("list-events-v1beta1", "GET", EVENTS_BETA)
step("create-event-v1", "POST", EVENTS_V1,
     {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "new"},
      "eventTime": "2021-01-01T00:00:00.000000Z", "reportingController": "example.com/ctl",
      "reportingInstance": "i-1", "action": "Create", "reason": "Made",
      "regarding": {"kind": "Pod", "name": "p", "namespace": NS}, "note": "n", "type": "Normal"})
step("get-event-v1-as-core", "GET", f"{CORE_EVENTS}/new")
step("create-event-v1-invalid", "POST", EVENTS_V1,
     {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "invalid"},
      "regarding": {"kind": "Pod", "name": "p", "namespace": NS}, "type": "Odd", "deprecatedCount": 3,
      "series": {"count": 1}})
step("create-event-v1beta1-without-reporting", "POST", EVENTS_BETA,
     {"apiVersion": "events.k8s.io/v1beta1", "kind": "Event", "metadata": {"name": "beta"},
      "eventTime": "2021-01-01T00:00:00.000000Z", "regarding": {"kind": "Pod", "name": "p"}})
step("put-event-v1-creates", "PUT", f"{EVENTS_V1}/put",
     {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "put"},
      "regarding": {"kind": "Pod", "name": "p", "namespace": NS}})
step("patch-core-event-through-v1beta1", "PATCH", f"{EVENTS_BETA}/core", {"note": "changed"}, MERGE)
step("patch-event-v1-series-not-validated", "PATCH", f"{EVENTS_V1}/new",
     {"note": "changed", "series": {"count": 1}}, MERGE)
step("delete-core-event-through-v1", "DELETE", f"{EVENTS_V1}/core")
step("delete-event-new-through-core", "DELETE", f"{CORE_EVENTS}/new")
step("list-events-after-delete", "GET", CORE_EVENTS)
step("delete-event-put", "DELETE", f"{EVENTS_BETA}/put")

# --- certificates.k8s.io ---------------------------------------------------------------------
# Signing requests (base64 of PEM PKCS#10, made with openssl): an RSA one (CN=alice, O=dev), a
# kubelet's client and serving ones (O=system:nodes, CN=system:node:n1; the serving one with DNS
# and IP names), one of the group system:masters, and the kubelet client one with its signature
# altered.
CSR_RSA = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQ1l6Q0NB"
    "VXNDQVFBd0hqRU9NQXdHQTFVRUF3d0ZZV3hwWTJVeEREQUtCZ05WQkFvTUEyUmxkakNDQVNJdwpEUVlKS29aSWh2Y05BUUVC"
    "QlFBRGdnRVBBRENDQVFvQ2dnRUJBTWJnU21NRXRTUWYzOHhFR3ZDRUNlTEszeGlkCjJzY3MxNWRzNktBRUpZKzNoUjh5a1lL"
    "b0pHM3IwNC93OW5mZWtCd2FhcHpydVgxU0Nvd1FCMTNVbVliOHpzWHQKQThtSURxYVhNZVl1SEZMQmV5UG9LWlJqZmtyeHdH"
    "azJQWDdjbytQVDFJMFJrZVRyVFF2UGo0V1o1TGY5ZmVCVQpLWWUxekUvelNka0Y5ZHErQnJuY0NyNkR2Z3hvcURKU09IZmNT"
    "ekdBRXlCUHkwUlYxZWRaRDlldEU5YWkxbDZZCkFoVGFzeFZGVlA5UlFDQUNMci8zTjlTcW9xUGYvMFZxMUFMMVNYNjRFM0VD"
    "dmtsRWJOSTYxMzkvc3ZjRVI5dTQKMDBjVks4dE5wbjRKL3MyOFZCaXphck9BeldZMXZMYkJKVFNLREJPblB1SjZjdithcC9T"
    "ZzBIVWZuRjBDQXdFQQpBYUFBTUEwR0NTcUdTSWIzRFFFQkN3VUFBNElCQVFBSTdQdnkzZjRPZXplQ0w5YmpoV1RldGRFQnA0"
    "VlFMMnhtClRwTFZic0sxbDFWRllOUmRRTS9WV3RNamg1RUpYUUdFUFZQZzZzOWw5REg3Sk9GMlAxWllTbFdSVWREL0Ivb3YK"
    "RCtHRnBJR0dkMitTb3J4T2ljd052K0lmdkFlL2dBSndsb3ZxaUVDNVJxOE5VUVdBcDYrbWc5VDJHeFpyQzdOMAplL2x4aVBS"
    "WjVQZW5SNE1ZbjB1MG5ubitBOHhwVG5PRjVPODhjNkh4cEJrWjZiRktWRWtZazNPUDNXWTd2MHJ2CmV6MCtxSTh1UERJajl0"
    "YzlYc3ZwelMza3Y4bXBCb2o4SmYrdWxVNXNUVUkzVEZNQTJucVdzQmtmNnRLcFp2MUEKVmh6VHUwZGZ1V3QyZUFwUTlkRzR5"
    "NGNqQzFJZ1locUNpQzhyQzZwWmpodDF5SkhaN0luawotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K")
CSR_KUBELET_CLIENT = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIck1JR1NB"
    "Z0VBTURBeEZ6QVZCZ05WQkFNTURuTjVjM1JsYlRwdWIyUmxPbTR4TVJVd0V3WURWUVFLREF4egplWE4wWlcwNmJtOWtaWE13"
    "V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPUFFNQkJ3TkNBQVJwQkpsUlFJdEpOZjVrClNYVXBDdWdxK2JVdnBKZldNZ2MrZmNn"
    "UklPSFgrSVJqWFdKZnNvRVhhcmFYdHpHOWRuSXFGZmpTRHd1algzSngKVXZTYy9IYlFvQUF3Q2dZSUtvWkl6ajBFQXdJRFNB"
    "QXdSUUlnWk5VRmMzTU5aQW5TUktJN01nVVFEdFhDYkNSUApmMkMvVGJrbGpwcmN4bU1DSVFDK1UwQjhGbmpmVGMxYkt4bG8r"
    "aGRnNjFlTGR5MGx5RkgxV3RkN3pRRzRDZz09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=")
CSR_KUBELET_SERVING = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlJQkhUQ0J4"
    "QUlCQURBd01SY3dGUVlEVlFRRERBNXplWE4wWlcwNmJtOWtaVHB1TVRFVk1CTUdBMVVFQ2d3TQpjM2x6ZEdWdE9tNXZaR1Z6"
    "TUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RRZ0FFZ2JiNHJHb2V3emxICi9VRUJLT0ZIcVh1NU5acGN2aDBjMG5D"
    "Y0tvNmQ5VGFaOTB5d3J6QVNYRXorWkJQelFrenBzQ2hncEh4c0dmUEcKaDY3ak9FNHZ3NkF5TURBR0NTcUdTSWIzRFFFSkRq"
    "RWpNQ0V3SHdZRFZSMFJCQmd3Rm9JT2JqRXVaWGhoYlhCcwpaUzVqYjIySEJBb0FBQWt3Q2dZSUtvWkl6ajBFQXdJRFNBQXdS"
    "UUlnR09PTzliOU9nT2JLemRFSDBhVi83Nlh4CkREOGtRWHJuN3hzM1Jzem5sM2dDSVFDVzNEVVBhMG5tWm9PR2pZZGxsVFJM"
    "ZFNORXprVlZsQVRRa3pZNWlDYmsKalE9PQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K")
CSR_MASTERS = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIa01JR0tB"
    "Z0VBTUNneERUQUxCZ05WQkFNTUJISnZiM1F4RnpBVkJnTlZCQW9NRG5ONWMzUmxiVHB0WVhOMApaWEp6TUZrd0V3WUhLb1pJ"
    "emowQ0FRWUlLb1pJemowREFRY0RRZ0FFN24zOERIN0F3dEpEbGM3WXU2M0RGd3lGCmxLeU1Fcm5CRFo1K0V3V2prR2VoM3VC"
    "Unc1SzlTd2xwdEd1dzQrQVlxTW4xZERXV0JyTXdOYlUzS01sbzg2QUEKTUFvR0NDcUdTTTQ5QkFNQ0Ewa0FNRVlDSVFDVEtq"
    "eCtqT29UY2hzOVBjSUl4ODJPUlExelMycjhXTlFLVnBpbwplUjdLT2dJaEFPZUdrd1d4cE56Z05iQmMvOU5lUkY2VlVLTmtD"
    "MGtsSzMyQW5Fb29XS3p1Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=")
CSR_TAMPERED = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIck1JR1NB"
    "Z0VBTURBeEZ6QVZCZ05WQkFNTURuTjVjM1JsYlRwdWIyUmxPbTR4TVJVd0V3WURWUVFLREF4egplWE4wWlcwNmJtOWtaWE13"
    "V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPUFFNQkJ3TkNBQVJwQkpsUlFJdEpOZjVrClNYVXBDdWdxK2JVdnBKZldNZ2MrZmNn"
    "UklPSFgrSVJqWFdKZnNvRVhhcmFYdHpHOWRuSXFGZmpTRHd1algzSngKVXZTYy9IYlFvQUF3Q2dZSUtvWkl6ajBFQXdJRFNB"
    "QXdSUUlnWk5VRmMzTU5aQW5TUktJN01nVVFEdFhDYkNSUApmMkMvVGJrbGpwcmN4bU1DSVFDK1UwQjhGbmpmVGMxYkt4bG8r"
    "aGRnNjFlTGR5MGx5RkgxV3RjdXpRRzRDZz09Ci0tLS0tRU5EIENFUlRJRklDQVRFIFJFUVVFU1QtLS0tLQo=")
CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
CSRS_BETA = "/apis/certificates.k8s.io/v1beta1/certificatesigningrequests"


def csr(name: str, request: str | None, signer: str | None = "example.com/signer",
        usages: list[str] | None = None, api_version: str = "certificates.k8s.io/v1") -> dict:
    spec: dict = {}
    if request is not None:
        spec["request"] = request
    if signer is not None:
        spec["signerName"] = signer
    if usages is not None:
        spec["usages"] = usages
    return {"apiVersion": api_version, "kind": "CertificateSigningRequest",
            "metadata": {"name": f"{NS}-{name}", "labels": {"battery": NS, "app": "csr"}}, "spec": spec}


BETA = "certificates.k8s.io/v1beta1"
first = csr("csr-1", CSR_RSA, usages=["client auth"])
# What a create says of its requester and status is replaced.
first["spec"].update({"username": "someone", "groups": ["g"], "uid": "u"})
first["status"] = {"conditions": [{"type": "Approved", "status": "True"}]}
step("create-csr", "POST", CSRS, first)
step("create-csr-duplicate", "POST", CSRS, csr("csr-1", CSR_RSA, usages=["client auth"]))
step("create-csr-beta-defaults", "POST", CSRS_BETA, csr("csr-beta", CSR_RSA, None, None, BETA))
step("create-csr-beta-kubelet-client", "POST", CSRS_BETA,
     csr("csr-kubelet-client", CSR_KUBELET_CLIENT, None,
         ["digital signature", "key encipherment", "client auth"], BETA))
step("create-csr-beta-kubelet-serving", "POST", CSRS_BETA,
     csr("csr-kubelet-serving", CSR_KUBELET_SERVING, None,
         ["server auth", "digital signature", "key encipherment"], BETA))
step("create-csr-beta-kubelet-usages-differ", "POST", CSRS_BETA,
     csr("csr-kubelet-other", CSR_KUBELET_CLIENT, None, ["client auth"], BETA))
step("create-csr-invalid", "POST", CSRS,
     csr("csr-invalid", "Z2FyYmFnZQ==", "bad", ["nope", "client auth", "nope"]))
step("create-csr-without-request-legacy-signer", "POST", CSRS,
     csr("csr-legacy", None, "kubernetes.io/legacy-unknown"))
step("create-csr-beta-unknown-usages-allowed", "POST", CSRS_BETA,
     csr("csr-beta-usages", CSR_RSA, "example.com/signer", ["nope", "nope"], BETA))
step("create-csr-bad-signature", "POST", CSRS, csr("csr-tampered", CSR_TAMPERED, usages=["client auth"]))
step("create-csr-signer-without-domain", "POST", CSRS,
     csr("csr-signer-1", CSR_RSA, "example/signer", ["client auth"]))
step("create-csr-signer-bad-labels", "POST", CSRS,
     csr("csr-signer-2", CSR_RSA, "Example.com/Bad_Path", ["client auth"]))
step("create-csr-signer-empty", "POST", CSRS, csr("csr-signer-3", CSR_RSA, "", ["client auth"]))
step("create-csr-apiserver-client-masters", "POST", CSRS,
     csr("csr-masters", CSR_MASTERS, "kubernetes.io/kube-apiserver-client", ["client auth"]))
step("create-csr-apiserver-client", "POST", CSRS,
     csr("csr-apiserver-client", CSR_RSA, "kubernetes.io/kube-apiserver-client", ["client auth"]))
C1 = f"{CSRS}/{NS}-csr-1"
step("get-csr", "GET", C1)
step("get-csr-through-beta", "GET", f"{CSRS_BETA}/{NS}-csr-1")
step("get-csr-beta-through-v1", "GET", f"{CSRS}/{NS}-csr-beta")
step("list-csr-by-label", "GET", f"{CSRS}?labelSelector=app%3Dcsr,battery%3D{NS}")
step("list-csr-by-signer", "GET", f"{CSRS}?labelSelector=battery%3D{NS}"
     "&fieldSelector=spec.signerName%3Dkubernetes.io%2Fkube-apiserver-client-kubelet")
changed = csr("csr-1", CSR_RSA, usages=["server auth"])
changed["metadata"]["labels"]["put"] = "yes"
step("put-csr-spec-kept", "PUT", C1, changed)
step("merge-patch-csr-spec-kept", "PATCH", C1,
     {"metadata": {"annotations": {"a": "b"}}, "spec": {"signerName": "example.com/other"}}, MERGE)
step("get-csr-status", "GET", f"{C1}/status")
step("get-csr-approval", "GET", f"{C1}/approval")
step("patch-csr-status-add-approved", "PATCH", f"{C1}/status",
     {"status": {"conditions": [{"type": "Approved", "status": "True"}]}}, MERGE)
step("patch-csr-status-custom-condition", "PATCH", f"{C1}/status",
     {"status": {"conditions": [{"type": "Checked", "status": "Unknown", "reason": "Waiting",
                                 "lastUpdateTime": "2021-01-01T00:00:00Z",
                                 "lastTransitionTime": "2021-01-01T00:00:00Z"}]}}, MERGE)
step("patch-csr-status-bad-certificate", "PATCH", f"{C1}/status",
     {"status": {"certificate": "Z2FyYmFnZQ=="}}, MERGE)
step("patch-csr-approval-bad-status", "PATCH", f"{C1}/approval",
     {"status": {"conditions": [{"type": "Approved", "status": "False"}]}}, MERGE)
step("put-csr-approval", "PUT", f"{C1}/approval",
     {**csr("csr-1", CSR_RSA, usages=["client auth"]),
      "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Battery",
                                 "message": "approved by the battery"}]}})
step("json-patch-csr-approval-denied-too", "PATCH", f"{C1}/approval",
     [{"op": "add", "path": "/status/conditions/-", "value": {"type": "Denied", "status": "True"}}], JSONP)
step("json-patch-csr-approval-remove", "PATCH", f"{C1}/approval",
     [{"op": "remove", "path": "/status/conditions/0"}], JSONP)
step("patch-csr-beta-status-approved-ignored", "PATCH", f"{CSRS_BETA}/{NS}-csr-beta/status",
     {"status": {"conditions": [{"type": "Approved", "status": "True"}]}}, MERGE)
step("patch-csr-beta-approval-denied", "PATCH", f"{CSRS_BETA}/{NS}-csr-beta/approval",
     {"status": {"conditions": [{"type": "Denied", "reason": "Battery"}]}}, MERGE)
step("patch-csr-beta-status-any-certificate", "PATCH", f"{CSRS_BETA}/{NS}-csr-beta/status",
     {"status": {"certificate": "Z2FyYmFnZQ=="}}, MERGE)
step("post-to-csr-approval-not-allowed", "POST", f"{C1}/approval", first)
step("get-csr-after-approval", "GET", C1)
step("delete-csr", "DELETE", C1)
step("delete-missing-csr", "DELETE", C1)
step("delete-collection-csr", "DELETE", f"{CSRS}?labelSelector=app%3Dcsr,battery%3D{NS}")
step("list-csr-after-delete-collection", "GET", f"{CSRS}?labelSelector=app%3Dcsr,battery%3D{NS}")

# --- apiregistration.k8s.io ------------------------------------------------------------------
# The local APIServices of a new server, and ones of the battery's own (named `<version>.<group>`,
# the group starting with the run's namespace). The server's availability controller rewrites a
# status soon after a write: no status is read back.
APISERVICES = "/apis/apiregistration.k8s.io/v1/apiservices"
APISERVICES_BETA = "/apis/apiregistration.k8s.io/v1beta1/apiservices"
GROUP = f"{NS}.example.com"


def apiservice(version: str, group: str = GROUP, **spec: object) -> dict:
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": f"{version}.{group}", "labels": {"battery": NS, "app": "apiservice"}},
            "spec": {"group": group, "version": version, "groupPriorityMinimum": 100,
                     "versionPriority": 10, **spec}}


for path in ["/apis/apiregistration.k8s.io", "/apis/apiregistration.k8s.io/v1",
             "/apis/apiregistration.k8s.io/v1beta1", "/apis/certificates.k8s.io",
             "/apis/certificates.k8s.io/v1", "/apis/certificates.k8s.io/v1beta1"]:
    step("discovery-" + (path.strip("/").replace("/", "-").replace(".", "-")), "GET", path)
step("get-apiservice-core", "GET", f"{APISERVICES}/v1.")
step("get-apiservice-apps", "GET", f"{APISERVICES}/v1.apps")
step("get-apiservice-batch-beta-through-beta", "GET", f"{APISERVICES_BETA}/v1beta1.batch")
A1 = f"{APISERVICES}/v1alpha1.{GROUP}"
step("create-apiservice", "POST", APISERVICES, apiservice("v1alpha1"))
step("create-apiservice-duplicate", "POST", APISERVICES, apiservice("v1alpha1"))
step("create-apiservice-with-service", "POST", APISERVICES,
     apiservice("v1", service={"namespace": NS, "name": "api"}))
wrong_name = apiservice("v2")
wrong_name["metadata"]["name"] = f"{NS}-wrong-name"
step("create-apiservice-name-not-version-group", "POST", APISERVICES, wrong_name)
bad = apiservice("1x", "Bad_Group", groupPriorityMinimum=0, versionPriority=5000, caBundle="YWJj",
                 insecureSkipTLSVerify=True)
step("create-apiservice-invalid-local", "POST", APISERVICES, bad)
step("create-apiservice-invalid-service", "POST", APISERVICES,
     apiservice("v3", service={"port": 70000}, caBundle="YWJj", insecureSkipTLSVerify=True))
step("create-apiservice-empty-group-not-v1", "POST", APISERVICES, apiservice("v2", ""))
step("get-apiservice", "GET", A1)
step("get-apiservice-through-beta", "GET", f"{APISERVICES_BETA}/v1alpha1.{GROUP}")
step("list-apiservices-by-label", "GET", f"{APISERVICES}?labelSelector=battery%3D{NS}")
step("put-apiservice-without-resource-version", "PUT", A1, apiservice("v1alpha1", versionPriority=20))
stale_as = apiservice("v1alpha1", versionPriority=20)
stale_as["metadata"]["resourceVersion"] = "1"
step("put-apiservice-stale", "PUT", A1, stale_as)
step("merge-patch-apiservice", "PATCH", A1, {"spec": {"versionPriority": 20}}, MERGE)
step("merge-patch-apiservice-invalid", "PATCH", A1, {"spec": {"groupPriorityMinimum": 30000}}, MERGE)
step("json-patch-apiservice-labels", "PATCH", A1,
     [{"op": "add", "path": "/metadata/labels/j", "value": "1"}], JSONP)
step("patch-apiservice-status-invalid", "PATCH", f"{A1}/status",
     {"status": {"conditions": [{"type": "Available", "status": "Maybe"}]}}, MERGE)
step("patch-apiservice-status-keeps-labels", "PATCH", f"{A1}/status",
     {"metadata": {"labels": {"status": "patched"}},
      "status": {"conditions": [{"type": "Available", "status": "False", "reason": "Battery",
                                 "message": "set by the battery",
                                 "lastTransitionTime": "2021-01-01T00:00:00Z"}]}}, MERGE)
step("delete-apiservice", "DELETE", A1)
step("delete-missing-apiservice", "DELETE", A1)
step("delete-apiservice-with-service", "DELETE", f"{APISERVICES}/v1.{GROUP}")


def main() -> None:
    assert len(STEPS) <= 10000, f"{len(STEPS)} steps do not fit in four digits"
    names = [s[0] for s in STEPS]
    assert len(names) == len(set(names)), "step names repeat"
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.txt"):
        old.unlink()
    for i, (name, method, path, body, ctype) in enumerate(STEPS):
        (OUT / f"{i:04}-{name}.txt").write_text(render(method, path, body, ctype), encoding="utf-8")
    print(f"wrote {len(STEPS)} requests to {OUT}")


if __name__ == "__main__":
    main()
