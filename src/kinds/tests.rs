//! Facts of kube-apiserver v1.20.2's discovery, asserted against the generated table, and the
//! shapes of request paths.

use super::*;

fn get(api_version: &str, plural: &str) -> &'static Resource {
    let (group, version) = split_api_version(api_version);
    find(group, version, plural)
        .unwrap_or_else(|| panic!("{api_version} {plural} not in the table"))
}

#[test]
fn the_table_covers_every_served_group_version() {
    assert_eq!(SERVER_VERSION, "v1.20.2");
    for api_version in [
        "v1",
        "apps/v1",
        "batch/v1",
        "batch/v1beta1",
        "networking.k8s.io/v1",
        "networking.k8s.io/v1beta1",
        "extensions/v1beta1",
        "rbac.authorization.k8s.io/v1",
        "rbac.authorization.k8s.io/v1beta1",
        "policy/v1beta1",
        "autoscaling/v1",
        "autoscaling/v2beta1",
        "autoscaling/v2beta2",
        "storage.k8s.io/v1",
        "scheduling.k8s.io/v1",
        "coordination.k8s.io/v1",
        "events.k8s.io/v1",
        "discovery.k8s.io/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1beta1",
    ] {
        let (group, version) = split_api_version(api_version);
        let gv =
            group_version(group, version).unwrap_or_else(|| panic!("{api_version} not served"));
        assert!(
            gv.resources().next().is_some(),
            "{api_version} has no resources"
        );
        assert_eq!(gv.api_version(), api_version);
    }
    // Every group-version of the table has resources, and every resource a group-version.
    for gv in GROUP_VERSIONS {
        assert!(gv.resources().next().is_some(), "{gv:?}");
    }
    for r in RESOURCES {
        assert_eq!(r.group_version().preferred, r.preferred, "{r:?}");
        assert!(
            !r.plural.contains('/'),
            "subresource {} not folded",
            r.plural
        );
    }
    assert_eq!(GROUP_VERSIONS.len(), 37);
    assert_eq!(RESOURCES.len(), 82);
}

#[test]
fn retired_group_versions_are_not_served() {
    for (group, version) in [
        ("apps", "v1beta1"),
        ("apps", "v1beta2"),
        ("extensions", "v1"),
        ("batch", "v2alpha1"),
    ] {
        assert!(!is_served(group, version), "{group}/{version}");
    }
    assert!(find("apps", "v1beta1", "deployments").is_none());
    assert!(find("extensions", "v1beta1", "deployments").is_none());
    // extensions/v1beta1 still serves ingresses, and nothing else.
    let ext: Vec<_> = group_version("extensions", "v1beta1")
        .unwrap()
        .resources()
        .map(|r| r.plural)
        .collect();
    assert_eq!(ext, ["ingresses"]);
}

#[test]
fn pods() {
    let pods = get("v1", "pods");
    assert_eq!(
        (pods.kind, pods.list_kind, pods.api_version()),
        ("Pod", "PodList", "v1")
    );
    assert!(pods.namespaced);
    assert_eq!(pods.short_names, ["po"]);
    assert_eq!(pods.singular, "pod");
    assert_eq!(pods.categories, ["all"]);
    assert!(pods.preferred);
    let subs: Vec<_> = pods.subresources.iter().map(|s| s.name).collect();
    assert_eq!(
        subs,
        [
            "attach",
            "binding",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "status"
        ]
    );
    let eviction = pods.subresource("eviction").unwrap();
    assert_eq!(
        (eviction.kind, eviction.api_version()),
        ("Eviction", "policy/v1beta1".to_string())
    );
    assert_eq!(eviction.verbs, ["create"]);
    let binding = pods.subresource("binding").unwrap();
    assert_eq!(
        (binding.kind, binding.api_version()),
        ("Binding", "v1".to_string())
    );
    let log = pods.subresource("log").unwrap();
    assert_eq!((log.kind, log.verbs), ("Pod", &["get"][..]));
    assert_eq!(
        pods.subresource("status").unwrap().verbs,
        ["get", "patch", "update"]
    );
    assert!(pods.subresource("exec").unwrap().has_verb("create"));
    assert!(pods.has_verb("deletecollection") && pods.has_verb("watch"));
    assert!(!pods.has_subresource("scale"));
    assert_eq!(
        pods.collection_path(Some("ns1")),
        "/api/v1/namespaces/ns1/pods"
    );
    assert_eq!(pods.collection_path(None), "/api/v1/pods");
    assert_eq!(
        pods.object_path(Some("ns1"), "p"),
        "/api/v1/namespaces/ns1/pods/p"
    );
    assert_eq!(
        pods.subresource_path(Some("ns1"), "p", "status"),
        "/api/v1/namespaces/ns1/pods/p/status"
    );
}

