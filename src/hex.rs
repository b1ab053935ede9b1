//! Lower-case hexadecimal, the one spelling of every digest trustbook prints or records
//! (evidence hashes, the PDF's and workbook's SHA-256 in the ledgers, the trust page's manifest).

/// `bytes` as lower-case hex, two digits a byte (`[0x0a, 0xff]` → `"0aff"`).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::hex;

    #[test]
    fn two_lower_case_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0a, 0xff, 0x10, 0xab]), "000aff10ab");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn same_as_the_format_spelling() {
        let bytes: Vec<u8> = (0..=255).collect();
        let formatted: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex(&bytes), formatted);
    }
}
