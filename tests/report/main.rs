//! The reports: every format from one result set, and the HTML report in a real browser.

#[path = "../support/mod.rs"]
mod support;

mod cells;
mod html_browser;
mod reports;
mod scale;
mod synthetic;
