#!/usr/bin/env python3
"""Write the core/v1 part of the differential battery: request-only transcripts in
tests/oracle/extended-requests/ (80-…), which `APICONFORM_RECORD=1 cargo test --test server
differential::` sends to the real kube-apiserver v1.20.2 and records into
tests/oracle/extended-v1.20.2/ (the recording the always-on test replays).

Usage:  python3 tools/gen_core_battery.py

Every kind of core/v1 the reference server models beyond pods: each verb, the status subresource,
and the errors (404, 409 AlreadyExists and Conflict, 422 invalid and immutable, 400 wrong kind and
name, 405). Names under `conf-smoke` (the recorded namespace, also the prefix of cluster-scoped
names) are made unique per live run; every cluster-scoped object is deleted in the sequence.
Services name their cluster IP and node port: allocation picks at random on the real server.
"""

from __future__ import annotations

from pathlib import Path

from battery_requests import render

OUT = Path(__file__).resolve().parent.parent / "tests/oracle/extended-requests"
NS = "/api/v1/namespaces/conf-smoke"

STEPS: list[tuple[str, str, str, object, str]] = []


def step(name: str, method: str, path: str, body: object = None, ctype: str = "application/json") -> None:
    STEPS.append((name, method, path, body, ctype))


MERGE = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
JSONP = "application/json-patch+json"

# ConfigMaps
cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1", "labels": {"app": "a"}},
      "data": {"a": "1", "b.txt": "two"}}
step("create-configmap", "POST", f"{NS}/configmaps", cm)
step("create-configmap-duplicate", "POST", f"{NS}/configmaps", cm)
step("create-configmap-bad-key", "POST", f"{NS}/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-bad"}, "data": {"a b": "x"}})
step("create-configmap-wrong-kind", "POST", f"{NS}/configmaps",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cm-x"}})
step("get-configmap", "GET", f"{NS}/configmaps/cm1")
step("get-missing-configmap", "GET", f"{NS}/configmaps/nope")
step("list-configmaps", "GET", f"{NS}/configmaps?labelSelector=app%3Da")
step("put-configmap", "PUT", f"{NS}/configmaps/cm1",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1", "labels": {"app": "a"}},
      "data": {"a": "10"}})
step("put-configmap-stale", "PUT", f"{NS}/configmaps/cm1",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1", "resourceVersion": "1"},
      "data": {"a": "11"}})
step("put-configmap-wrong-name", "PUT", f"{NS}/configmaps/cm1",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}, "data": {}})
step("merge-patch-configmap", "PATCH", f"{NS}/configmaps/cm1", {"data": {"c": "3", "a": None}}, MERGE)
step("strategic-patch-configmap", "PATCH", f"{NS}/configmaps/cm1",
     {"metadata": {"labels": {"tier": "x"}}, "data": {"d": "4"}}, SMP)
step("json-patch-configmap", "PATCH", f"{NS}/configmaps/cm1",
     [{"op": "replace", "path": "/data/c", "value": "30"}], JSONP)
step("noop-patch-configmap", "PATCH", f"{NS}/configmaps/cm1", {"data": {"c": "30"}}, MERGE)
step("patch-collection-not-allowed", "PATCH", f"{NS}/configmaps", {}, MERGE)
step("delete-configmap", "DELETE", f"{NS}/configmaps/cm1")
step("delete-missing-configmap", "DELETE", f"{NS}/configmaps/cm1")

# Secrets
step("create-secret-stringdata", "POST", f"{NS}/secrets",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"},
      "data": {"x": "eA=="}, "stringData": {"password": "hunter2"}})
step("put-secret-type-immutable", "PUT", f"{NS}/secrets/s1",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}, "type": "kubernetes.io/tls",
      "data": {"tls.crt": "", "tls.key": ""}})
step("patch-secret", "PATCH", f"{NS}/secrets/s1", {"stringData": {"user": "admin"}}, MERGE)
step("delete-secret", "DELETE", f"{NS}/secrets/s1")

