//! The steps of resolving the command line, environment and config file into
//! [`Settings`]: the config file in use, the profile, then each group of settings,
//! each recording where its values came from for `config show`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use clap::ArgMatches;
use clap::parser::ValueSource;

use super::{Endpoint, HML_URL, Origin, PRODUCTION_URL, Settings};
use crate::cli::{EnvName, GlobalArgs, OutputFormat};
use crate::config_file::{
    ConfigFile, Profile, check_key_holder, config_err, config_path, expand, load_config,
    read_config,
};
use crate::values::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_IMAGE_BYTES, DEFAULT_TIMEOUT, parse_duration,
    parse_max_dimension, parse_max_image_bytes,
};

fn source(m: &ArgMatches, id: &str, flag: &'static str, env: &'static str) -> Origin {
    match m.value_source(id) {
        Some(ValueSource::EnvVariable) => Origin::Env(env),
        _ => Origin::Flag(flag),
    }
}

/// flag/env value if present, else the profile's, else the default.
fn pick<T>(
    m: &ArgMatches,
    id: &str,
    flag: &'static str,
    env: &'static str,
    arg: Option<T>,
    profile: Option<T>,
    default: T,
) -> (T, Origin) {
    match (arg, profile) {
        (Some(v), _) => (v, source(m, id, flag, env)),
        (None, Some(v)) => (v, Origin::Profile),
        (None, None) => (default, Origin::Default),
    }
}

impl Settings {
    /// The steps, in the order their errors are reported and their rows are shown by
    /// `config show`: the config file, the profile, then each group of settings.
    pub(super) fn resolve_with(g: &GlobalArgs, m: &ArgMatches, tolerant: bool) -> Result<Settings> {
        let file = ConfigInUse::read(g, tolerant)?;
        let (profile_name, profile) = select_profile(g, &file)?;
        let mut r = Resolver {
            g,
            m,
            profile: &profile,
            profile_name: &profile_name,
            base: file.path.parent().unwrap_or(Path::new(".")),
            origins: Vec::new(),
        };
        let (env, endpoint) = r.target()?;
        let (timeout, connect_timeout) = r.timeouts()?;
        let output = r.output();
        let images = r.images()?;
        let ca_cert = r.ca_cert();
        let origins = r.origins;
        Ok(Settings {
            config_found: file.config.is_some(),
            config_path: file.path,
            env,
            endpoint,
            timeout,
            connect_timeout,
            output,
            max_image_bytes: images.max_image_bytes,
            keep_metadata: images.keep_metadata,
            max_dimension: images.max_dimension,
            face_check: images.face_check,
            ca_cert,
            verbose: g.verbose,
            quiet: g.quiet,
            dry_run: g.dry_run,
            origins,
            profile,
            profile_name,
            api_key_file_arg: key_file_arg(g, m),
            config_problem: file.problem,
        })
    }
}

/// The config file in use, as read.
struct ConfigInUse {
    path: PathBuf,
    /// `None` when there is no file (allowed unless it was named explicitly).
    config: Option<ConfigFile>,
    /// What is wrong with it that only `config show` tolerates
    /// ([`Settings::config_problem`]).
    problem: Option<String>,
}

impl ConfigInUse {
    /// Find and read the config file. `tolerant` (`config show`): a file holding a
    /// key that others can read is read anyway, and the problem kept to be named.
    fn read(g: &GlobalArgs, tolerant: bool) -> Result<ConfigInUse> {
        let (path, explicit) = config_path(g);
        let (config, problem) = if tolerant {
            match read_config(&path, explicit)? {
                Some(cfg) => {
                    let problem = check_key_holder(&path, &cfg)
                        .err()
                        .map(|e| format!("{e:#}"));
                    (Some(cfg), problem)
                }
                None => (None, None),
            }
        } else {
            (load_config(&path, explicit)?, None)
        };
        Ok(ConfigInUse {
            path,
            config,
            problem,
        })
    }
}

