//! The session: its manager (the hook's operations) and what it is built from — the state machine,
//! the local record, the card's view, registration calls, preflight checks, spending policies,
//! and the message a session key signs and its signature layout.

pub mod hash;
pub mod manager;
pub mod policies;
pub mod preflight;
pub mod record;
pub mod registration;
pub mod signature;
pub mod state;
pub mod view;
