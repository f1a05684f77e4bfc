//! Operator conveniences (issue 9): spreadsheet manifests, help and version, the man
//! page, sandbox reset and status, completions, packaging.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Copy the face fixture into `dir` and write `text` as the manifest `name` there.
fn sheet(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::copy(fixture("face.jpg"), dir.join("face.jpg")).unwrap();
    std::fs::copy(fixture("finger1.png"), dir.join("ri.png")).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn enrolled(s: &Served) -> Vec<String> {
    let e: std::collections::BTreeMap<String, u64> =
        serde_json::from_value(s.stats()["enrolls"].clone()).unwrap();
    e.into_keys().collect()
}

#[test]
fn semicolon_csv_with_extra_columns_enrolls_and_warns_once() {
    let home = Home::new();
    let s = serve(&home, &[]);
    // A pt-BR spreadsheet export: BOM, semicolons, CRLF, a comma inside a value.
    let m = sheet(
        home.path(),
        "pessoas.csv",
        "\u{feff}id;nome;face;right-index;obs\r\nA1;Ana, a primeira;face.jpg;ri.png;x\r\nA2;Bia;face.jpg;;\r\n",
    );
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert_eq!(enrolled(&s), ["A1", "A2"]);
    let warnings: Vec<_> = err
        .lines()
        .filter(|l| l.contains("ignoring column"))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning: {err}");
    assert!(
        warnings[0].contains("'nome', 'obs'"),
        "names the columns: {err}"
    );
}

#[test]
fn tsv_by_extension_and_delimiter_by_option() {
    let home = Home::new();
    let s = serve(&home, &[]);
    let m = sheet(home.path(), "people.tsv", "id\tface\nT1\tface.jpg\n");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    let m = sheet(home.path(), "pipes.csv", "id|face\nP1|face.jpg\n");
    let (code, _, err) = run(s
        .cmd(&home)
        .args(["enroll", "--delimiter", "|", "--from"])
        .arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(enrolled(&s), ["P1", "T1"]);
    // Without it, "id|face" is one column and there is no id column: 65, nothing sent.
    let m = sheet(home.path(), "pipes2.csv", "id|face\nP2|face.jpg\n");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 65, "{err}");
    assert_eq!(enrolled(&s), ["P1", "T1"]);
}

#[test]
fn misspelt_image_column_is_an_error_naming_what_it_meant() {
    let home = Home::new();
    let s = serve(&home, &[]);
    for (text, bad, meant) in [
        ("id,fcae\nX1,face.jpg\n", "fcae", "face"),
        (
            "id;face;rigth-index\nX1;face.jpg;ri.png\n",
            "rigth-index",
            "right-index",
        ),
    ] {
        let m = sheet(home.path(), "typo.csv", text);
        let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
        assert_eq!(code, 65, "{text}: {err}");
        assert_eq!(out, "");
        assert!(
            err.contains(&format!("'{bad}': did you mean '{meant}'?")),
            "{text}: {err}"
        );
        let _ = std::fs::remove_file(home.path().join("typo.csv.enroll.journal"));
    }
    assert!(enrolled(&s).is_empty(), "nothing sent");
}

#[test]
fn delimiter_is_a_batch_option() {
    let home = Home::new();
    let (code, _, err) = run(home.cmd().args(["enroll", "--id", "1", "--delimiter", ";"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--delimiter is a batch option"), "{err}");
    let (code, _, err) = run(home
        .cmd()
        .args(["enroll", "--from", "m.csv", "--delimiter", "ab"]));
    assert_eq!(code, 2, "{err}");
}
