//! Integration tests of the kipilot binary crate: one test binary (compiles once), one
//! module per feature. Every database test runs on SQLite and, with
//! `KIPILOT_TEST_POSTGRES_URL` set, on PostgreSQL.

mod helpers;

mod admin;
mod application;
mod durability;
mod mail;
mod privacy;
mod security;
mod site;
mod storage_parity;
