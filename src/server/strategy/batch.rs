//! The strategies of batch/v1 jobs and batch/v1beta1 cron jobs (`pkg/registry/batch`,
//! `pkg/apis/batch/{v1,v1beta1}/defaults.go`, `pkg/apis/batch/validation`). No controller runs
//! them: a Job creates no Pod, a CronJob no Job.

use super::Strategy;
use super::apps::{
    default_template, labels_mismatch, nonnegative, selector_immutable, set_default,
    validate_template_at,
};
use super::label_selector::LabelSelector;
use super::{reset_status, set_if_empty, spec_of, status_nonnegative};
use crate::server::pod::obj_entry;
use crate::server::status::Cause;
use serde_json::{Map, Value, json};

pub(super) fn for_kind(kind: &str) -> Option<&'static dyn Strategy> {
    Some(match kind {
        "Job" => &Job,
        "CronJob" => &CronJob,
        _ => return None,
    })
}

/// `SetDefaults_Job` of a job spec (also a cron job's template's).
fn default_job_spec(spec: &mut Map<String, Value>) {
    let unset = |spec: &Map<String, Value>, k: &str| spec.get(k).is_none_or(Value::is_null);
    if unset(spec, "completions") && unset(spec, "parallelism") {
        spec.insert("completions".into(), json!(1));
        spec.insert("parallelism".into(), json!(1));
    }
    set_default(spec, "parallelism", json!(1));
    set_default(spec, "backoffLimit", json!(6));
    default_template(spec);
}