# ServiceAccounts
step("create-serviceaccount", "POST", f"{NS}/serviceaccounts",
     {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa1"}})
step("create-serviceaccount-bad-name", "POST", f"{NS}/serviceaccounts",
     {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "Bad_Name"}})
step("get-serviceaccount", "GET", f"{NS}/serviceaccounts/sa1")
step("delete-serviceaccount", "DELETE", f"{NS}/serviceaccounts/sa1")

# Endpoints
step("create-endpoints", "POST", f"{NS}/endpoints",
     {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ep1"},
      "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}]})
step("create-endpoints-bad-ip", "POST", f"{NS}/endpoints",
     {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ep2"},
      "subsets": [{"addresses": [{"ip": "not-an-ip"}], "ports": [{"port": 80}]}]})
step("merge-patch-endpoints", "PATCH", f"{NS}/endpoints/ep1",
     {"subsets": [{"addresses": [{"ip": "10.1.2.4"}], "ports": [{"port": 8080, "name": "http"}]}]}, MERGE)
step("delete-endpoints", "DELETE", f"{NS}/endpoints/ep1")

# Services
svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc1"},
       "spec": {"clusterIP": "10.0.0.77", "selector": {"app": "a"}, "ports": [{"port": 80}]}}
step("create-service", "POST", f"{NS}/services", svc)
step("create-service-no-ports", "POST", f"{NS}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc2"}, "spec": {"selector": {"app": "a"}}})
step("create-service-nodeport", "POST", f"{NS}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc3"},
      "spec": {"type": "NodePort", "clusterIP": "10.0.0.78",
               "ports": [{"name": "http", "port": 80, "targetPort": 8080, "nodePort": 30777}]}})
step("create-service-headless", "POST", f"{NS}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc4"},
      "spec": {"clusterIP": "None", "selector": {"app": "a"}, "ports": [{"port": 53, "protocol": "UDP"}]}})
step("put-service-without-resourceversion", "PUT", f"{NS}/services/svc1",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc1"},
      "spec": {"selector": {"app": "b"}, "ports": [{"port": 80}]}})
step("patch-service-clusterip-immutable", "PATCH", f"{NS}/services/svc1",
     {"spec": {"clusterIP": "10.0.0.79", "clusterIPs": ["10.0.0.79"]}}, MERGE)
step("strategic-patch-service-ports", "PATCH", f"{NS}/services/svc1",
     {"spec": {"ports": [{"port": 443, "name": "https"}, {"port": 80, "name": "http"}]}}, SMP)
step("get-service-status", "GET", f"{NS}/services/svc1/status")
step("proxy-to-service-without-endpoints", "GET", f"{NS}/services/svc1/proxy/")
step("proxy-to-service-port-without-endpoints", "GET", f"{NS}/services/svc1:80/proxy/x")
step("proxy-to-missing-service", "GET", f"{NS}/services/nope/proxy/")
step("delete-service", "DELETE", f"{NS}/services/svc1")
step("delete-service-nodeport", "DELETE", f"{NS}/services/svc3")
step("delete-service-headless", "DELETE", f"{NS}/services/svc4")

# PersistentVolumeClaims
step("create-pvc", "POST", f"{NS}/persistentvolumeclaims",
     {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc1"},
      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
step("create-pvc-no-access-modes", "POST", f"{NS}/persistentvolumeclaims",
     {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc2"},
      "spec": {"resources": {"requests": {"storage": "1Gi"}}}})
step("patch-pvc-labels", "PATCH", f"{NS}/persistentvolumeclaims/pvc1", {"metadata": {"labels": {"k": "v"}}}, MERGE)
step("put-pvc-status", "PUT", f"{NS}/persistentvolumeclaims/pvc1/status",
     {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc1"},
      "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}})
step("delete-pvc-protected", "DELETE", f"{NS}/persistentvolumeclaims/pvc1")
step("release-pvc", "PATCH", f"{NS}/persistentvolumeclaims/pvc1", {"metadata": {"finalizers": None}}, MERGE)
step("get-released-pvc", "GET", f"{NS}/persistentvolumeclaims/pvc1")

# PersistentVolumes (cluster-scoped)
step("create-pv", "POST", "/api/v1/persistentvolumes",
     {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "conf-smoke-pv1"},
      "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp/x"}}})
step("put-pv-status", "PUT", "/api/v1/persistentvolumes/conf-smoke-pv1/status",
     {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "conf-smoke-pv1"},
      "status": {"phase": "Available"}})