#[test]
fn namespaces_and_other_cluster_scoped_resources() {
    let ns = get("v1", "namespaces");
    assert!(!ns.namespaced);
    assert_eq!(
        (ns.kind, ns.list_kind, ns.short_names),
        ("Namespace", "NamespaceList", &["ns"][..])
    );
    assert!(ns.has_subresource("status") && ns.has_subresource("finalize"));
    assert_eq!(ns.subresource("finalize").unwrap().verbs, ["update"]);
    // v1.20 has no deletecollection of namespaces (nor of services).
    assert!(!ns.has_verb("deletecollection") && ns.has_verb("delete"));
    assert!(!get("v1", "services").has_verb("deletecollection"));
    assert_eq!(ns.collection_path(Some("ignored")), "/api/v1/namespaces");
    assert_eq!(ns.object_path(None, "ns1"), "/api/v1/namespaces/ns1");

    for (api_version, plural) in [
        ("v1", "nodes"),
        ("v1", "persistentvolumes"),
        ("v1", "componentstatuses"),
        ("rbac.authorization.k8s.io/v1", "clusterroles"),
        ("rbac.authorization.k8s.io/v1", "clusterrolebindings"),
        ("storage.k8s.io/v1", "storageclasses"),
        ("apiextensions.k8s.io/v1", "customresourcedefinitions"),
        ("policy/v1beta1", "podsecuritypolicies"),
        ("authorization.k8s.io/v1", "subjectaccessreviews"),
    ] {
        assert!(
            !get(api_version, plural).namespaced,
            "{api_version} {plural}"
        );
    }
    let cr = get("rbac.authorization.k8s.io/v1", "clusterroles");
    assert_eq!(
        cr.object_path(None, "admin"),
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin"
    );
    assert!(get("rbac.authorization.k8s.io/v1", "roles").namespaced);
    assert!(get("authorization.k8s.io/v1", "localsubjectaccessreviews").namespaced);
    // Create-only review resources.
    assert_eq!(
        get("authentication.k8s.io/v1", "tokenreviews").verbs,
        ["create"]
    );
}

#[test]
fn workloads() {
    let deploy = get("apps/v1", "deployments");
    assert_eq!(
        (deploy.kind, deploy.list_kind, deploy.short_names),
        ("Deployment", "DeploymentList", &["deploy"][..])
    );
    assert!(deploy.namespaced && deploy.preferred);
    let scale = deploy.subresource("scale").unwrap();
    assert_eq!(
        (scale.kind, scale.group, scale.version),
        ("Scale", "autoscaling", "v1")
    );
    assert_eq!(scale.verbs, ["get", "patch", "update"]);
    assert!(deploy.has_subresource("status"));
    assert_eq!(
        deploy.collection_path(Some("ns1")),
        "/apis/apps/v1/namespaces/ns1/deployments"
    );
    assert_eq!(
        get("v1", "replicationcontrollers")
            .subresource("scale")
            .unwrap()
            .api_version(),
        "autoscaling/v1"
    );

    let jobs = get("batch/v1", "jobs");
    assert_eq!((jobs.kind, jobs.list_kind), ("Job", "JobList"));
    assert!(
        find("batch", "v1", "cronjobs").is_none(),
        "CronJob is batch/v1beta1 in v1.20"
    );
    let cronjobs = get("batch/v1beta1", "cronjobs");
    assert_eq!(
        (cronjobs.kind, cronjobs.list_kind, cronjobs.short_names),
        ("CronJob", "CronJobList", &["cj"][..])
    );
    assert!(!cronjobs.preferred, "batch prefers v1");
    assert_eq!(preferred_version("batch"), Some("v1"));
    assert_eq!(by_group_plural("batch", "cronjobs"), Some(cronjobs));

    let ing = get("extensions/v1beta1", "ingresses");
    assert_eq!(
        (ing.kind, ing.list_kind, ing.preferred),
        ("Ingress", "IngressList", true)
    );
    assert!(ing.has_subresource("status"));
    assert!(get("networking.k8s.io/v1", "ingresses").preferred);
    assert!(!get("networking.k8s.io/v1beta1", "ingresses").preferred);
    assert_eq!(
        get("v1", "serviceaccounts")
            .subresource("token")
            .unwrap()
            .kind,
        "TokenRequest"
    );
}