/// `validateJobSpec` of the job spec at `path` (a pointer-like dotted path).
fn validate_job_spec(obj: &Value, path: &str, errs: &mut Vec<Cause>) {
    let pointer = format!("/{}", path.replace('.', "/"));
    for k in [
        "parallelism",
        "completions",
        "activeDeadlineSeconds",
        "backoffLimit",
        "ttlSecondsAfterFinished",
    ] {
        nonnegative(obj, &format!("{pointer}/{k}"), &format!("{path}.{k}"), errs);
    }
    validate_template_at(obj, &format!("{path}.template"), errs);
    let policy = obj
        .pointer(&format!("{pointer}/template/spec/restartPolicy"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let field = format!("{path}.template.spec.restartPolicy");
    match policy {
        "Always" | "" => errs.push(Cause::required_because(
            field,
            "valid values: \"OnFailure\", \"Never\"",
        )),
        "OnFailure" | "Never" => {}
        other => errs.push(Cause::not_supported(
            field,
            &json!(other),
            &["OnFailure", "Never"],
        )),
    }
}

/// A Job: one completion at a time, six retries; unless `manualSelector`, its selector and pod
/// labels are generated from its uid (`controller-uid`) and name (`job-name`); its template is
/// immutable; its pods are orphaned by default (batch/v1).
struct Job;

fn manual(obj: &Value) -> bool {
    obj.pointer("/spec/manualSelector").and_then(Value::as_bool) == Some(true)
}

impl Strategy for Job {
    fn validate_status(&self, new: &Value, _old: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        status_nonnegative(new, &["active", "succeeded", "failed"], &mut errs);
        errs
    }
    fn default(&self, obj: &mut Value) {
        let template_labels = obj.pointer("/spec/template/metadata/labels").cloned();
        if let Some(spec) = spec_of(obj) {
            default_job_spec(spec);
        }
        if let Some(l) = template_labels.filter(|l| !l.is_null())
            && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
            && meta
                .get("labels")
                .and_then(Value::as_object)
                .is_none_or(|m| m.is_empty())
        {
            meta.insert("labels".into(), l);
        }
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
        if manual(obj) {
            return;
        }
        // `generateSelector` (run by the strategy's Validate, once the uid is known).
        // The defaults gave a job without labels its template's labels map itself (Go shares
        // it), so the generated labels land on the job too.
        let aliased = obj
            .pointer("/spec/template/metadata/labels")
            .is_some_and(Value::is_object)
            && obj.pointer("/metadata/labels") == obj.pointer("/spec/template/metadata/labels");
        let uid = obj.pointer("/metadata/uid").cloned().unwrap_or(json!(""));
        let name = obj.pointer("/metadata/name").cloned().unwrap_or(json!(""));
        let Some(spec) = spec_of(obj) else { return };
        let labels = obj_entry(obj_entry(obj_entry(spec, "template"), "metadata"), "labels");
        labels.entry("controller-uid").or_insert(uid.clone());
        labels.entry("job-name").or_insert(name);
        obj_entry(obj_entry(spec, "selector"), "matchLabels")
            .entry("controller-uid")
            .or_insert(uid);
        if aliased && let Some(l) = obj.pointer("/spec/template/metadata/labels").cloned() {
            obj["metadata"]["labels"] = l;
        }
    }
    fn orphans_by_default(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        let raw = obj.pointer("/spec/selector").filter(|s| !s.is_null());
        if !manual(obj) && raw.is_some() {
            let uid = obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let labels = obj.pointer("/spec/template/metadata/labels");
            for (k, want) in [("controller-uid", uid), ("job-name", name)] {
                let have = labels.and_then(|l| l.get(k)).and_then(Value::as_str);
                if have != Some(want) {
                    errs.push(Cause::invalid(
                        format!("spec.template.metadata.labels[{k}]"),
                        &json!(have.unwrap_or("")),
                        &format!("must be '{want}'"),
                    ));
                }
            }
            let expected = json!({"controller-uid": uid, "job-name": name});
            let selector = LabelSelector::from_value(raw);
            if selector.valid() && !selector.matches(Some(&expected)) {
                errs.push(Cause::invalid_shown(
                    "spec.selector",
                    &selector.go_repr(),
                    "`selector` not auto-generated",
                ));
            }
        }
        validate_job_spec_and_selector(obj, &mut errs);
        errs
    }
    fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        // ValidateJobSpecUpdate validates the spec once more, then what may not change (compared
        // as stored).
        let mut errs = Vec::new();
        validate_job_spec_and_selector(new, &mut errs);
        let new = super::canonical("batch", "v1", "Job", new);
        let new = &new;
        let completions = |o: &Value| o.pointer("/spec/completions").cloned();
        if completions(new) != completions(old) {
            errs.push(Cause::invalid(
                "spec.completions",
                &completions(new).unwrap_or(Value::Null),
                "field is immutable",
            ));
        }
        selector_immutable(new, old, &mut errs);
        if new.pointer("/spec/template") != old.pointer("/spec/template") {
            // kube-apiserver quotes the whole internal template (Go's %#v).
            let template = new.pointer("/spec/template").unwrap_or(&Value::Null);
            let shown = crate::server::go_value::go_value("core.PodTemplateSpec", template);
            errs.push(Cause::invalid_shown(
                "spec.template",
                shown.as_deref().unwrap_or("core.PodTemplateSpec{…}"),
                "field is immutable",
            ));
        }
        errs
    }
}

/// `ValidateJobSpec`: the spec's own rules, then its selector (required, valid, matching the
/// template's labels).
fn validate_job_spec_and_selector(obj: &Value, errs: &mut Vec<Cause>) {
    {
        validate_job_spec(obj, "spec", errs);
        let raw = obj.pointer("/spec/selector").filter(|s| !s.is_null());
        let selector = LabelSelector::from_value(raw);
        match raw {
            None => errs.push(Cause::required("spec.selector")),
            Some(_) => errs.extend(selector.validate("spec.selector")),
        }
        let labels = obj.pointer("/spec/template/metadata/labels");
        if selector.valid() && !selector.matches(labels) {
            errs.push(labels_mismatch(labels));
        }
    }
}

/// A CronJob: concurrent runs allowed, not suspended, three successful and one failed job
/// kept; a valid five-field schedule; its jobs orphaned by default (batch/v1beta1).
struct CronJob;
impl Strategy for CronJob {
    fn validate_status(&self, _new: &Value, _old: &Value) -> Vec<Cause> {
        Vec::new()
    }
    fn default(&self, obj: &mut Value) {
        let Some(spec) = spec_of(obj) else { return };
        set_if_empty(spec, "concurrencyPolicy", json!("Allow"));
        set_default(spec, "suspend", json!(false));
        set_default(spec, "successfulJobsHistoryLimit", json!(3));
        set_default(spec, "failedJobsHistoryLimit", json!(1));
        default_template(obj_entry(obj_entry(spec, "jobTemplate"), "spec"));
    }
    fn prepare_create(&self, obj: &mut Value) {
        reset_status(obj);
    }
    fn orphans_by_default(&self) -> bool {
        true
    }
    fn validate(&self, obj: &Value) -> Vec<Cause> {
        let mut errs = Vec::new();
        // Its jobs are named after it with an 11-character suffix, within a DNS-1035 label.
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if name.len() > 52 {
            errs.push(Cause::invalid(
                "metadata.name",
                &json!(name),
                "must be no more than 52 characters",
            ));
        }
        let schedule = obj
            .pointer("/spec/schedule")
            .and_then(Value::as_str)
            .unwrap_or("");
        if schedule.is_empty() {
            errs.push(Cause::required("spec.schedule"));
        } else if let Some(why) = cron_error(schedule) {
            errs.push(Cause::invalid("spec.schedule", &json!(schedule), &why));
        }
        nonnegative(
            obj,
            "/spec/startingDeadlineSeconds",
            "spec.startingDeadlineSeconds",
            &mut errs,
        );
        let policy = obj
            .pointer("/spec/concurrencyPolicy")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !matches!(policy, "Allow" | "Forbid" | "Replace") {
            errs.push(Cause::not_supported(
                "spec.concurrencyPolicy",
                &json!(policy),
                &["Allow", "Forbid", "Replace"],
            ));
        }
        for k in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
            nonnegative(obj, &format!("/spec/{k}"), &format!("spec.{k}"), &mut errs);
        }
        validate_job_spec(obj, "spec.jobTemplate.spec", &mut errs);
        errs
    }
}

