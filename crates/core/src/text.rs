//! Text from outside made safe to print: pure, so checks and renderers share it.

/// Text that came from outside (a server's error, a key on the wire, a URL, a driver's counter
/// name), made safe for a terminal: every control character but a newline is shown escaped
/// (`\x1b`), so a peer cannot set the title, clear the screen or move the cursor.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            c if c.is_control() && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}