/// The profile: --profile/BIOPASS_PROFILE, else default_profile, else "default".
/// A profile named explicitly must exist; the implicit "default" may not.
fn select_profile(g: &GlobalArgs, file: &ConfigInUse) -> Result<(String, Profile)> {
    let empty = ConfigFile::default();
    let cfg = file.config.as_ref().unwrap_or(&empty);
    let (profile_name, named) = match (&g.profile, &cfg.default_profile) {
        (Some(p), _) => (p.clone(), true),
        (None, Some(p)) => (p.clone(), true),
        (None, None) => ("default".to_string(), false),
    };
    let profile = match cfg.profiles.get(&profile_name) {
        Some(p) => p.clone(),
        None if named => {
            let known: Vec<_> = cfg.profiles.keys().map(String::as_str).collect();
            return Err(config_err(format!(
                "no profile '{profile_name}' in {} (profiles: {})",
                file.path.display(),
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
        None => Profile::default(),
    };
    Ok((profile_name, profile))
}

/// `--api-key-file` (or `BIOPASS_API_KEY_FILE`) and which of the two gave it; read
/// only when the key is looked up ([`Settings::api_key`]).
fn key_file_arg(g: &GlobalArgs, m: &ArgMatches) -> Option<(String, Origin)> {
    g.api_key_file.clone().map(|f| {
        (
            f,
            source(m, "api_key_file", "--api-key-file", "BIOPASS_API_KEY_FILE"),
        )
    })
}

/// What each step of [`Settings::resolve_with`] reads (the command line and the
/// chosen profile), and the `config show` rows the steps add, in display order.
struct Resolver<'a> {
    g: &'a GlobalArgs,
    m: &'a ArgMatches,
    profile: &'a Profile,
    profile_name: &'a str,
    /// The config file's folder: relative paths in the profile are based there.
    base: &'a Path,
    /// (setting, shown value, origin), see [`Settings::origins`].
    origins: Vec<(&'static str, String, Origin)>,
}

/// The image settings, resolved together (see [`Resolver::images`]).
struct ImageSettings {
    max_image_bytes: u64,
    keep_metadata: bool,
    max_dimension: Option<u32>,
    face_check: bool,
}

impl Resolver<'_> {
    fn show(&mut self, setting: &'static str, value: String, origin: Origin) {
        self.origins.push((setting, value, origin));
    }

    /// A configuration error about a profile value.
    fn bad_profile_value(&self, key: &str, e: impl fmt::Display) -> anyhow::Error {
        config_err(format!("{key} in profile '{}': {e}", self.profile_name))
    }

    /// Where requests go: the env, and the endpoint (given, or the env's own).
    fn target(&mut self) -> Result<(EnvName, Endpoint)> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let (env, env_o) = pick(
            m,
            "env",
            "--env",
            "BIOPASS_ENV",
            g.env,
            profile.env,
            EnvName::Production,
        );
        // A profile's endpoint belongs with the profile's env: choosing another env by
        // flag or variable must not keep sending to the profile's URL (a profile
        // pointing at production would otherwise catch `--env sandbox`).
        let profile_endpoint = match env_o {
            Origin::Profile | Origin::Default => profile.endpoint.clone(),
            _ => None,
        };
        let (endpoint_str, endpoint_o) = pick(
            m,
            "endpoint",
            "--endpoint",
            "BIOPASS_ENDPOINT",
            g.endpoint.clone(),
            profile_endpoint,
            String::new(),
        );
        let endpoint = if !endpoint_str.is_empty() {
            let url = endpoint_str.trim_end_matches('/').to_string();
            biopass::client::check_endpoint(&url).map_err(|mut f| {
                if let Origin::Env(var) = endpoint_o {
                    f.message = format!("environment variable {var}: {}", f.message);
                }
                f
            })?;
            Endpoint::Url(url)
        } else {
            match env {
                EnvName::Production => Endpoint::Url(PRODUCTION_URL.into()),
                EnvName::Hml => Endpoint::Url(HML_URL.into()),
                EnvName::Sandbox => Endpoint::EmbeddedSandbox,
            }
        };
        self.show("env", format!("{env:?}").to_lowercase(), env_o);
        self.show(
            "endpoint",
            match &endpoint {
                Endpoint::Url(u) => u.clone(),
                Endpoint::EmbeddedSandbox => "in-process sandbox on 127.0.0.1".into(),
            },
            if endpoint_str.is_empty() {
                Origin::Default
            } else {
                endpoint_o
            },
        );
        Ok((env, endpoint))
    }

    /// `--timeout` and `--connect-timeout`.
    fn timeouts(&mut self) -> Result<(Duration, Duration)> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let prof_dur = |v: Option<f64>, key: &str| -> Result<Option<Duration>> {
            v.map(|s| parse_duration(&s.to_string()).map_err(|e| self.bad_profile_value(key, e)))
                .transpose()
        };
        let (timeout, timeout_o) = pick(
            m,
            "timeout",
            "--timeout",
            "BIOPASS_TIMEOUT",
            g.timeout,
            prof_dur(profile.timeout, "timeout")?,
            DEFAULT_TIMEOUT,
        );
        let (connect_timeout, connect_o) = pick(
            m,
            "connect_timeout",
            "--connect-timeout",
            "BIOPASS_CONNECT_TIMEOUT",
            g.connect_timeout,
            prof_dur(profile.connect_timeout, "connect_timeout")?,
            DEFAULT_CONNECT_TIMEOUT,
        );
        self.show("timeout", format!("{}s", timeout.as_secs_f64()), timeout_o);
        self.show(
            "connect_timeout",
            format!("{}s", connect_timeout.as_secs_f64()),
            connect_o,
        );
        Ok((timeout, connect_timeout))
    }

    /// `--output`.
    fn output(&mut self) -> OutputFormat {
        let (output, output_o) = pick(
            self.m,
            "output",
            "--output",
            "BIOPASS_OUTPUT",
            self.g.output,
            self.profile.output,
            OutputFormat::Text,
        );
        self.show("output", format!("{output:?}").to_lowercase(), output_o);
        output
    }

    /// How images are prepared: size limit, metadata, dimension cap, face gate.
    fn images(&mut self) -> Result<ImageSettings> {
        let (g, m, profile) = (self.g, self.m, self.profile);
        let (max_image_bytes, max_o) = pick(
            m,
            "max_image_bytes",
            "--max-image-bytes",
            "BIOPASS_MAX_IMAGE_BYTES",
            g.max_image_bytes,
            profile
                .max_image_bytes
                .map(|n| {
                    parse_max_image_bytes(&n.to_string())
                        .map_err(|e| self.bad_profile_value("max_image_bytes", e))
                })
                .transpose()?,
            DEFAULT_MAX_IMAGE_BYTES,
        );
        let (keep_metadata, keep_o) = pick(
            m,
            "keep_metadata",
            "--keep-metadata",
            "BIOPASS_KEEP_METADATA",
            g.keep_metadata.then_some(true),
            profile.keep_metadata,
            false,
        );
        let (max_dimension, maxdim_o) = pick(
            m,
            "max_dimension",
            "--max-dimension",
            "BIOPASS_MAX_DIMENSION",
            g.max_dimension.map(Some),
            profile
                .max_dimension
                .map(|n| {
                    parse_max_dimension(&n.to_string())
                        .map_err(|e| self.bad_profile_value("max_dimension", e))
                })
                .transpose()?
                .map(Some),
            None,
        );
        // --no-face-check wins over the env (its hidden --face-check twin).
        let (face_check, face_o) = if g.no_face_check {
            (false, Origin::Flag("--no-face-check"))
        } else {
            pick(
                m,
                "face_check",
                "--face-check",
                "BIOPASS_FACE_CHECK",
                g.face_check,
                profile.face_check,
                true,
            )
        };
        self.show("max_image_bytes", max_image_bytes.to_string(), max_o);
        self.show("keep_metadata", keep_metadata.to_string(), keep_o);
        self.show(
            "max_dimension",
            max_dimension.map_or("(off)".into(), |p| p.to_string()),
            maxdim_o,
        );
        self.show("face_check", face_check.to_string(), face_o);
        Ok(ImageSettings {
            max_image_bytes,
            keep_metadata,
            max_dimension,
            face_check,
        })
    }

    /// `--ca-cert` (a profile's path is relative to the config file).
    fn ca_cert(&mut self) -> Option<PathBuf> {
        let (ca_cert, ca_o) = pick(
            self.m,
            "ca_cert",
            "--ca-cert",
            "BIOPASS_CA_CERT",
            self.g.ca_cert.clone().map(Some),
            self.profile
                .ca_cert
                .as_ref()
                .map(|p| Some(expand(p, self.base))),
            None,
        );
        self.show(
            "ca_cert",
            ca_cert
                .as_ref()
                .map_or("(none)".into(), |p: &PathBuf| p.display().to_string()),
            ca_o,
        );
        ca_cert
    }
}
