//! Request bodies produced as they are sent: the JSON text around each image is kept
//! as it is, and each image is base64-encoded chunk by chunk straight into the frames
//! handed to the connection. No base64 string and no whole JSON body ever exists, so
//! a request in flight costs its image bytes plus a chunk or two, however large the
//! image. The length is known before the first byte goes out (the request carries a
//! `Content-Length`), and a re-send replays the same parts: byte-identical bodies from
//! the one copy of the image bytes.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::{Bytes, BytesMut};

/// The largest frame handed to the connection: 192 KiB of image become 256 KiB of
/// base64 (a 200 KiB photo goes out in two frames; eight requests in flight hold a
/// few MiB of frames at most).
const FRAME: usize = 256 * 1024;

/// A piece of a body: text sent as it is, or bytes sent as standard base64.
#[derive(Clone)]
enum Part {
    Text(Bytes),
    Base64(Bytes),
}

impl Part {
    fn wire_len(&self) -> usize {
        match self {
            Part::Text(t) => t.len(),
            Part::Base64(b) => b.len().div_ceil(3) * 4,
        }
    }
}

/// A request body: cheap to clone (the parts are shared), streamed anew for every
/// attempt with an exact length.
#[derive(Clone)]
pub struct Body {
    parts: Arc<[Part]>,
    len: u64,
    /// The CustomID the body is about, for messages about earlier attempts.
    custom_id: Option<Arc<str>>,
}

impl std::fmt::Debug for Body {
    // Never the content: it holds images.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Body({} bytes)", self.len)
    }
}

impl Body {
    /// A body that is all text (a delete's, a probe's).
    pub fn text(bytes: impl Into<Bytes>, custom_id: Option<&str>) -> Body {
        let mut b = Builder::default();
        b.parts.push(Part::Text(bytes.into()));
        b.finish(custom_id)
    }

    /// The body's length in bytes: what `Content-Length` says.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The CustomID the body names, when it was built for one person.
    pub fn custom_id(&self) -> Option<&str> {
        self.custom_id.as_deref()
    }

    /// The whole body in memory (tests, and small bodies such as `--dry-run`'s).
    pub fn to_vec(&self) -> Vec<u8> {
        let mut s = self.stream();
        let mut out = Vec::with_capacity(self.len as usize);
        while let Some(chunk) = s.next_chunk() {
            out.extend_from_slice(&chunk);
        }
        out
    }

    /// A fresh stream over the body, for one attempt.
    pub(super) fn stream(&self) -> Stream {
        Stream {
            parts: self.parts.clone(),
            part: 0,
            offset: 0,
            remaining: self.len,
        }
    }
}

/// Builds a [`Body`] from text and images, in order.
#[derive(Default)]
pub struct Builder {
    parts: Vec<Part>,
    text: Vec<u8>,
}

impl Builder {
    /// A builder with room for `text` bytes of JSON before the first image.
    pub fn with_capacity(text: usize) -> Builder {
        Builder {
            parts: Vec::new(),
            text: Vec::with_capacity(text),
        }
    }

    /// Append text as it is.
    pub fn text(&mut self, t: &[u8]) {
        self.text.extend_from_slice(t);
    }

    /// Append `s` as a JSON string (quoted and escaped).
    pub fn json_string(&mut self, s: &str) {
        serde_json::to_writer(&mut self.text, s).expect("writing to memory");
    }

    /// Append the standard base64 of `bytes`, encoded only as it is sent.
    pub fn base64(&mut self, bytes: Bytes) {
        self.end_text();
        self.parts.push(Part::Base64(bytes));
    }

    fn end_text(&mut self) {
        if !self.text.is_empty() {
            let t = std::mem::take(&mut self.text);
            self.parts.push(Part::Text(Bytes::from(t)));
        }
    }

    /// The body; `custom_id` is the person it names, if any.
    pub fn finish(mut self, custom_id: Option<&str>) -> Body {
        self.end_text();
        let len = self.parts.iter().map(|p| p.wire_len() as u64).sum();
        Body {
            parts: self.parts.into(),
            len,
            custom_id: custom_id.map(Arc::from),
        }
    }
}

