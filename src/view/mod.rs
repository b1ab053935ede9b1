//! Views: what each audience's templates receive. The public view is built by one function from an
//! explicit allow-list; the restricted view carries everything the package shows.
pub mod coverage;
pub mod public;
pub mod registers;
pub mod restricted;
pub mod workbook;
