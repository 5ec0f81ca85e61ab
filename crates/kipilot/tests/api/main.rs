//! Integration tests of the kipilot binary crate: one test binary (compiles once), one
//! module per feature. Every database test runs on SQLite and, with
//! `KIPILOT_TEST_POSTGRES_URL` set, on PostgreSQL.

// Test code may panic on broken fixtures; the workspace's deny lints are for product code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod admin;
mod anonymize;
mod application;
mod booking;
mod channels;
mod durability;
mod events;
mod gateway;
mod insights;
mod knowledge;
mod mail;
mod participants;
mod posts;
mod privacy;
mod riskcheck;
mod security;
mod site;
mod storage_parity;