step("delete-pv-protected", "DELETE", "/api/v1/persistentvolumes/conf-smoke-pv1")
step("release-pv", "PATCH", "/api/v1/persistentvolumes/conf-smoke-pv1", {"metadata": {"finalizers": None}}, MERGE)
step("get-released-pv", "GET", "/api/v1/persistentvolumes/conf-smoke-pv1")

# ReplicationControllers
rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc1"},
      "spec": {"template": {"metadata": {"labels": {"app": "rc"}},
                            "spec": {"containers": [{"name": "c", "image": "nginx:1.19"}]}}}}
step("create-rc", "POST", f"{NS}/replicationcontrollers", rc)
step("create-rc-selector-mismatch", "POST", f"{NS}/replicationcontrollers",
     {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc2"},
      "spec": {"selector": {"app": "other"}, "template": {"metadata": {"labels": {"app": "rc"}},
                                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
step("patch-rc-replicas", "PATCH", f"{NS}/replicationcontrollers/rc1", {"spec": {"replicas": 3}}, MERGE)
step("patch-rc-labels-only", "PATCH", f"{NS}/replicationcontrollers/rc1", {"metadata": {"labels": {"x": "y"}}}, MERGE)
step("put-rc-status", "PUT", f"{NS}/replicationcontrollers/rc1/status",
     {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc1"},
      "status": {"replicas": 3, "observedGeneration": 2}})
step("get-rc-scale", "GET", f"{NS}/replicationcontrollers/rc1/scale")
step("put-rc-scale", "PUT", f"{NS}/replicationcontrollers/rc1/scale",
     {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "rc1", "namespace": "conf-smoke"},
      "spec": {"replicas": 5}})
step("put-rc-scale-without-namespace", "PUT", f"{NS}/replicationcontrollers/rc1/scale",
     {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "rc1"}, "spec": {"replicas": 5}})
step("merge-patch-rc-scale", "PATCH", f"{NS}/replicationcontrollers/rc1/scale", {"spec": {"replicas": 4}}, MERGE)
step("put-rc-scale-stale", "PUT", f"{NS}/replicationcontrollers/rc1/scale",
     {"apiVersion": "autoscaling/v1", "kind": "Scale",
      "metadata": {"name": "rc1", "namespace": "conf-smoke", "resourceVersion": "1"}, "spec": {"replicas": 2}})
step("put-rc-scale-negative", "PUT", f"{NS}/replicationcontrollers/rc1/scale",
     {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "rc1"}, "spec": {"replicas": -1}})
step("get-rc-after-scale", "GET", f"{NS}/replicationcontrollers/rc1")
step("delete-rc-orphaning", "DELETE", f"{NS}/replicationcontrollers/rc1")
step("release-rc", "PATCH", f"{NS}/replicationcontrollers/rc1", {"metadata": {"finalizers": None}}, MERGE)
step("get-released-rc", "GET", f"{NS}/replicationcontrollers/rc1")

# Nodes (cluster-scoped)
step("create-node", "POST", "/api/v1/nodes",
     {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "conf-smoke-node1", "labels": {"zone": "a"}},
      "status": {"capacity": {"cpu": "2", "memory": "1Gi"}}})
step("patch-node-labels", "PATCH", "/api/v1/nodes/conf-smoke-node1", {"metadata": {"labels": {"zone": "b"}}}, SMP)
step("get-node-status", "GET", "/api/v1/nodes/conf-smoke-node1/status")
step("proxy-to-node-without-addresses", "GET", "/api/v1/nodes/conf-smoke-node1/proxy/")
step("delete-node", "DELETE", "/api/v1/nodes/conf-smoke-node1")

# ResourceQuotas
step("create-resourcequota", "POST", f"{NS}/resourcequotas",
     {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "rq1"},
      "spec": {"hard": {"pods": "10"}}, "status": {"hard": {"pods": "99"}}})
step("delete-resourcequota", "DELETE", f"{NS}/resourcequotas/rq1")

