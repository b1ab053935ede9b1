//! The content model and its loading.
pub mod index;
pub mod layout;
pub mod lazy;
pub mod load;
pub mod model;
pub mod policy;
pub mod record;
pub mod risk;
pub mod yaml;

pub use load::{Loaded, load};
pub use model::*;
pub use policy::Policy;
pub use risk::Risk;
