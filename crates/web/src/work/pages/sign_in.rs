//! The sign-in page: the one page of the workspace without a session, protected by a double-submit token.

use crate::i18n::Lang;
use maud::html;

/// The sign-in page as HTML.
pub fn page(lang: Lang, token: &str, next: &str, error: Option<(&str, &str)>, expired: bool) -> String {
    let content = html! {
        h1 { (lang.t("Aanmelden", "Sign in")) }
        p class="lead" { (lang.t("Voor de programmateams van de focusgebieden en het programmateam van het ministerie. De gepubliceerde cijfers zijn zonder account te zien op het dashboard.",
            "For the programme teams of the focus areas and the ministry's programme team. Published figures are on the dashboard without an account.")) }
        @if expired {
            p class="message" role="status" { (lang.t("Uw sessie is verlopen. Meld u opnieuw aan.", "Your session has ended. Please sign in again.")) }
        }
        @if let Some((nl, en)) = error {
            p class="message error" role="alert" id="sign-in-error" { (lang.t(nl, en)) }
        }
        form method="post" action=(lang.href("/aanmelden")) class="form-grid" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="next" value=(next);
            label for="email" { (lang.t("E-mailadres", "Email address")) }
            input type="email" id="email" name="email" autocomplete="username" required;
            label for="password" { (lang.t("Wachtwoord", "Password")) }
            input type="password" id="password" name="password" autocomplete="current-password" required;
            span {}
            div { button type="submit" { (lang.t("Aanmelden", "Sign in")) } }
        }
    };
    crate::layout::work_page(lang, lang.t("Aanmelden", "Sign in"), None, "/aanmelden", content)
}