#[test]
fn list_kinds_are_kind_list() {
    for r in RESOURCES {
        assert_eq!(r.list_kind, format!("{}List", r.kind), "{r:?}");
    }
    assert_eq!(get("v1", "endpoints").list_kind, "EndpointsList");
}

#[test]
fn lookups() {
    assert_eq!(by_kind("v1", "Pod").map(|r| r.plural), Some("pods"));
    assert_eq!(
        by_kind("apps/v1", "StatefulSet").map(|r| r.plural),
        Some("statefulsets")
    );
    assert_eq!(
        by_kind("rbac.authorization.k8s.io/v1", "ClusterRole").map(|r| r.namespaced),
        Some(false)
    );
    assert!(by_kind("apps/v1beta1", "Deployment").is_none());
    assert!(
        by_kind("v1", "Scale").is_none(),
        "subresource kinds are not top-level"
    );
    assert_eq!(
        by_group_kind("networking.k8s.io", "Ingress").map(|r| r.version),
        Some("v1")
    );
    assert_eq!(
        by_group_plural("autoscaling", "horizontalpodautoscalers").map(|r| r.version),
        Some("v1")
    );
    assert!(by_group_plural("extensions", "deployments").is_none());

    let deployments: Vec<_> = by_plural_any_version("deployments")
        .map(|r| r.api_version)
        .collect();
    assert_eq!(deployments, ["apps/v1"]);
    let events: Vec<_> = by_plural_any_version("events")
        .map(|r| r.api_version)
        .collect();
    assert_eq!(events, ["v1", "events.k8s.io/v1", "events.k8s.io/v1beta1"]);
    let ingresses: Vec<_> = by_plural_any_version("ingresses")
        .map(|r| r.api_version)
        .collect();
    assert_eq!(
        ingresses,
        [
            "networking.k8s.io/v1",
            "networking.k8s.io/v1beta1",
            "extensions/v1beta1"
        ]
    );

    // The scope of retired versions, inferred from a served one.
    let apps_v1 = get("apps/v1", "deployments");
    assert_eq!(closest("apps", "v1beta1", "deployments"), Some(apps_v1));
    assert_eq!(
        closest("extensions", "v1beta1", "deployments"),
        Some(apps_v1)
    );
    assert_eq!(
        closest("extensions", "v1beta1", "podsecuritypolicies").map(|r| r.api_version),
        Some("policy/v1beta1")
    );
    assert_eq!(
        closest("extensions", "v1beta1", "ingresses").map(|r| r.api_version),
        Some("extensions/v1beta1")
    );
    assert!(closest("example.com", "v1", "widgets").is_none());

    assert_eq!(split_api_version("apps/v1"), ("apps", "v1"));
    assert_eq!(split_api_version("v1"), ("", "v1"));
    assert_eq!(join_api_version("", "v1"), "v1");
}

#[test]
fn discovery_documents_are_the_served_bytes() {
    let api = discovery_document("/api").unwrap();
    assert!(
        api.starts_with(br#"{"kind":"APIVersions","versions":["v1"]"#),
        "{}",
        String::from_utf8_lossy(api)
    );
    assert!(api.ends_with(b"\n"));
    for gv in GROUP_VERSIONS {
        let doc =
            discovery_document(&gv.base_path()).unwrap_or_else(|| panic!("no document for {gv:?}"));
        let doc: serde_json::Value = serde_json::from_slice(doc).unwrap();
        assert_eq!(doc["kind"], "APIResourceList");
        assert_eq!(doc["groupVersion"], gv.api_version());
    }
    let apis: serde_json::Value =
        serde_json::from_slice(discovery_document("/apis").unwrap()).unwrap();
    assert_eq!(apis["kind"], "APIGroupList");
    assert!(discovery_document("/apis/apps").is_some());
    let version: serde_json::Value =
        serde_json::from_slice(discovery_document("/version").unwrap()).unwrap();
    assert_eq!(version["gitVersion"], SERVER_VERSION);
    assert!(discovery_document("/apis/apps/v1beta1").is_none());
}

fn parsed(path: &str) -> ApiPath<'_> {
    parse_path(path).unwrap_or_else(|| panic!("{path} did not parse"))
}

