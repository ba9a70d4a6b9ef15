//! Reading the chain: the node client (batched reads, nonces, receipts), what a receipt must show
//! for a transaction to count as done, and the session's status as the account reports it.

pub mod http;
pub mod node_client;
pub mod probe;
pub mod receipts;
pub mod status;
pub mod transport;