/// One attempt's pass over a [`Body`]: frames of at most [`FRAME`] bytes.
pub(super) struct Stream {
    parts: Arc<[Part]>,
    part: usize,
    /// Position in the current part (for an image: input bytes, a multiple of 3
    /// until its end).
    offset: usize,
    remaining: u64,
}

impl Stream {
    fn next_chunk(&mut self) -> Option<Bytes> {
        if self.remaining == 0 {
            return None;
        }
        // A whole text part that starts a frame goes out as it is, without a copy.
        if let Some(Part::Text(t)) = self.parts.get(self.part)
            && self.offset == 0
            && t.len() >= FRAME
        {
            let t = t.clone();
            self.part += 1;
            self.remaining -= t.len() as u64;
            return Some(t);
        }
        let cap = (self.remaining as usize).min(FRAME);
        let mut buf = BytesMut::with_capacity(cap);
        while buf.len() < cap && self.part < self.parts.len() {
            let room = cap - buf.len();
            match &self.parts[self.part] {
                Part::Text(t) => {
                    let n = room.min(t.len() - self.offset);
                    buf.extend_from_slice(&t[self.offset..self.offset + n]);
                    self.offset += n;
                    if self.offset == t.len() {
                        self.part += 1;
                        self.offset = 0;
                    }
                }
                Part::Base64(b) => {
                    let left = b.len() - self.offset;
                    let take = if left.div_ceil(3) * 4 <= room {
                        left
                    } else {
                        room / 4 * 3
                    };
                    if take == 0 && left > 0 {
                        break; // less than one group of room: the next frame
                    }
                    let start = buf.len();
                    buf.resize(start + take.div_ceil(3) * 4, 0);
                    STANDARD
                        .encode_slice(&b[self.offset..self.offset + take], &mut buf[start..])
                        .expect("sized for the padded encoding");
                    self.offset += take;
                    if self.offset == b.len() {
                        self.part += 1;
                        self.offset = 0;
                    }
                }
            }
        }
        self.remaining -= buf.len() as u64;
        Some(buf.freeze())
    }
}

impl http_body::Body for Stream {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(
            self.get_mut()
                .next_chunk()
                .map(|c| Ok(http_body::Frame::data(c))),
        )
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(b: &[u8]) -> String {
        STANDARD.encode(b)
    }

    #[test]
    fn streams_exactly_the_text_and_base64() {
        // Sizes around the frame and group boundaries, several images in a row.
        for n in [
            0usize,
            1,
            2,
            3,
            4,
            FRAME / 4 * 3 - 1,
            FRAME / 4 * 3,
            FRAME / 4 * 3 + 1,
            200_001,
        ] {
            let img: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            let mut b = Builder::default();
            b.text(b"{\"a\":\"");
            b.base64(Bytes::from(img.clone()));
            b.text(b"\",\"b\":\"");
            b.base64(Bytes::from(img.clone()));
            b.text(b"\"}");
            let body = b.finish(Some("7"));
            let want = format!("{{\"a\":\"{}\",\"b\":\"{}\"}}", b64(&img), b64(&img));
            assert_eq!(body.len(), want.len() as u64, "{n}");
            let got = body.to_vec();
            assert!(got == want.as_bytes(), "{n}");
            // Every frame within bounds, and the stream says how much is left.
            let mut s = body.stream();
            let mut seen = 0u64;
            while let Some(c) = s.next_chunk() {
                assert!(!c.is_empty() && c.len() <= FRAME);
                seen += c.len() as u64;
                assert_eq!(
                    http_body::Body::size_hint(&s).exact(),
                    Some(body.len() - seen)
                );
            }
            assert_eq!(seen, body.len());
            // A second pass (a re-send) gives the same bytes.
            assert!(body.to_vec() == got);
        }
        let t = Body::text(&b"{}"[..], None);
        assert_eq!((t.len(), t.to_vec()), (2, b"{}".to_vec()));
    }
}
