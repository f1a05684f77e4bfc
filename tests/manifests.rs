//! Manifests as operators have them: one rule for ids on the command line and in
//! every manifest, legacy encodings (Windows-1252, UTF-16, Excel's `sep=` line),
//! workbooks, and journals written before the column table resuming with nothing sent.

mod support;

use std::path::{Path, PathBuf};

use support::*;

/// Put the fixture images beside a manifest: face.jpg, face2.jpg, finger1.png.
fn images(dir: &Path) {
    for f in ["face.jpg", "face2.jpg", "finger1.png"] {
        std::fs::copy(fixture(f), dir.join(f)).unwrap();
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn stat(s: &Served, what: &str) -> u64 {
    s.stats()[what].as_u64().unwrap()
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut b = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    b
}

/// `text` in Windows-1252 (for the Latin-1 letters the tests use).
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| {
            let n = c as u32;
            assert!(n < 0x80 || (0xA0..=0xFF).contains(&n), "{c:?}");
            n as u8
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// One person spec: the command line and the manifest judge an id the same way.

#[test]
fn an_id_is_trimmed_on_both_paths_and_sent_and_shown_as_trimmed() {
    let home = Home::new();
    images(home.path());
    let s = serve(&home, &[]);
    let m = write(home.path(), "people.csv", "id,face\n\" S1 \",face.jpg\n");
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "S1\tenrolled\t1\n");
    // The same id typed with spaces on the command line is the same person.
    let (code, out, err) = run(s
        .cmd(&home)
        .args(["verify", "--id", " S1 ", "--face"])
        .arg(home.path().join("face.jpg")));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("match"), "{out}");
    let (code, out, err) = run(s.cmd(&home).args(["delete", "--id", "  S1\t"]));
    assert_eq!((code, out.as_str()), (0, "S1\n"), "{err}");
    let enrolls: serde_json::Value = s.stats()["enrolls"].clone();
    assert_eq!(enrolls, serde_json::json!({"S1": 1}));
}

#[test]
fn an_id_with_a_control_or_bidi_character_is_refused_on_both_paths() {
    let home = Home::new();
    images(home.path());
    let face = home.path().join("face.jpg");
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    for (id, shown) in [
        ("a\tb", "U+0009 (a control character) at character 2"),
        (
            "a\u{202E}b",
            "U+202E (a bidirectional control) at character 2",
        ),
        ("x\u{1b}[31m", "U+001B (a control character) at character 2"),
    ] {
        let (code, out, err) = run(home
            .cmd_at(&r.url)
            .args(["enroll", "--id", id, "--face"])
            .arg(&face));
        assert_eq!((code, out.as_str()), (65, ""), "{id:?}: {err}");
        assert!(
            err.contains(&format!("--id: the id holds {shown}: ids are sent and shown exactly as they are, so remove it")),
            "{id:?}: {err}"
        );
        let (code, _, err) = run(home.cmd_at(&r.url).args(["delete", "--id", id]));
        assert_eq!(code, 65, "{err}");
        assert!(err.contains(shown), "{err}");
        // The same id in a manifest: the row is invalid, nothing is sent.
        let m = write(
            home.path(),
            "people.csv",
            format!("id,face\n\"{id}\",face.jpg\nok,face.jpg\n"),
        );
        let (code, out, err) = run(home.cmd_at(&r.url).args(["enroll", "--from"]).arg(&m));
        assert_eq!((code, out.as_str()), (65, ""), "{id:?}: {err}");
        assert!(
            err.contains("people.csv:2: invalid: id 'a")
                || err.contains("people.csv:2: invalid: id 'x"),
            "{err}"
        );
        assert!(err.contains(&format!("the id holds {shown}")), "{err}");
        let m = write(
            home.path(),
            "people.jsonl",
            format!("{}\n", serde_json::json!({"id": id, "face": "face.jpg"})),
        );
        let (code, _, err) = run(home.cmd_at(&r.url).args(["enroll", "--from"]).arg(&m));
        assert_eq!(code, 65, "{err}");
        assert!(err.contains("people.jsonl:1: invalid: id '"), "{err}");
        assert!(err.contains(&format!("the id holds {shown}")), "{err}");
    }
    // Empty stays a usage error on the command line, "no id" in a manifest.
    let (code, _, err) = run(home.cmd_at(&r.url).args(["delete", "--id", "  "]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--id must not be empty"), "{err}");
}

#[test]
fn a_json_lines_id_must_be_a_string() {
    let home = Home::new();
    images(home.path());
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    let m = write(
        home.path(),
        "people.jsonl",
        "{\"id\":1.5e3,\"face\":\"face.jpg\"}\n{\"id\":12345678901234567890123,\"face\":\"face.jpg\"}\n{\"id\":\"1500\",\"face\":\"face.jpg\"}\n",
    );
    let (code, out, err) = run(home.cmd_at(&r.url).args(["enroll", "--from"]).arg(&m));
    assert_eq!((code, out.as_str()), (65, ""), "{err}");
    for line in [1, 2] {
        assert!(
            err.contains(&format!(
                "people.jsonl:{line}: invalid: \"id\" is a number: write it as a JSON string, quoted (\"id\":\"00123\"), so that it is sent exactly as written"
            )),
            "{err}"
        );
    }
    assert!(!err.contains("people.jsonl:3"), "{err}");
}

// ---------------------------------------------------------------------------------
// Journals written by the version before the column table (tests/fixtures/legacy).

/// Lay out a legacy manifest and its journal, aimed at `url`.
fn legacy(dir: &Path, manifest: &str, op: &str, url: &str) {
    images(dir);
    let src = fixture("legacy");
    // The faces those journals fingerprinted (the fixture faces of that day; today's
    // are drawn for the face gate).
    for f in ["face.jpg", "face2.jpg"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    std::fs::copy(src.join(manifest), dir.join(manifest)).unwrap();
    let journal = format!("{manifest}.{op}.journal");
    let text = std::fs::read_to_string(src.join(&journal)).unwrap();
    // The journal was written against a sandbox on port 47311: the same run, here.
    let text = text.replace("http://127.0.0.1:47311", url);
    write(dir, &journal, text);
}

#[test]
fn a_journal_written_before_the_column_table_resumes_with_nothing_sent() {
    for (manifest, op) in [
        ("people.csv", "enroll"),
        ("people.jsonl", "enroll"),
        ("people.csv", "delete"),
    ] {
        let home = Home::new();
        let r = Recorder::start(vec![Canned::json(500, "{}")]);
        r.expect_no_requests();
        legacy(home.path(), manifest, op, &r.url);
        let (code, out, err) = run(home
            .cmd_at(&r.url)
            .current_dir(home.path())
            .args([op, "--from", manifest]));
        assert_eq!((code, out.as_str()), (0, ""), "{manifest} {op}: {err}");
        assert!(err.contains("nothing to do"), "{manifest} {op}: {err}");
        assert!(!err.contains("changed"), "{manifest} {op}: {err}");
    }
}

// ---------------------------------------------------------------------------------
// CSV encodings.

#[test]
fn a_windows_1252_export_with_sep_line_and_crlf_enrolls_with_its_accents() {
    let home = Home::new();
    images(home.path());
    let s = serve(&home, &[]);
    // Excel pt-BR: "CSV (separado por vírgulas)": Windows-1252, `;`, CRLF, sep= line.
    let text = "sep=;\r\nid;face;nome\r\nJoão;face.jpg;João da Silva\r\nA2;face2.jpg;Conceição\r\n";
    let m = write(home.path(), "people.csv", cp1252(text));
    let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    let mut lines: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    lines.sort();
    assert_eq!(
        lines,
        ["A2", "João"],
        "the id sent and shown as decoded text"
    );
    let enrolls = &s.stats()["enrolls"];
    assert_eq!(enrolls["João"], 1, "{enrolls}");
    assert!(err.contains("ignoring column(s) 'nome'"), "{err}");
    // A second run finds the same ids and fingerprints: nothing to do.
    let before = stat(&s, "requests");
    let (code, _, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to do"), "{err}");
    assert_eq!(stat(&s, "requests"), before);
}

#[test]
fn utf16_le_and_be_exports_read_like_utf8() {
    for le in [true, false] {
        let home = Home::new();
        images(home.path());
        let s = serve(&home, &[]);
        let text = "id\tface\tright-index\tnome\r\nZoë\tface.jpg\tfinger1.png\tZoë\r\nB2\tface2.jpg\t\t\r\n";
        let m = write(home.path(), "people.csv", utf16(text, le));
        let (code, out, err) = run(s.cmd(&home).args(["enroll", "--from"]).arg(&m));
        assert_eq!(code, 0, "le {le}: {err}");
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.contains("Zoë\tenrolled\t"), "{out}");
        assert_eq!(s.stats()["enrolls"]["Zoë"], 1);
    }
}

#[test]
fn forced_utf8_names_the_line_and_how_to_export_and_ignored_columns_never_count() {
    let home = Home::new();
    images(home.path());
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    let m = write(
        home.path(),
        "people.csv",
        cp1252("id,face,nome\nA1,face.jpg,João\nJoão,face.jpg,x\n"),
    );
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--encoding", "utf-8", "--from"])
        .arg(&m));
    assert_eq!((code, out.as_str()), (65, ""), "{err}");
    assert!(
        err.contains("people.csv:3: invalid: the id value is not UTF-8 text: save the sheet as \"CSV UTF-8 (Comma delimited)\" in Excel (File > Save As), or give --encoding utf-8, utf-16 or windows-1252"),
        "{err}"
    );
    assert!(
        !err.contains("people.csv:2"),
        "an ignored column's bytes do not count: {err}"
    );
    // The same file, its encoding told from the bytes, or forced: every row reads.
    for forced in [&[][..], &["--encoding", "windows-1252"][..]] {
        let (code, out, err) = run(home
            .cmd_at(&r.url)
            .arg("--dry-run")
            .arg("enroll")
            .args(forced)
            .arg("--from")
            .arg(&m));
        assert_eq!(code, 0, "{forced:?}: {err}");
        assert_eq!(out, "A1\tplanned\nJoão\tplanned\n", "{forced:?}");
    }
    // --encoding is for CSV only.
    let j = write(
        home.path(),
        "people.jsonl",
        "{\"id\":\"1\",\"face\":\"face.jpg\"}\n",
    );
    let (code, _, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--encoding", "utf-16", "--from"])
        .arg(&j));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--encoding applies to CSV manifests"), "{err}");
}

#[test]
fn a_sep_line_sets_the_delimiter_and_lines_still_count_from_the_file() {
    let home = Home::new();
    images(home.path());
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    // `sep=|` names a delimiter the header alone would not have told.
    let m = write(
        home.path(),
        "people.csv",
        "\u{feff}\"sep=|\"\nid|face\nA1|face.jpg\nA2|missing.jpg\n",
    );
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&m));
    assert_eq!((code, out.as_str()), (65, ""), "{err}");
    assert!(err.contains("people.csv:4: invalid: "), "{err}");
    assert!(err.contains("missing.jpg"), "{err}");
    assert!(!err.contains("people.csv:3"), "{err}");
}

// ---------------------------------------------------------------------------------
// Workbooks.

/// A workbook as operators keep them: a text id column, accented names, an empty
/// cell, an ignored column, and a formula whose saved value is a file name.
fn workbook(path: &Path, numeric_id_row: bool) {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet().set_name("Pessoas").unwrap();
    for (c, h) in ["id", "nome", "face", "right-index"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string_with_format(1, 0, "00123", &text).unwrap();
    ws.write_string(1, 1, "João").unwrap();
    ws.write_string(1, 2, "face.jpg").unwrap();
    ws.write_string(1, 3, "finger1.png").unwrap();
    ws.write_string_with_format(2, 0, "Conceição", &text)
        .unwrap();
    // A formula: the workbook saved its value, which is what is read.
    ws.write_formula(
        2,
        2,
        Formula::new("=\"face2\"&\".jpg\"").set_result("face2.jpg"),
    )
    .unwrap();
    if numeric_id_row {
        ws.write_number(3, 0, 456.0).unwrap();
        ws.write_string(3, 2, "face.jpg").unwrap();
    }
    let other = wb.add_worksheet().set_name("Outra").unwrap();
    other.write_string(0, 0, "id").unwrap();
    other.write_string(0, 1, "face").unwrap();
    other.write_string(1, 0, "Z9").unwrap();
    other.write_string(1, 1, "face.jpg").unwrap();
    wb.save(path).unwrap();
}

#[test]
fn a_workbook_enrolls_from_its_first_sheet_and_resumes_with_nothing_sent() {
    let home = Home::new();
    let dir = home.path().join("sheets");
    std::fs::create_dir(&dir).unwrap();
    images(&dir);
    let book = dir.join("people.xlsx");
    workbook(&book, false);
    let s = serve(&home, &[]);
    // Run from elsewhere: image paths are relative to the workbook's folder.
    let (code, out, err) =
        run(s
            .cmd(&home)
            .current_dir(home.path())
            .args(["enroll", "--from", "sheets/people.xlsx"]));
    assert_eq!(code, 0, "{err}");
    let mut ids: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["00123", "Conceição"]);
    assert!(
        err.contains("warning: manifest sheets/people.xlsx:Pessoas: ignoring column(s) 'nome'"),
        "{err}"
    );
    assert!(
        err.contains("journal: sheets/people.xlsx.enroll.journal"),
        "{err}"
    );
    let before = stat(&s, "requests");
    let (code, out, err) =
        run(s
            .cmd(&home)
            .current_dir(home.path())
            .args(["enroll", "--from", "sheets/people.xlsx"]));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("nothing to do"), "{err}");
    assert_eq!(stat(&s, "requests"), before, "a resume sends nothing");
    // Another sheet by name.
    let (code, out, err) = run(s.cmd(&home).current_dir(home.path()).args([
        "--dry-run",
        "enroll",
        "--sheet",
        "Outra",
        "--from",
        "sheets/people.xlsx",
    ]));
    assert_eq!((code, out.as_str()), (0, "Z9\tplanned\n"), "{err}");
}