# Label and field selectors
step("create-configmap-for-selectors", "POST", f"{NS}/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-sel", "labels": {"app": "sel", "tier": "a"}}})
step("list-configmaps-set-based-selector", "GET", f"{NS}/configmaps?labelSelector=app+in+(sel,x),tier!%3Db,!gone")
step("list-configmaps-notin-selector", "GET", f"{NS}/configmaps?labelSelector=app+notin+(sel)")
step("list-configmaps-field-selector", "GET", f"{NS}/configmaps?fieldSelector=metadata.name%3Dcm-sel")
step("list-configmaps-unknown-field", "GET", f"{NS}/configmaps?fieldSelector=data.a%3D1")
step("list-pods-unknown-field", "GET", f"{NS}/pods?fieldSelector=spec.bogus%3D1")
step("list-pods-field-without-value", "GET", f"{NS}/pods?fieldSelector=metadata.name")
step("list-pods-in-without-parens", "GET", f"{NS}/pods?labelSelector=a+in+x")
step("list-pods-by-phase", "GET", f"{NS}/pods?fieldSelector=status.phase%3DRunning")
step("list-secrets-by-type", "GET", f"{NS}/secrets?fieldSelector=type%3DOpaque")
step("list-namespaces-by-name", "GET", "/api/v1/namespaces?fieldSelector=metadata.name%3Dconf-smoke")
step("delete-configmap-for-selectors", "DELETE", f"{NS}/configmaps/cm-sel")

# LimitRanges and PodTemplates
step("create-limitrange", "POST", f"{NS}/limitranges",
     {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr1"},
      "spec": {"limits": [{"type": "Container", "max": {"cpu": "2", "memory": "1Gi"}, "min": {"cpu": "100m"}},
                          {"type": "Pod", "max": {"cpu": "4"}}]}})
