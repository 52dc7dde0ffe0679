//! Bytes to text: UTF-8 (BOM or not), UTF-16 by its BOM, an XML `encoding` declaration, and
//! windows-1252 when the bytes are not UTF-8. Lone carriage returns become line feeds.
//!
//! A file is never dropped for its encoding: what had to be guessed is said in [`Decoded::note`].
//! Offsets of everything downstream are offsets in the decoded text, which is what an editor shows.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// A file's text and, when it was not plain UTF-8, how it was decoded.
#[derive(Debug)]
pub struct Decoded {
    /// The text, without a byte-order mark, with lone `\r` line ends turned into `\n`.
    pub text: String,
    /// How the text was decoded when it was not UTF-8 ("decoded as UTF-16LE").
    pub note: Option<String>,
}

/// Whether `bytes` start with a UTF-16 byte-order mark (such a file is text despite its NULs).
pub fn has_utf16_bom(bytes: &[u8]) -> bool {
    matches!(Encoding::for_bom(bytes), Some((enc, _)) if enc == UTF_16LE || enc == UTF_16BE)
}

/// The encoding an XML declaration (`<?xml version="1.0" encoding="…"?>`) names, if any.
pub fn xml_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let rest = bytes.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).take(512).position(|w| w == b"?>")?;
    let decl = &rest[..end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let value = decl[at + 8..].trim_ascii_start().strip_prefix(b"=")?;
    let value = value.trim_ascii_start();
    let quote = *value.first().filter(|q| matches!(q, b'"' | b'\''))?;
    let value = &value[1..];
    let close = value.iter().position(|&b| b == quote)?;
    let enc = Encoding::for_label(&value[..close])?;
    // A declaration read as ASCII cannot be UTF-16 (WHATWG: such a label means UTF-8).
    (enc != UTF_16LE && enc != UTF_16BE).then_some(enc)
}

/// Decodes a file's bytes; never fails (malformed sequences become U+FFFD and are noted).
pub fn decode(mut bytes: Vec<u8>) -> Decoded {
    if let Some((enc, bom)) = Encoding::for_bom(&bytes)
        && enc != UTF_8
    {
        let (text, malformed) = enc.decode_without_bom_handling(&bytes[bom..]);
        let mut note = format!("decoded as {}", enc.name());
        if malformed {
            note.push_str(" (malformed sequences replaced)");
        }
        return Decoded {
            text: lone_cr_to_lf_text(text.into_owned()),
            note: Some(note),
        };
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    // Every encoding below is ASCII-compatible: a CR byte is a CR character.
    lone_cr_to_lf(&mut bytes);
    if let Some(enc) = xml_declared_encoding(&bytes)
        && enc != UTF_8
    {
        let (text, _) = enc.decode_without_bom_handling(&bytes);
        return Decoded {
            text: text.into_owned(),
            note: Some(format!("decoded as {} (XML declaration)", enc.name())),
        };
    }
    match String::from_utf8(bytes) {
        Ok(text) => Decoded { text, note: None },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            // windows-1252 maps every byte to a character: nothing is lost, nothing replaced.
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(e.as_bytes());
            Decoded {
                text: text.into_owned(),
                note: Some(format!(
                    "not valid UTF-8 at byte {at}: decoded as windows-1252"
                )),
            }
        }
    }
}

/// Turns every `\r` not followed by `\n` into `\n` in place (same length: offsets are kept), so
/// that every parser and the line index see classic Mac line ends as line ends.
fn lone_cr_to_lf(bytes: &mut [u8]) {
    // `contains` on bytes is a memchr: most files have no CR at all.
    if !bytes.contains(&b'\r') {
        return;
    }
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| b == b'\r') {
        let cr = i + at;
        if bytes.get(cr + 1) != Some(&b'\n') {
            bytes[cr] = b'\n';
        }
        i = cr + 1;
    }
}

/// Whether some `\r` is not followed by `\n`.
fn has_lone_cr(bytes: &[u8]) -> bool {
    bytes.contains(&b'\r')
        && bytes
            .iter()
            .enumerate()
            .any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
}

/// [`lone_cr_to_lf`] on a string (CRLF text is returned as it is, without a copy).
pub(crate) fn lone_cr_to_lf_text(text: String) -> String {
    if !has_lone_cr(text.as_bytes()) {
        return text;
    }
    let mut bytes = text.into_bytes();
    lone_cr_to_lf(&mut bytes);
    // An ASCII byte swapped for an ASCII byte keeps the text valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_by_bom_in_both_byte_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a\nb".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("a\nb".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert!(has_utf16_bom(&le) && has_utf16_bom(&be));
        let d = decode(le);
        assert_eq!(
            (d.text.as_str(), d.note.as_deref()),
            ("a\nb", Some("decoded as UTF-16LE"))
        );
        let d = decode(be);
        assert_eq!(
            (d.text.as_str(), d.note.as_deref()),
            ("a\nb", Some("decoded as UTF-16BE"))
        );
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let d = decode(b"// caf\xE9\nx".to_vec());
        assert_eq!(d.text, "// caf\u{e9}\nx");
        assert_eq!(
            d.note.as_deref(),
            Some("not valid UTF-8 at byte 6: decoded as windows-1252")
        );
        let d = decode("caf\u{e9}".as_bytes().to_vec());
        assert_eq!((d.text.as_str(), d.note), ("caf\u{e9}", None));
    }

    #[test]
    fn utf8_bom_is_dropped_and_lone_cr_become_line_feeds() {
        let d = decode(b"\xEF\xBB\xBFa\rb\r\nc\r".to_vec());
        assert_eq!((d.text.as_str(), d.note), ("a\nb\r\nc\n", None));
    }

    #[test]
    fn lone_cr_in_text_is_replaced_and_crlf_kept() {
        assert_eq!(lone_cr_to_lf_text("a\rb\r\n".to_owned()), "a\nb\r\n");
        assert!(!has_lone_cr(b"a\r\nb"));
        assert!(has_lone_cr(b"a\r"));
    }

    #[test]
    fn xml_declaration_names_the_encoding() {
        let d = decode(b"<?xml version='1.0' encoding = \"ISO-8859-1\"?>\n<a>\xE9</a>".to_vec());
        assert!(d.text.ends_with("<a>\u{e9}</a>"), "{}", d.text);
        assert_eq!(
            d.note.as_deref(),
            Some("decoded as windows-1252 (XML declaration)")
        );
        assert!(xml_declared_encoding(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>").is_none());
        assert!(xml_declared_encoding(b"<?xml version=\"1.0\"?>").is_none());
    }
}
