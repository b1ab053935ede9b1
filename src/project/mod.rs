//! The content model and its loading.
pub mod layout;
pub mod load;
pub mod model;
pub mod record;
pub mod yaml;

pub use load::{Loaded, load};
pub use model::*;
