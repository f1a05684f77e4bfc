//! biopass: a client for the BioPassID Multibiometrics API, as a library.
//!
//! This crate is the core under the `biopass` command line: it reads and checks images,
//! builds the wire requests, talks to the service, runs resumable batches and hosts the
//! local sandbox. It has no command-line parsing and prints nothing: every function
//! returns a typed outcome or an [`anyhow::Error`] carrying an [`error::Failure`], and
//! long runs report through [`batch::Reporter`]. The binary (`src/bin/biopass/main.rs` and the
//! modules it declares) parses arguments, resolves settings, renders results and picks
//! the exit code from [`error::kind_of`] and [`error::Status`].
//!
//! The layers, one way: [`images`] (with [`images::prepare`]: metadata removal, upright faces,
//! the `check` report) → [`request`] (files to wire bodies, the table of
//! operations) → [`client`] (the only module that speaks HTTP, with [`messages`], the
//! table of service texts) → [`batch`] (the resumable engine) and [`target`] (where
//! requests go: an endpoint, or the [`sandbox`] started in-process). [`stop`] carries
//! stop requests (Ctrl-C, a closed stdout, run-level failures) between them.
//! [`doctor`] checks a target step by step (DNS, connect, TLS, key) without enrolling
//! anyone.

#![warn(missing_docs)]

pub mod batch;
pub mod client;
pub mod doctor;
pub mod error;
pub mod images;
pub mod messages;
pub mod regular;
pub mod request;
pub mod sandbox;
pub mod sanitize;
pub mod secret;
pub mod stop;
pub mod target;
pub mod time;
pub mod wire;
mod x509;
