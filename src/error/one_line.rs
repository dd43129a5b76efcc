//! [`OneLine`], the display adapter that keeps text from the network or the
//! caller on one line inside this module's error messages.

use std::fmt;

/// Displays text from the network or the caller on one line: line breaks and
/// other control characters become spaces.
pub(crate) struct OneLine<'a>(pub(crate) &'a str);

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.0.split(char::is_control).enumerate() {
            if part.0 > 0 {
                f.write_str(" ")?;
            }
            f.write_str(part.1)?;
        }
        Ok(())
    }
}
