//! Closed vocabularies (languages, taxonomies, groupings): each value's name written once, and
//! read the same way everywhere — JSON (serde's `rename_all` must agree, a test checks it),
//! URLs, command-line flags, files.

/// A type whose values form a closed set, each with one name.
pub trait Named: Copy + 'static {
    /// What one value is called in messages ("language", "taxonomy").
    const WHAT: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];

    /// The value's name.
    fn as_str(self) -> &'static str;

    /// The value named exactly `name` (as the API reads it: no other case, no padding).
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == name)
    }

    /// The names, for messages: "`fr` or `en`".
    fn expected() -> String {
        let names: Vec<String> = Self::ALL.iter().map(|v| format!("`{}`", v.as_str())).collect();
        match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.concat(),
        }
    }

    /// Reads a command-line value: trimmed, any case.
    fn parse_lenient(s: &str) -> Result<Self, String> {
        let name = s.trim().to_ascii_lowercase();
        Self::from_name(&name).ok_or_else(|| format!("unknown {} `{name}` (expected {})", Self::WHAT, Self::expected()))
    }
}

/// Implements [`Named`], `ALL`, `as_str`, `Display` and a lenient `FromStr` for a field-less
/// enum from one table of names: `named!(Lang, "language", { Fr => "fr", En => "en" });`.
macro_rules! named {
    ($ty:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// The value's name, as used in JSON, URLs, flags and files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }

        impl $crate::names::Named for $ty {
            const WHAT: &'static str = $what;
            const ALL: &'static [Self] = &$ty::ALL;

            fn as_str(self) -> &'static str {
                $ty::as_str(self)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$ty as $crate::names::Named>::parse_lenient(s)
            }
        }
    };
}
pub(crate) use named;

#[cfg(test)]
mod tests {
    use super::Named;
    use crate::catalog::{Lang, Taxonomy};
    use crate::search::Grouping;

    /// serde's names (JSON) and the table's (URLs, flags, messages) are one vocabulary.
    fn agrees_with_serde<T: Named + serde::Serialize>() {
        for &v in T::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(v.as_str()), "{}", T::WHAT);
            assert_eq!(T::from_name(v.as_str()).map(T::as_str), Some(v.as_str()));
        }
    }

    #[test]
    fn names_are_those_serde_writes() {
        agrees_with_serde::<Lang>();
        agrees_with_serde::<Taxonomy>();
        agrees_with_serde::<Grouping>();
    }

    #[test]
    fn exact_and_lenient_reading() {
        assert_eq!(Lang::from_name("fr"), Some(Lang::Fr));
        assert_eq!(Lang::from_name("FR"), None, "the API reads names exactly");
        assert_eq!(" ESCO ".parse::<Taxonomy>(), Ok(Taxonomy::Esco), "flags are lenient");
        assert_eq!("de".parse::<Lang>(), Err("unknown language `de` (expected `fr` or `en`)".to_string()));
        assert_eq!(Grouping::expected(), "`occupation` or `metier`");
        assert_eq!(Taxonomy::Rome.to_string(), "rome");
    }
}
