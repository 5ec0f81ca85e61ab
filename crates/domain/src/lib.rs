//! Pure domain types of kipilot.
//!
//! Everything a user types is parsed here, once, into typed values ("parse, don't
//! validate"). Handlers and storage then only ever see valid data. This crate does no IO,
//! knows no HTTP and no SQL, so its rules can be tested in isolation and reused by the CLI.

pub mod application;
pub mod booking;
pub mod consent;
pub mod email;
pub mod events;
pub mod hex;
pub mod ics;
pub mod lead;
pub mod text;
pub mod time;

pub use application::{Application, ApplicationInput, CompanySize, Industry, Interest};
pub use email::Email;
pub use lead::{LeadStage, LeadStatus};
pub use text::FieldErrors;
pub use time::UnixMs;
