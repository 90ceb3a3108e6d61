//! The two languages of wijkmonitor's pages, reports and workbooks: Dutch by default, English on request.

/// A language of the user interface. Dutch unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    /// From its code (`nl`, `en`).
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    /// Picks the text of this language.
    pub fn t<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Nl => nl,
            Lang::En => en,
        }
    }

    /// A link to `path` in this language: Dutch links are the address itself, so the default address stays
    /// clean; English ones put `/en` in front of a site address (`/en/gebied/x`), a form that a static file host
    /// can serve as well, and carry `lang=en` otherwise.
    pub fn href(self, path: &str) -> String {
        match self {
            Lang::Nl => path.to_string(),
            Lang::En if path.starts_with('/') => format!("/en{path}"),
            Lang::En if path.contains('?') => format!("{path}&lang=en"),
            Lang::En => format!("{path}?lang=en"),
        }
    }

    /// Splits a language prefix off a site address: `/en/gebied/x` is `/gebied/x` in English, `/en` the
    /// English overview. Addresses without a prefix give `None`.
    pub fn strip_prefix(path: &str) -> Option<(Lang, &str)> {
        match path.strip_prefix("/en") {
            Some("") => Some((Lang::En, "/")),
            Some(rest) if rest.starts_with('/') => Some((Lang::En, rest)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_links() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(Lang::default().code(), "nl");
        assert_eq!(Lang::En.href("/x?a=1"), "/en/x?a=1");
        assert_eq!(Lang::En.href("/"), "/en/");
        assert_eq!(Lang::En.href("x?a=1"), "x?a=1&lang=en");
        assert_eq!(Lang::strip_prefix("/en/gebied/x"), Some((Lang::En, "/gebied/x")));
        assert_eq!(Lang::strip_prefix("/en"), Some((Lang::En, "/")));
        assert_eq!(Lang::strip_prefix("/en/"), Some((Lang::En, "/")));
        assert_eq!(Lang::strip_prefix("/enschede"), None);
        assert_eq!(Lang::strip_prefix("/gebied/en"), None);
        assert_eq!(Lang::Nl.href("/x"), "/x");
        assert_eq!(Lang::En.t("ja", "yes"), "yes");
    }
}