#[test]
fn a_numeric_id_cell_is_refused_saying_to_format_the_column_as_text() {
    let home = Home::new();
    images(home.path());
    let book = home.path().join("people.xlsx");
    workbook(&book, true);
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    let (code, out, err) = run(home.cmd_at(&r.url).args(["enroll", "--from"]).arg(&book));
    assert_eq!((code, out.as_str()), (65, ""), "{err}");
    assert!(
        err.contains(&format!(
            "{}:Pessoas:4: invalid: the id cell A4 holds the number 456, not text: format the id column as Text (Format Cells > Text) and type the ids again, as a number loses leading zeros and the digits of long ids",
            book.display()
        )),
        "{err}"
    );
    // A sheet that is not there, and options that are not for workbooks.
    let (code, _, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--sheet", "Nope", "--from"])
        .arg(&book));
    assert_eq!(code, 66, "{err}");
    assert!(
        err.contains("it has no sheet 'Nope': its sheets are 'Pessoas', 'Outra'"),
        "{err}"
    );
    let (code, _, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--delimiter", ";", "--from"])
        .arg(&book));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--delimiter applies to CSV manifests"),
        "{err}"
    );
    // A CSV given as a workbook.
    let csv = write(home.path(), "people.csv", "id,face\n1,face.jpg\n");
    let (code, _, err) = run(home
        .cmd_at(&r.url)
        .args(["enroll", "--format", "xlsx", "--from"])
        .arg(&csv));
    assert_eq!(code, 66, "{err}");
    assert!(err.contains("not a readable .xlsx workbook"), "{err}");
}

