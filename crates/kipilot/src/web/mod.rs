//! The thin shared web core: what every feature's routes rely on.

pub mod assets;
pub mod client;
pub mod formdata;
pub mod forms;
pub mod headers;
pub mod metrics;
pub mod origin;
pub mod ratelimit;
pub mod rejections;
pub mod tokens;
