//! kipilot: the KI-Pilotprojekt platform as one binary.
//!
//! Layout (each feature owns its handlers, templates and mail texts; SQL lives in the
//! `storage` crate, one module per feature):
//! - [`config`] reads the environment once; [`startup`] builds the router and workers.
//! - [`web`] is the thin shared core: security headers, anti-forgery, rate limits, assets,
//!   metrics, the German error page.
//! - [`booking`] first calls and 1:1 meetings (slot engine in `domain::booking`).
//! - [`site`] public pages, [`leads`] application and double opt-in, [`privacy`] data-subject
//!   rights and retention, [`admin`] the back office, [`mail`] the outbox worker.
//! - [`events`] round-tables: registration, waitlist, reminders, minutes, pain points.

pub mod admin;
pub mod api;
pub mod booking;
pub mod channels;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod gateway;
pub mod insights;
pub mod knowledge;
pub mod leads;
pub mod mail;
pub mod markdown;
pub mod participants;
pub mod password;
pub mod privacy;
pub mod profile;
pub mod site;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod toolkit;
pub mod web;
