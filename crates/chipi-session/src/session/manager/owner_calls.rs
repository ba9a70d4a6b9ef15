//! Calls the user approved one by one, signed with the owner key: what an app asked for outside
//! its session, shown decoded and confirmed with the PIN.

use starknet_core::types::{Call, Felt};

use super::SessionManager;
use crate::error::SessionError;
use crate::wallet::UnlockedOwner;

impl SessionManager {
    /// Sends `calls` signed by the `owner` through the backend (as a registration is sent) and
    /// succeeds once the receipt shows their effects; `on_submitted` hears the hash first.
    /// Calls to the account itself are refused: they would change who may act for it (its
    /// sessions, its owner, its class), which no app is ever let near.
    pub async fn execute_as_owner(
        &self,
        calls: Vec<Call>,
        owner: &UnlockedOwner,
        on_submitted: &(dyn Fn(Felt) + Sync),
    ) -> Result<Felt, SessionError> {
        if calls.is_empty() {
            return Err(SessionError::InvalidCall("no calls".into()));
        }
        if calls.iter().any(|c| c.to == self.wallet.address) {
            return Err(SessionError::PrivilegedCall);
        }
        let _op = self.ops.lock().await;
        let hash = self.submit_as_owner(&calls, owner).await?;
        on_submitted(hash);
        self.confirm(hash, &calls).await?;
        Ok(hash)
    }
}
