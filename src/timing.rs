//! Stage timings and memory figures on stderr when `FASCIA_TIMINGS` is set.
//! At the bottom of the house: any stage may time itself.

/// Stage timings on stderr when `FASCIA_TIMINGS` is set.
pub struct Clock {
    pub on: bool,
    last: std::cell::Cell<std::time::Instant>,
}

/// When the first [`Clock`] started: what [`memory_note`] measures from.
static FIRST_CLOCK: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

impl Clock {
    pub fn new() -> Self {
        FIRST_CLOCK.get_or_init(std::time::Instant::now);
        Self {
            on: std::env::var_os("FASCIA_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }

    pub fn lap(&self, stage: &str) {
        if self.on {
            let now = std::time::Instant::now();
            eprintln!(
                "timing: {stage} {:.3} s{}",
                (now - self.last.get()).as_secs_f64(),
                memory_note()
            );
            self.last.set(now);
        }
    }
}

/// ", rss N MB, peak M MB, at T s" from /proc (Linux), for `FASCIA_TIMINGS`
/// (T counts from the first [`Clock`]).
pub fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    let at = FIRST_CLOCK.get().map_or(0.0, |t| t.elapsed().as_secs_f64());
    format!(
        ", rss {} MB, peak {} MB, at {at:.3} s",
        kb("VmRSS:") / 1024,
        kb("VmHWM:") / 1024
    )
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}
