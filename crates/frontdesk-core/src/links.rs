//! `frontdesk://` links, parsed into a closed set. Anything else is refused, never guessed at:
//! a link can come from any web page or program on the machine. The app turns a [`Link`] into
//! the event its window hears.

/// A link Frontdesk understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// `frontdesk://day/2026-03-09`: show that day.
    Day { date: String },
    /// `frontdesk://appointment/42`: show that appointment.
    Appointment { id: i64 },
    /// `frontdesk://oauth/<zoom|microsoft>/callback?...`: an account connection coming back from
    /// the browser. Its parameters are checked by the flow that started it, not here.
    OAuthCallback { provider: String, query: String },
}

/// Why a link was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refused link: {0}")]
pub struct RefusedLink(pub &'static str);

/// The longest link looked at.
const MAX_LINK: usize = 4096;

/// Parses a `frontdesk://` link.
///
/// # Errors
/// [`RefusedLink`] for another scheme, an unknown path, or a malformed value.
pub fn parse(link: &str) -> Result<Link, RefusedLink> {
    let rest = link.strip_prefix("frontdesk://").ok_or(RefusedLink("not a frontdesk:// link"))?;
    if rest.len() > MAX_LINK {
        return Err(RefusedLink("too long"));
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["day", date] => {
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| RefusedLink("not a date"))?;
            Ok(Link::Day { date: (*date).to_owned() })
        }
        ["appointment", id] => {
            let id = id.parse::<i64>().ok().filter(|i| *i > 0).ok_or(RefusedLink("not an appointment id"))?;
            Ok(Link::Appointment { id })
        }
        ["oauth", provider @ ("zoom" | "microsoft"), "callback"] if !query.is_empty() => {
            Ok(Link::OAuthCallback { provider: (*provider).to_owned(), query: query.to_owned() })
        }
        _ => Err(RefusedLink("unknown link")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_links() {
        assert_eq!(parse("frontdesk://day/2026-03-09"), Ok(Link::Day { date: "2026-03-09".into() }));
        assert_eq!(parse("frontdesk://appointment/42/"), Ok(Link::Appointment { id: 42 }));
        assert_eq!(
            parse("frontdesk://oauth/zoom/callback?code=abc&state=xyz"),
            Ok(Link::OAuthCallback { provider: "zoom".into(), query: "code=abc&state=xyz".into() })
        );
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "https://day/2026-03-09",
            "frontdesk://",
            "frontdesk://day/2026-02-30",
            "frontdesk://day/2026-03-09/extra",
            "frontdesk://appointment/-1",
            "frontdesk://appointment/abc",
            "frontdesk://oauth/google/callback?code=1",
            "frontdesk://oauth/zoom/callback",
            "frontdesk://settings/delete-everything",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&format!("frontdesk://day/{}", "1".repeat(5000))).is_err());
    }
}
