//! A minimal scanner over JSON text that serde_json has already accepted (up to the point of interest),
//! used only to turn "row 1234, field X" into a line and column for an error message.

fn ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The offset just after the string starting at `i` (which must be a quote).
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}

/// The offset just after the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            Some(j)
        }
    }
}

/// The offset of the value of member `key` of the object starting at `object`.
pub fn member(b: &[u8], object: usize, key: &str) -> Option<usize> {
    let mut i = ws(b, object + 1);
    loop {
        if *b.get(i)? != b'"' {
            return None;
        }
        let key_end = string_end(b, i)?;
        let name = &b[i + 1..key_end - 1];
        i = ws(b, key_end);
        if *b.get(i)? != b':' {
            return None;
        }
        i = ws(b, i + 1);
        if name == key.as_bytes() {
            return Some(i);
        }
        i = ws(b, value_end(b, i)?);
        if *b.get(i)? != b',' {
            return None;
        }
        i = ws(b, i + 1);
    }
}

/// The offset of the `n`-th element (0-based) of the array starting at `array`.
pub fn element(b: &[u8], array: usize, n: usize) -> Option<usize> {
    let mut i = ws(b, array + 1);
    for k in 0.. {
        if *b.get(i)? == b']' {
            return None;
        }
        if k == n {
            return Some(i);
        }
        i = ws(b, value_end(b, i)?);
        if *b.get(i)? != b',' {
            return None;
        }
        i = ws(b, i + 1);
    }
    None
}

/// The offset of the record array of an entity-set file: the root array, or the root's `value` member.
pub fn rows_array(b: &[u8]) -> Option<usize> {
    let i = ws(b, 0);
    match *b.get(i)? {
        b'[' => Some(i),
        b'{' => member(b, i, "value").filter(|&v| b.get(v) == Some(&b'[')),
        _ => None,
    }
}