step("get-limitrange", "GET", f"{NS}/limitranges/lr1")
step("delete-limitrange", "DELETE", f"{NS}/limitranges/lr1")
step("create-podtemplate", "POST", f"{NS}/podtemplates",
     {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "pt1"},
      "template": {"metadata": {"labels": {"app": "pt"}},
                   "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                                            "resources": {"limits": {"cpu": "1"}}}]}}})
step("strategic-patch-podtemplate", "PATCH", f"{NS}/podtemplates/pt1",
     {"template": {"spec": {"containers": [{"name": "c", "image": "busybox:1.37"}]}}}, SMP)
step("delete-podtemplate", "DELETE", f"{NS}/podtemplates/pt1")

# A pod's tolerations replaced by a patch: DefaultTolerationSeconds adds its two back on update
step("create-pod-tolerations", "POST", f"{NS}/pods",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tol"},
      "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
step("merge-patch-pod-replace-tolerations", "PATCH", f"{NS}/pods/tol",
     {"spec": {"tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}]}}, MERGE)
step("strategic-patch-pod-replace-tolerations", "PATCH", f"{NS}/pods/tol",
     {"spec": {"tolerations": [{"key": "k2", "operator": "Exists"}]}}, SMP)
step("delete-pod-tolerations", "DELETE", f"{NS}/pods/tol")

# ComponentStatuses (a bare server: no controller manager or scheduler).
# (Their list is left out: the real server orders it at random.)
step("get-componentstatus-etcd", "GET", "/api/v1/componentstatuses/etcd-0")
step("get-missing-componentstatus", "GET", "/api/v1/componentstatuses/nope")

# Bindings and evictions of pods
step("create-pod-not-on-a-node", "POST", f"{NS}/pods",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tol2"},
      "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
step("create-pod-to-bind", "POST", f"{NS}/pods",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bind1"},
      "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
step("bind-pod", "POST", f"{NS}/pods/bind1/binding",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bind1", "annotations": {"a": "b"}},
      "target": {"apiVersion": "v1", "kind": "Node", "name": "conf-smoke-node9"}})
step("bind-pod-again", "POST", f"{NS}/pods/bind1/binding",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bind1"},
      "target": {"apiVersion": "v1", "kind": "Node", "name": "other"}})
step("get-bound-pod", "GET", f"{NS}/pods/bind1")
step("create-pod-to-bind-by-bindings", "POST", f"{NS}/pods",
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bind2"},
      "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}})
step("bind-pod-by-bindings", "POST", f"{NS}/bindings",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "bind2"},
      "target": {"apiVersion": "v1", "kind": "Node", "name": "conf-smoke-node9"}})
step("bind-missing-pod", "POST", f"{NS}/pods/nope/binding",
     {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "nope"},
      "target": {"apiVersion": "v1", "kind": "Node", "name": "n"}})
step("evict-pod", "POST", f"{NS}/pods/bind2/eviction",
     {"apiVersion": "policy/v1beta1", "kind": "Eviction", "metadata": {"name": "bind2"},
      "deleteOptions": {"gracePeriodSeconds": 0}})
step("get-evicted-pod", "GET", f"{NS}/pods/bind2")
step("evict-missing-pod", "POST", f"{NS}/pods/nope/eviction",
     {"apiVersion": "policy/v1beta1", "kind": "Eviction", "metadata": {"name": "nope"}})
step("log-of-pod-not-on-a-node", "GET", f"{NS}/pods/tol2/log")
step("exec-in-pod-not-on-a-node", "POST", f"{NS}/pods/tol2/exec?command=ls&container=c")
step("portforward-to-pod-not-on-a-node", "GET", f"{NS}/pods/tol2/portforward?ports=80")
step("proxy-to-pod-without-address", "GET", f"{NS}/pods/tol2/proxy/")
step("log-of-missing-pod", "GET", f"{NS}/pods/nope/log")
step("delete-pod-not-on-a-node", "DELETE", f"{NS}/pods/tol2")
# Graceful deletion of a pod bound to a node: marked for its period (an update meanwhile keeps
# it), a second delete leaves the mark as it is, a shorter period (0) deletes it.
step("delete-bound-pod-graceful", "DELETE", f"{NS}/pods/bind1")
step("get-pod-being-deleted", "GET", f"{NS}/pods/bind1")
step("patch-status-of-pod-being-deleted", "PATCH", f"{NS}/pods/bind1/status",
     {"status": {"phase": "Running"}}, MERGE)
step("delete-pod-being-deleted", "DELETE", f"{NS}/pods/bind1")
step("delete-bound-pod", "DELETE", f"{NS}/pods/bind1",
     {"apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0})
# The namespace's status subresource: patched (its phase follows the deletion), finalize only PUT.
step("patch-namespace-status-terminating", "PATCH", f"{NS}/status",
     {"status": {"phase": "Terminating"}, "metadata": {"labels": {"status": "patched"}}}, MERGE)
step("patch-namespace-status-json", "PATCH", f"{NS}/status",
     [{"op": "replace", "path": "/status/phase", "value": "Active"}], JSONP)
step("patch-namespace-finalize", "PATCH", f"{NS}/finalize", {"spec": {"finalizers": []}}, MERGE)
step("get-namespace-finalize", "GET", f"{NS}/finalize")

# Preconditions: a PUT's uid is the storage's (409, quoting the etcd key) but for a Service, whose
# own update validates first (422), as a patch's is (422); a delete's as BeforeDelete words them.
UID0 = "00000000-0000-0000-0000-000000000000"
step("create-configmap-pre", "POST", f"{NS}/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-pre"}, "data": {"a": "1"}})
step("put-configmap-other-uid", "PUT", f"{NS}/configmaps/cm-pre",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-pre", "uid": UID0}})
step("merge-patch-configmap-uid", "PATCH", f"{NS}/configmaps/cm-pre", {"metadata": {"uid": UID0}}, MERGE)
step("create-service-pre", "POST", f"{NS}/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc-pre"},
      "spec": {"clusterIP": "10.0.0.97", "ports": [{"port": 80}]}})
step("put-service-other-uid", "PUT", f"{NS}/services/svc-pre",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc-pre", "uid": UID0},
      "spec": {"clusterIP": "10.0.0.97", "ports": [{"port": 80}]}})
step("delete-service-pre", "DELETE", f"{NS}/services/svc-pre")
step("delete-configmap-other-uid", "DELETE", f"{NS}/configmaps/cm-pre",
     {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": UID0}})
step("delete-configmap-pre", "DELETE", f"{NS}/configmaps/cm-pre")

# Namespaces beyond the recorded one: the `kubernetes` finalizer added to those given, finalizer
# names validated on create and on /finalize (each at its index), `spec.finalizers` kept by an
# update, the delete's answer with the finalizer its propagation policy asks for.
NSS = "/api/v1/namespaces"


def namespace(name: str, **extra: object) -> dict:
    meta = {"name": name, **extra.pop("meta", {})}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": meta, **extra}


step("create-namespace-with-finalizers", "POST", NSS,
     namespace("conf-smoke-ns2", meta={"labels": {"t": "a"}}, spec={"finalizers": ["example.com/keep"]}))
step("create-namespace-bad-finalizer", "POST", NSS, namespace("conf-smoke-ns3", spec={"finalizers": ["foo"]}))
step("create-namespace-with-resource-version", "POST", NSS,
     namespace("conf-smoke-ns3", meta={"resourceVersion": "5"}))
step("create-namespace-dotted-name", "POST", NSS, namespace("conf-smoke.ns3"))
step("put-namespace-keeps-finalizers", "PUT", f"{NSS}/conf-smoke-ns2",
     namespace("conf-smoke-ns2", meta={"labels": {"t": "b"}}, spec={"finalizers": []}))
step("put-namespace-change-uid", "PUT", f"{NSS}/conf-smoke-ns2",
     namespace("conf-smoke-ns2", meta={"uid": "00000000-0000-0000-0000-000000000000"}))
step("put-namespace-finalize-bad-names", "PUT", f"{NSS}/conf-smoke-ns2/finalize",
     namespace("conf-smoke-ns2", spec={"finalizers": ["foo", "a/b/c"]}))
step("put-namespace-finalize", "PUT", f"{NSS}/conf-smoke-ns2/finalize",
     namespace("conf-smoke-ns2", meta={"labels": {"t": "b"}}, spec={"finalizers": []}))
step("delete-namespace-other-uid", "DELETE", f"{NSS}/conf-smoke-ns2",
     {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": {"uid": UID0}})
step("delete-namespace-orphan", "DELETE", f"{NSS}/conf-smoke-ns2?propagationPolicy=Orphan")

# Access reviews of the requester (the live tests' user is in system:masters: allowed), and the
# validation of their spec.
SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
step("self-access-review-resource", "POST", SSAR,
     {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
      "spec": {"resourceAttributes": {"verb": "list", "group": "apps", "resource": "deployments",
                                      "namespace": "conf-smoke"}}})
step("self-access-review-non-resource", "POST", SSAR,
     {"spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}}})
step("self-access-review-v1beta1", "POST", "/apis/authorization.k8s.io/v1beta1/selfsubjectaccessreviews",
     {"apiVersion": "authorization.k8s.io/v1beta1", "kind": "SelfSubjectAccessReview",
      "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}})
step("self-access-review-empty-spec", "POST", SSAR, {"spec": {}})
step("self-access-review-both-attributes", "POST", SSAR,
     {"spec": {"resourceAttributes": {"verb": "get"}, "nonResourceAttributes": {"path": "/x", "verb": "get"}}})
step("self-access-review-wrong-kind", "POST", SSAR, {"apiVersion": "v1", "kind": "Pod"})
step("get-self-access-reviews", "GET", SSAR)
# Access reviews of other users: system:masters, then RBAC over the bootstrap policy and the
# bindings of the store (one binding allowing each: the real server visits them in map order).
SAR = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
LSAR = f"{NS}/localsubjectaccessreviews".replace("/api/v1/", "/apis/authorization.k8s.io/v1/")


def review(spec: dict, **meta: object) -> dict:
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec,
            **({"metadata": meta} if meta else {})}


def resource(**attributes: str) -> dict:
    return {"resourceAttributes": attributes}


# A role and its binding in the namespace (made first: the real authorizer reads them from its
# watch cache), through which bob and a service account are allowed.
step("create-role-for-review", "POST", f"{NS}/roles".replace("/api/v1/", "/apis/rbac.authorization.k8s.io/v1/"),
     {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
      "rules": [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods", "pods/log"],
                 "resourceNames": []}]})
step("create-rolebinding-for-review", "POST",
     f"{NS}/rolebindings".replace("/api/v1/", "/apis/rbac.authorization.k8s.io/v1/"),
     {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "bob-reads"},
      "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
      "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"},
                   {"kind": "ServiceAccount", "name": "robot"}]})
step("access-review-of-unbound-user", "POST", SAR,
     review({"user": "bob", **resource(verb="get", resource="pods", namespace="elsewhere")}))
step("access-review-of-master", "POST", SAR,
     review({"user": "alice", "groups": ["system:masters"], **resource(verb="delete", resource="nodes")}))
step("access-review-of-authenticated-user", "POST", SAR,
     review({"user": "bob", "groups": ["system:authenticated"],
             **resource(verb="create", group="authorization.k8s.io", resource="selfsubjectaccessreviews")}))
step("access-review-non-resource", "POST", SAR,
     review({"user": "bob", "groups": ["system:authenticated"],
             "nonResourceAttributes": {"path": "/apis/apps", "verb": "get"}}))
step("access-review-of-scheduler-subresource", "POST", SAR,
     review({"user": "system:kube-scheduler",
             **resource(verb="create", resource="pods", subresource="binding", namespace="conf-smoke")}))
step("access-review-of-service-account", "POST", SAR,
     review({"user": "system:serviceaccount:kube-system:bootstrap-signer",
             **resource(verb="list", resource="secrets", namespace="kube-system")}))
step("access-review-without-user", "POST", SAR, review(resource(verb="get", resource="pods")))
step("access-review-without-attributes", "POST", SAR, review({"user": "bob"}))
step("access-review-v1beta1", "POST", SAR.replace("/v1/", "/v1beta1/"),
     {"apiVersion": "authorization.k8s.io/v1beta1", "kind": "SubjectAccessReview",
      "spec": {"user": "bob", "group": ["system:authenticated"],
               "nonResourceAttributes": {"path": "/apis/apps", "verb": "get"}}})
step("local-access-review-allowed", "POST", LSAR,
     {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
      "metadata": {"namespace": "conf-smoke"},
      "spec": {"user": "bob", **resource(verb="get", resource="pods", subresource="log", namespace="conf-smoke")}})
step("local-access-review-of-service-account", "POST", LSAR,
     {"metadata": {"namespace": "conf-smoke"},
      "spec": {"user": "system:serviceaccount:conf-smoke:robot",
               **resource(verb="list", resource="pods", namespace="conf-smoke")}})
step("local-access-review-other-verb", "POST", LSAR,
     {"metadata": {"namespace": "conf-smoke"},
      "spec": {"user": "bob", **resource(verb="delete", resource="pods", namespace="conf-smoke")}})
step("local-access-review-without-namespace", "POST", LSAR,
     {"spec": {"user": "bob", **resource(verb="get", resource="pods", namespace="conf-smoke")}})
step("local-access-review-other-namespace", "POST", LSAR,
     {"metadata": {"namespace": "conf-smoke"},
      "spec": {"user": "bob", **resource(verb="get", resource="pods", namespace="elsewhere")}})
step("local-access-review-non-resource", "POST", LSAR,
     {"metadata": {"namespace": "conf-smoke"},
      "spec": {"user": "bob", "nonResourceAttributes": {"path": "/x", "verb": "get"}}})
step("delete-rolebinding-for-review", "DELETE",
     f"{NS}/rolebindings/bob-reads".replace("/api/v1/", "/apis/rbac.authorization.k8s.io/v1/"))
step("delete-role-for-review", "DELETE",
     f"{NS}/roles/reader".replace("/api/v1/", "/apis/rbac.authorization.k8s.io/v1/"))


# Pod spec validation (dry runs: nothing is created): ports, a request against its limit, extended
# resources, the termination message policy, tolerations.


def probe_pod(**spec: object) -> dict:
    c = {"name": "c", "image": "busybox"}
    c.update(spec.pop("c", {}))  # type: ignore[arg-type]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe"},
            "spec": {"containers": [c], **spec}}


DRY = f"{NS}/pods?dryRun=All"
step("create-pod-invalid-ports", "POST", DRY, probe_pod(c={"ports": [
    {"containerPort": 0}, {"containerPort": 70000, "hostPort": -1, "name": "Bad_Name--toolongportname-x"},
    {"containerPort": 80, "name": "web", "protocol": "HTTP"}, {"containerPort": 81, "name": "web"},
    {"containerPort": 82, "name": "123"}]}))
step("create-pod-request-above-limit", "POST", DRY, probe_pod(c={"resources": {
    "limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "2", "memory": "512Mi"}}}))
step("create-pod-extended-resource-request-not-limit", "POST", DRY, probe_pod(c={"resources": {
    "limits": {"example.com/gpu": "2"}, "requests": {"example.com/gpu": "1"}}}))
step("create-pod-extended-resource-without-limit", "POST", DRY,
     probe_pod(c={"resources": {"requests": {"example.com/gpu": "1"}}}))
step("create-pod-request-equal-to-limit-written-otherwise", "POST", DRY,
     probe_pod(c={"resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "0.5"}}}))
step("create-pod-bad-termination-message-policy", "POST", DRY,
     probe_pod(c={"terminationMessagePolicy": "Sometimes"}))
step("create-pod-toleration-seconds-not-noexecute", "POST", DRY, probe_pod(tolerations=[
    {"key": "k", "operator": "Exists", "value": "v", "effect": "NoSchedule", "tolerationSeconds": 5}]))
step("create-pod-invalid-tolerations", "POST", DRY, probe_pod(tolerations=[
    {"operator": "Equal", "value": "bad value!"}, {"key": "a/b/c", "operator": "In", "effect": "Later"}]))

step("create-pod-invalid-volumes", "POST", DRY, probe_pod(volumes=[
    {"name": "a"}, {"name": "Bad_Name", "emptyDir": {}}, {"name": "c", "emptyDir": {}, "configMap": {"name": "x"}},
    {"name": "d", "secret": {}}, {"name": "e", "hostPath": {"path": ""}},
    {"name": "f", "persistentVolumeClaim": {"claimName": ""}}, {"name": "g", "configMap": {}}]))
step("create-pod-invalid-volume-mounts", "POST", DRY, probe_pod(
    volumes=[{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}],
    c={"volumeMounts": [{"name": "v", "mountPath": "/a"}, {"name": "nope", "mountPath": "/a"},
                        {"name": "", "mountPath": ""}]}))
step("create-pod-invalid-env", "POST", DRY, probe_pod(c={"env": [
    {"name": ""}, {"name": "1BAD"}, {"name": "..x"}, {"name": "ok.name-1"}, {"name": "A", "valueFrom": {}},
    {"name": "B", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
    {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "", "key": ""},
                                "secretKeyRef": {"name": "s", "key": "k"}}}]}))
step("create-pod-invalid-probes", "POST", DRY, probe_pod(c={
    "livenessProbe": {"periodSeconds": -1},
    "readinessProbe": {"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}},
    "startupProbe": {"exec": {"command": ["x"]}, "successThreshold": 2}}))
step("create-pod-init-containers-after-app-containers", "POST", DRY,
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe"},
      "spec": {"initContainers": [{"name": "c", "image": "i"}, {"name": "Bad"}],
               "containers": [{"name": "c", "image": "i"}, {"name": "", "image": ""}]}})
step("create-pod-duplicate-container-names", "POST", DRY,
     {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "probe"},
      "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "a", "image": "i"},
                              {"name": "B_", "image": "i"}, {"name": "B_", "image": "i"}]}})


def main() -> None:
    for old in OUT.glob("8*-*.txt"):
        old.unlink()
    for old in OUT.glob("9*-*.txt"):
        old.unlink()
    for i, (name, method, path, body, ctype) in enumerate(STEPS):
        n = 800 + i
        (OUT / f"{n}-{name}.txt").write_text(render(method, path, body, ctype), encoding="utf-8")
    print(f"wrote {len(STEPS)} requests to {OUT}")


if __name__ == "__main__":
    main()