/// What robfig/cron's `ParseStandard` says of a schedule it refuses (the field count and
/// ranges; descriptors such as `@hourly` are accepted).
fn cron_error(schedule: &str) -> Option<String> {
    if schedule.starts_with('@') {
        let ok = [
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
        ]
        .contains(&schedule)
            || schedule.starts_with("@every ");
        return (!ok).then(|| format!("Unrecognized descriptor: {schedule}"));
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "Expected exactly 5 fields, found {}: {schedule}",
            fields.len()
        ));
    }
    let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
    for (field, (lo, hi)) in fields.iter().zip(ranges) {
        for part in field.split(',') {
            let (range, step) = part.split_once('/').unwrap_or((part, "1"));
            if step.parse::<u32>().is_err() {
                return Some(format!(
                    "Failed to parse int from {step}: strconv.Atoi: parsing {step:?}: invalid syntax"
                ));
            }
            if range == "*" || range == "?" {
                continue;
            }
            let (a, b) = range.split_once('-').unwrap_or((range, range));
            for n in [a, b] {
                let named = matches!(
                    n.to_ascii_lowercase().as_str(),
                    "jan"
                        | "feb"
                        | "mar"
                        | "apr"
                        | "may"
                        | "jun"
                        | "jul"
                        | "aug"
                        | "sep"
                        | "oct"
                        | "nov"
                        | "dec"
                        | "sun"
                        | "mon"
                        | "tue"
                        | "wed"
                        | "thu"
                        | "fri"
                        | "sat"
                );
                if named {
                    continue;
                }
                let Ok(v) = n.parse::<u32>() else {
                    return Some(format!(
                        "Failed to parse int from {n}: strconv.Atoi: parsing {n:?}: invalid syntax"
                    ));
                };
                if v < lo {
                    return Some(format!(
                        "Beginning of range ({v}) below minimum ({lo}): {part}"
                    ));
                }
                if v > hi {
                    return Some(format!("End of range ({v}) above maximum ({hi}): {part}"));
                }
            }
        }
    }
    None
}
