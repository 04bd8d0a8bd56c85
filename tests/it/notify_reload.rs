//! A reload applies a changed `notify:` section: after the route moves from `hook` to `hook2`,
//! a test notification routed by the tree reaches `hook2`; a bad section is rejected with its
//! error and the running one keeps working.

use crate::notify_api::{call, config_text, start, start_receivers, webhook};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_applies_new_receivers_and_routes_and_rejects_a_bad_section() {
    let (base, received) = start_receivers().await;
    let receivers = format!("{}{}", webhook("hook", &base), webhook("hook2", &base));
    let watchpost = start(tempfile::tempdir().unwrap(), &receivers, "hook", "");
    watchpost.wait_ready().await;
    let post = reqwest::Method::POST;
    let (status, reply) = call(&watchpost, post.clone(), "/api/v1/alerts/test", json!({})).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"][0]["receiver"], "hook", "{reply}");
    received
        .wait_for("hook", "WatchpostTestNotification", "firing")
        .await;

    let config_path = watchpost.dir().join("watchpost.yml");
    std::fs::write(
        &config_path,
        config_text(watchpost.dir(), &receivers, "hook2", ""),
    )
    .unwrap();
    let (status, reply) = call(&watchpost, post.clone(), "/-/reload", json!({})).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = call(&watchpost, post.clone(), "/api/v1/alerts/test", json!({})).await;
    assert_eq!(
        (status, &reply["data"][0]["receiver"]),
        (200, &json!("hook2")),
        "{reply}"
    );
    received
        .wait_for("hook2", "WatchpostTestNotification", "firing")
        .await;

    std::fs::write(
        &config_path,
        config_text(watchpost.dir(), &receivers, "nobody", ""),
    )
    .unwrap();
    let (status, reply) = call(&watchpost, post.clone(), "/-/reload", json!({})).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply["errors"].to_string().contains("nobody"), "{reply}");
    let (status, reply) = call(&watchpost, post, "/api/v1/alerts/test", json!({})).await;
    assert_eq!(
        (status, &reply["data"][0]["receiver"]),
        (200, &json!("hook2")),
        "{reply}"
    );
}
