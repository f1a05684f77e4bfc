//! Values of settings: defaults, accepted ranges, and the parsers shared by clap
//! (flags and variables: a usage error) and the config file (a configuration error).

use std::time::Duration;

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 10 * 1024 * 1024;

/// The shortest timeout accepted: anything shorter cannot complete a request.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);

/// The longest timeout accepted (one day): more is a typo, not a wish.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The largest `max_image_bytes` accepted (1 GiB): images are held in memory and
/// sent base64-encoded; the API accepts far smaller ones.
pub const MAX_MAX_IMAGE_BYTES: u64 = 1024 * 1024 * 1024;

/// Parse a duration in seconds: `30`, `2.5`, `500ms`, `30s`, `2m`. Timeouts are
/// always on: from [`MIN_TIMEOUT`] (1 ms) to [`MAX_TIMEOUT`] (1 day).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (e.g. 30, 2.5, 500ms, 2m)"))?;
    let secs = v * scale;
    let range = MIN_TIMEOUT.as_secs_f64()..=MAX_TIMEOUT.as_secs_f64();
    if !(secs.is_finite() && range.contains(&secs)) {
        return Err(format!(
            "'{s}': a timeout must be from 1ms to 1 day (86400 s); timeouts cannot be turned off"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Parse `--max-dimension`: a pixel count from 64 to 65535.
pub fn parse_max_dimension(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if (64..=65535).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{}' is not a pixel count from 64 to 65535",
            biopass::sanitize::sanitize(s, 20)
        )),
    }
}

/// Parse `--max-image-bytes`: 1 to [`MAX_MAX_IMAGE_BYTES`] (1 GiB).
pub fn parse_max_image_bytes(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=MAX_MAX_IMAGE_BYTES).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{s}' is not a size from 1 to {MAX_MAX_IMAGE_BYTES} bytes (1 GiB)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn durations() {
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        // The documented range: 1 ms to one day.
        assert_eq!(parse_duration("1ms").unwrap(), MIN_TIMEOUT);
        assert_eq!(parse_duration("86400").unwrap(), MAX_TIMEOUT);
        for bad in ["0.0001", "86401", "1441m", "inf", "NaN", "1e-300"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_max_image_bytes("1073741824").is_ok());
        for bad in ["0", "1073741825", "18446744073709551615", "-1"] {
            assert!(parse_max_image_bytes(bad).is_err(), "{bad}");
        }
    }
}
