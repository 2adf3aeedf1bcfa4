//! Size limits applied to every request before any step is emitted.

/// Bounds on what a request may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted form body, in bytes (default 64 KiB).
    pub max_body: usize,
    /// Most parameters a form may carry (default 64).
    pub max_params: usize,
    /// Longest accepted encoded parameter name or value, in bytes (default 16 KiB, room
    /// for a signed request object or client assertion).
    pub max_value: usize,
    /// Longest accepted `Authorization` header, in bytes (default 4 KiB).
    pub max_authorization: usize,
    /// Longest accepted `client_id`, in bytes (default 256).
    pub max_client_id: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 64 * 1024,
            max_params: 64,
            max_value: 16 * 1024,
            max_authorization: 4 * 1024,
            max_client_id: 256,
        }
    }
}