#[test]
fn parse_resource_paths() {
    let p = parsed("/api/v1/namespaces/{namespace}/pods/{name}/status");
    assert_eq!(
        (
            p.root,
            p.group,
            p.version,
            p.namespace,
            p.plural,
            p.name,
            p.subresource
        ),
        (
            Root::Api,
            "",
            Some("v1"),
            Some("{namespace}"),
            Some("pods"),
            Some("{name}"),
            Some("status")
        )
    );
    assert_eq!(p.resource, find("", "v1", "pods"));
    assert_eq!(p.subresource_info().map(|s| s.kind), Some("Pod"));
    assert!(p.is_served() && !p.is_discovery() && !p.is_collection());
    assert_eq!(p.endpoint(), "pods/status");
    assert_eq!(
        p.template(),
        "/api/v1/namespaces/{namespace}/pods/{name}/status"
    );
    assert_eq!(p.api_version().as_deref(), Some("v1"));

    let p = parsed("/api/v1/namespaces/ns1/pods/p1/status?dryRun=All");
    assert_eq!(
        (p.namespace, p.name, p.subresource),
        (Some("ns1"), Some("p1"), Some("status"))
    );
    assert_eq!(
        p.template(),
        "/api/v1/namespaces/{namespace}/pods/{name}/status"
    );

    let p = parsed("/apis/apps/v1/deployments");
    assert_eq!(
        (p.group, p.version, p.plural, p.namespace, p.name),
        ("apps", Some("v1"), Some("deployments"), None, None)
    );
    assert!(p.is_collection() && p.is_served());
    assert_eq!(p.endpoint(), "deployments");
    assert_eq!(p.api_version().as_deref(), Some("apps/v1"));

    let p = parsed("/apis/apps/v1/namespaces/ns1/deployments/d1/scale");
    assert_eq!(
        p.subresource_info().map(|s| (s.kind, s.group)),
        Some(("Scale", "autoscaling"))
    );
    assert_eq!(p.endpoint(), "deployments/scale");

    let p = parsed("/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}");
    assert_eq!(
        (p.group, p.plural, p.name, p.namespace),
        (
            "rbac.authorization.k8s.io",
            Some("clusterroles"),
            Some("{name}"),
            None
        )
    );
    assert!(p.is_served());
    assert_eq!(
        p.template(),
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}"
    );
}

#[test]
fn parse_namespace_paths() {
    // The Namespace object itself, and its subresources.
    for path in ["/api/v1/namespaces/{name}", "/api/v1/namespaces/ns1"] {
        let p = parsed(path);
        assert_eq!(
            (p.plural, p.namespace, p.subresource),
            (Some("namespaces"), None, None),
            "{path}"
        );
        assert!(p.is_served());
        assert_eq!(p.resource.map(|r| r.kind), Some("Namespace"));
        assert_eq!(p.endpoint(), "namespaces");
        assert_eq!(p.template(), "/api/v1/namespaces/{name}");
    }
    for sub in ["finalize", "status"] {
        let path = format!("/api/v1/namespaces/{{name}}/{sub}");
        let p = parsed(&path);
        assert_eq!(
            (p.plural, p.name, p.namespace, p.subresource),
            (Some("namespaces"), Some("{name}"), None, Some(sub))
        );
        assert!(p.is_served());
        assert_eq!(p.endpoint(), format!("namespaces/{sub}"));
        assert_eq!(p.template(), path);
    }
    let p = parsed("/api/v1/namespaces");
    assert!(p.is_collection() && p.is_served());
    assert_eq!(p.endpoint(), "namespaces");

    // Resources in a namespace.
    let p = parsed("/api/v1/namespaces/{namespace}/pods");
    assert_eq!(
        (p.namespace, p.plural, p.name),
        (Some("{namespace}"), Some("pods"), None)
    );
    assert!(p.is_collection() && p.is_served());
    let p = parsed("/api/v1/namespaces/ns1/configmaps/cm1");
    assert_eq!(
        (p.namespace, p.plural, p.name),
        (Some("ns1"), Some("configmaps"), Some("cm1"))
    );
    // In a group without a namespaces resource, namespaces/<x>/<y> is resource <y> in <x>.
    let p = parsed("/apis/example.com/v1/namespaces/ns1/status");
    assert_eq!(
        (p.namespace, p.plural, p.resource),
        (Some("ns1"), Some("status"), None)
    );
}

