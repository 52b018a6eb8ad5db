//! boussole: an embedding-based career-orientation recommender over ESCO and ROME.
//!
//! Data flows one way: [`catalog`] (datasets → typed records) → [`embed`] (texts → vectors) →
//! [`index`] (vectors → saved HNSW index) → [`search`] (query → ranked occupations) → [`api`] (HTTP), which also serves the [`web`] client.

pub mod api;
pub mod catalog;
pub mod embed;
pub mod eval;
pub mod fsutil;
pub mod index;
pub mod names;
pub mod progress;
pub mod search;
pub mod text;
pub mod tune;
pub mod vector;
pub mod web;
