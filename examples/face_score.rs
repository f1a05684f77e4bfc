//! Fixture tool, not part of biopass: reads image paths from standard input, one a
//! line, and prints for each the best SeetaFace score found at a low threshold (0.01)
//! on the same downscaled grey copy the face gate uses, and how many faces pass the
//! production threshold. `tests/fixtures/make_faces.py` uses it to search drawing
//! parameters until its synthetic faces pass the gate at the production threshold.
//!
//! cargo run --release --example face_score < paths.txt

use std::io::BufRead;

fn main() {
    let model = rustface::read_model(&include_bytes!("../assets/seeta_fd_frontal_v1.0.bin")[..])
        .expect("model");
    let mut d = rustface::create_detector_with_model(model);
    d.set_min_face_size(biopass::images::face::MIN_DETECT_FACE);
    d.set_score_thresh(0.01);
    d.set_pyramid_scale_factor(0.8);
    d.set_slide_window_step(4, 4);
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let path = line.expect("a line");
        let grey = image::open(&path).expect("an image").to_luma8();
        let small = biopass::images::face::shrink(&grey, biopass::images::face::DETECT_SIDE);
        let img = rustface::ImageData::new(small.as_raw(), small.width(), small.height());
        let found = d.detect(&img);
        let best = found.iter().map(|f| f.score()).fold(0.0f64, f64::max);
        let passing = biopass::images::face::examine(&grey).count;
        println!("{best:.4} {passing}");
    }
}