#[test]
fn an_ods_workbook_reads_like_an_xlsx() {
    let home = Home::new();
    images(home.path());
    let book = home.path().join("people.ods");
    ods(
        &book,
        &[
            &["id", "face", "nome"],
            &["O1", "face.jpg", "Zoë"],
            &["", "", ""],
            &["O2", "face2.jpg", ""],
        ],
    );
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&book));
    assert_eq!(
        (code, out.as_str()),
        (0, "O1\tplanned\nO2\tplanned\n"),
        "{err}"
    );
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["check", "-o", "json", "--from"])
        .arg(&book));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    // The id rule holds in a workbook too: trimmed, and no control characters.
    ods(
        &book,
        &[
            &["id", "face"],
            &[" O3 ", "face.jpg"],
            &["a\tb", "face.jpg"],
        ],
    );
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--skip-invalid", "--from"])
        .arg(&book));
    assert_eq!((code, out.as_str()), (0, "O3\tplanned\n"), "{err}");
    assert!(
        err.contains(
            ":Folha1:3: would skip, invalid: id 'a b': the id holds U+0009 (a control character) at character 2"
        ),
        "{err}"
    );
}

/// A minimal OpenDocument spreadsheet of text cells (what LibreOffice saves, less
/// its styles), zipped without compression.
fn ods(path: &Path, rows: &[&[&str]]) {
    use std::io::Write;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in *row {
            if cell.is_empty() {
                table.push_str("<table:table-cell/>");
            } else {
                table.push_str(&format!(
                    "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
                    esc(cell)
                ));
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
<office:body><office:spreadsheet><table:table table:name=\"Folha1\">{table}</table:table>\
</office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
<manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
</manifest:manifest>";
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        z.start_file(name, stored).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_stray_cell_far_away_costs_nothing_and_a_workbook_reads_from_stdin() {
    use rust_xlsxwriter::Workbook;
    let home = Home::new();
    images(home.path());
    let book = home.path().join("people.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "face").unwrap();
    ws.write_string(1, 0, "W1").unwrap();
    ws.write_string(1, 1, "face.jpg").unwrap();
    // The last cell of the sheet: a grid of the whole sheet would be 17 billion cells.
    ws.write_string(1_048_575, 16_383, "note").unwrap();
    wb.save(&book).unwrap();
    let r = Recorder::start(vec![Canned::json(200, "{}")]);
    r.expect_no_requests();
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--from"])
        .arg(&book));
    assert_eq!((code, out.as_str()), (65, ""), "{err}");
    assert!(
        err.contains(&format!(
            "{}:Sheet1:1048576: invalid: no id",
            book.display()
        )),
        "a row with only an ignored cell is a row without an id, as in a CSV: {err}"
    );
    // Standard input, with the format given (nothing to tell it from).
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "face").unwrap();
    ws.write_string(1, 0, "W1").unwrap();
    ws.write_string(1, 1, home.path().join("face.jpg").to_str().unwrap())
        .unwrap();
    wb.save(&book).unwrap();
    let (code, out, err) = run(home
        .cmd_at(&r.url)
        .args(["--dry-run", "enroll", "--format", "xlsx", "--journal"])
        .arg(home.path().join("j"))
        .args(["--from", "-"])
        .pipe_stdin(&book)
        .unwrap());
    assert_eq!((code, out.as_str()), (0, "W1\tplanned\n"), "{err}");
}
