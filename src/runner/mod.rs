//! The runner: a [`session`] runs the cases against one or more targets at once; per target a
//! [`Run`] works in its own namespace and owns what it creates; per case its steps (setup, request,
//! captures, reads around it, verdict, snapshot, cleanup). Requests and answers are templated
//! ([`template`]) and read bounded, with credentials blanked out ([`answer`]).

pub mod answer;
mod case;
mod run;
pub mod session;
pub mod template;

pub use answer::{MAX_ANSWER_BYTES, describe, describe_within};
pub use run::{Run, RunConfig, RunError};
pub use session::{Event, Finished, NamedTarget, Options};
