//! `openapi.yaml` and the router agree both ways: every `.route("...")` path and method in
//! `src/api` is documented, and every documented path and method is answered by the router
//! with something other than 404/405 (a handler's own JSON 404 counts when the operation
//! documents a 404). Operations marked `x-watchpost-pending` (built on another branch) must
//! not be answered yet; once they are, the marker has to go.

use super::router;
use super::tests::state;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tower::ServiceExt;

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// `(path, method)` of every `.route(...)` call in the non-test sources under `dir`, with the
/// file it is in; `{*rest}` wildcards written as `{rest}` like OpenAPI does.
fn routed(dir: &Path) -> Vec<(String, String, PathBuf)> {
    let method_call = regex::Regex::new(r"\b(get|post|put|delete|patch|head|options)\(").unwrap();
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.to_string_lossy().ends_with("tests.rs")
            {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (start, _) in text.match_indices(".route(") {
            let call = balanced(&text[start + ".route(".len()..]);
            let Some(path) = call.split('"').nth(1) else {
                continue;
            };
            let path = path.replace("{*", "{");
            for method in method_call.captures_iter(call) {
                out.push((path.clone(), method[1].to_owned(), file.clone()));
            }
        }
    }
    out
}

/// The text up to the parenthesis closing an already opened one.
fn balanced(text: &str) -> &str {
    let mut depth = 1;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &text[..i];
                }
            }
            _ => {}
        }
    }
    text
}

struct Documented {
    path: String,
    method: String,
    uri: String,
    pending: bool,
    documents_404: bool,
}

fn documented(document: &serde_yaml::Value) -> Vec<Documented> {
    let mut out = Vec::new();
    let paths = document["paths"]
        .as_mapping()
        .expect("openapi.yaml has paths");
    for (path, item) in paths {
        let path = path.as_str().unwrap().to_owned();
        let mut uri = path.clone();
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let parameters = operation["parameters"]
                .as_sequence()
                .into_iter()
                .chain(item["parameters"].as_sequence())
                .flatten();
            for parameter in parameters.filter(|p| p["in"] == "path") {
                let name = parameter["name"].as_str().unwrap();
                let example = parameter["example"].as_str().unwrap_or("example");
                uri = uri.replace(&format!("{{{name}}}"), example);
            }
            out.push(Documented {
                path: path.clone(),
                method: (*method).to_owned(),
                uri: uri.clone(),
                pending: operation.get("x-watchpost-pending").is_some(),
                documents_404: operation["responses"].get("404").is_some(),
            });
        }
    }
    out
}

async fn answer(uri: &str, method: &str) -> (StatusCode, bool) {
    let (state, _tx) = state(true);
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let response = router(state).oneshot(request).await.unwrap();
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let json_404 = serde_json::from_slice::<serde_json::Value>(&body)
        .is_ok_and(|v| v["error"]["code"] == "not_found");
    (status, json_404)
}

#[tokio::test]
async fn router_and_openapi_document_agree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("openapi.yaml")).unwrap();
    let document: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let documented = documented(&document);
    let documented_keys: BTreeSet<(String, String)> = documented
        .iter()
        .map(|d| (d.path.clone(), d.method.clone()))
        .collect();
    let mut problems = Vec::new();
    let routes = routed(&root.join("src/api"));
    assert!(
        routes.len() > 20,
        "found too few .route(..) calls: {routes:?}"
    );
    for (path, method, file) in &routes {
        if !documented_keys.contains(&(path.clone(), method.clone())) {
            problems.push(format!(
                "{} {path} is routed in {} but missing from openapi.yaml",
                method.to_uppercase(),
                file.strip_prefix(root).unwrap_or(file).display()
            ));
        }
    }
    let routed_keys: BTreeSet<(String, String)> =
        routes.into_iter().map(|(p, m, _)| (p, m)).collect();
    for op in &documented {
        let (status, json_404) = answer(&op.uri, &op.method).await;
        let unanswered = status == StatusCode::METHOD_NOT_ALLOWED
            || status == StatusCode::NOT_FOUND && !(json_404 && op.documents_404 && !op.pending);
        let method = op.method.to_uppercase();
        let in_source = routed_keys.contains(&(op.path.clone(), op.method.clone()));
        match (op.pending, unanswered) {
            (false, true) => problems.push(format!(
                "openapi.yaml documents {method} {} but the router answers {status} for {} ({})",
                op.path,
                op.uri,
                if in_source {
                    "src/api routes it: check the handler"
                } else {
                    "no `.route(..)` in src/api has it"
                }
            )),
            (true, false) => problems.push(format!(
                "{method} {} is marked x-watchpost-pending in openapi.yaml but the router \
                 answers it ({status}): remove the marker",
                op.path
            )),
            _ => {}
        }
    }
    assert!(
        problems.is_empty(),
        "router and openapi.yaml disagree:\n{}",
        problems.join("\n")
    );
}
