//! The programme register of the NPLV: per area and year the Woontop agreement, the Realisatiestimulans starts,
//! the Volkshuisvestingsfonds tranches, the SPUK Kansrijke Wijk budgets and the Wbmgp designations, and what
//! follows from them under the scheme rules (progress, payments, flags, carry-forward).
//!
//! The rules are dated parameters read from `data/parameters/schemes.toml` ([`params`]), never constants, because
//! they change by regulation. The register is stored as flat [`register::Entry`] rows (one figure each, with its
//! source label and synthetic flag) and rebuilt into typed records with [`register::AreaRegister::from_entries`],
//! so the seed file, the database and the computations all go through the same validation. No IO: callers read
//! files and pass text. The register holds figures about areas and schemes only, never about individual people.

pub mod feed;
pub mod params;
pub mod progress;
pub mod register;
pub mod seed;

pub use params::{SchemeParams, BUILTIN_SCHEMES};
pub use register::{AreaRegister, Entry, EntryValue, Scheme};

#[cfg(test)]
mod tests;
