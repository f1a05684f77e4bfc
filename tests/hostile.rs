//! Hostile servers: the client must stay bounded, quiet about the key, and precise
//! about what the server's words mean, whatever a server on the other end does.
//! Every test runs the real binary against a real server on 127.0.0.1.

mod support;

use support::*;

#[test]
fn not_found_somewhere_in_a_400_is_not_a_missing_person() {
    let home = Home::new();
    let srv = Recorder::start(vec![Canned::text(400, "Face not found in the image")]);
    let (code, out, err) = run(home
        .cmd_at(&srv.url)
        .args(["-o", "json", "verify", "--id", "1234", "--face"])
        .arg(fixture("face.jpg")));
    assert_eq!(code, 65, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["error"]["kind"], "invalid", "{out}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Face not found in the image"),
        "{out}"
    );
}