#[test]
fn parse_discovery_paths() {
    for (path, group, version) in [
        ("/api", "", None),
        ("/api/v1", "", Some("v1")),
        ("/apis", "", None),
        ("/apis/apps", "apps", None),
        ("/apis/apps/v1", "apps", Some("v1")),
        ("/apis/batch/v1beta1?timeout=32s", "batch", Some("v1beta1")),
    ] {
        let p = parsed(path);
        assert!(p.is_discovery() && p.is_served(), "{path}");
        assert_eq!(
            (p.group, p.version, p.plural, p.resource),
            (group, version, None, None),
            "{path}"
        );
        let bare = path.split('?').next().unwrap();
        assert_eq!(p.endpoint(), bare);
        assert_eq!(p.template(), bare);
    }
    assert_eq!(parsed("/api").root, Root::Api);
    assert_eq!(parsed("/apis").root, Root::Apis);
    assert!(!parsed("/apis/apps/v1beta1").is_served());
    assert!(!parsed("/apis/unknown.group").is_served());
    assert!(!parsed("/api/v2").is_served());
}

#[test]
fn parse_watch_and_proxy_paths() {
    let p = parsed("/api/v1/watch/namespaces/{namespace}/pods/{name}");
    assert!(p.watch);
    assert_eq!(
        (p.namespace, p.plural, p.name),
        (Some("{namespace}"), Some("pods"), Some("{name}"))
    );
    assert_eq!(
        p.template(),
        "/api/v1/watch/namespaces/{namespace}/pods/{name}"
    );
    assert_eq!(p.endpoint(), "pods");
    let p = parsed("/apis/apps/v1/watch/deployments");
    assert!(p.watch && p.is_collection() && p.is_served());
    assert!(
        !parsed("/api/v1/watch/componentstatuses").is_served(),
        "componentstatuses has no watch"
    );

    let p = parsed("/api/v1/nodes/n1/proxy/metrics/cadvisor?x=1");
    assert_eq!(
        (p.plural, p.name, p.subresource, p.proxy_path),
        (
            Some("nodes"),
            Some("n1"),
            Some("proxy"),
            Some("metrics/cadvisor")
        )
    );
    assert!(p.is_served());
    assert_eq!(p.template(), "/api/v1/nodes/{name}/proxy/{path}");
    let p = parsed("/api/v1/namespaces/{namespace}/services/{name}/proxy/{path}");
    assert_eq!(
        (p.namespace, p.plural, p.proxy_path),
        (Some("{namespace}"), Some("services"), Some("{path}"))
    );
    assert_eq!(p.endpoint(), "services/proxy");
    assert_eq!(
        parsed("/api/v1/namespaces/ns/pods/p/proxy/").proxy_path,
        Some("")
    );
    assert_eq!(
        parsed("/api/v1/namespaces/ns/pods/p/proxy").proxy_path,
        None
    );
}

#[test]
fn parse_unserved_paths() {
    // Syntactically fine, but not served: Some, without a resource.
    let p = parsed("/apis/unknown.group/v1/things");
    assert_eq!(
        (p.group, p.plural, p.resource),
        ("unknown.group", Some("things"), None)
    );
    assert!(!p.is_served());
    assert_eq!(p.endpoint(), "things");
    let p = parsed("/apis/apps/v1beta1/namespaces/ns1/deployments");
    assert!(p.resource.is_none() && !p.is_served());
    assert!(!parsed("/api/v1/widgets").is_served());
    // The resource is known but addressed with the wrong scope, or an unknown subresource.
    let p = parsed("/api/v1/namespaces/ns1/nodes/n1");
    assert!(p.resource.is_some() && !p.is_served());
    assert!(
        !parsed("/api/v1/pods/p1").is_served(),
        "one pod needs a namespace"
    );
    assert!(parsed("/api/v1/pods").is_served(), "pods across namespaces");
    assert!(!parsed("/api/v1/namespaces/ns1/pods/p1/scale").is_served());
}

#[test]
fn parse_rejects_non_api_paths() {
    for path in [
        "",
        "/",
        "api/v1/pods",
        "/version",
        "/healthz",
        "/openapi/v2",
        "/api/",
        "/apis/",
        "/api/v1/",
        "/api/v1//pods",
        "/api/v1/pods/",
        "/api/foo",
        "/api/V1",
        "/api/v01",
        "/api/v1beta",
        "/apis/Apps/v1",
        "/apis/apps/1",
        "/apis/{group}/v1",
        "/api/v1/namespaces/ns1/pods/p1/status/extra",
        "/api/v1/pods/p1/status/extra",
        "/api/v1/watch",
        "/api/v1/watch/namespaces/ns/pods/p/status",
        "garbage",
        "/api/v1/namespaces/ns1/pods/p1/exec/x",
    ] {
        assert_eq!(parse_path(path), None, "{path:?}");
    }
    assert!(parse_path("/apis/v1alpha1.example-group.io/v2alpha3").is_some());
}
