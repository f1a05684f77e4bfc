//! Wall-clock times as people and JSON read them: RFC 3339 in UTC, to the second.
//! Written by hand (the civil-from-days algorithm of Howard Hinnant's date
//! algorithms): UTC needs no time-zone data, and no crate is needed for it.

/// Seconds since the Unix epoch, now (0 if the clock is before 1970).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Seconds since the Unix epoch (negative: before it) as `2026-11-29T16:48:17Z`.
pub fn rfc3339(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Seconds since the Unix epoch of a UTC civil time (the inverse of [`rfc3339`];
/// Hinnant's days-from-civil). `month` is 1-12, `day` 1-31; not range-checked.
pub fn unix_secs(year: i64, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec)
}

/// Now, as [`rfc3339`].
pub fn rfc3339_now() -> String {
    rfc3339(i64::try_from(now_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_secs_is_the_inverse_of_rfc3339() {
        assert_eq!(unix_secs(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(unix_secs(1969, 12, 31, 23, 59, 59), -1);
        for secs in [
            951_782_400,
            1_700_000_000,
            4_102_444_799,
            2_871_763_200,
            -86_400 * 400,
        ] {
            let t = rfc3339(secs);
            let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap();
            let got = unix_secs(
                t[..4].parse().unwrap(),
                n(5..7),
                n(8..10),
                n(11..13),
                n(14..16),
                n(17..19),
            );
            assert_eq!(got, secs, "{t}");
        }
    }

    #[test]
    fn rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339(1_796_056_097), "2026-11-30T16:28:17Z");
        assert_eq!(rfc3339(1_800_000_000), "2027-01-15T08:00:00Z");
        assert_eq!(rfc3339(4_107_542_400), "2100-03-01T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
