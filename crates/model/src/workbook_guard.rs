//! Checks on a workbook's container before a spreadsheet reader opens it. The reader trusts the sizes and
//! chains the file declares: a small file can then ask it for gigabytes (a zip that unpacks without bound, a
//! compound file whose sector chain loops back on itself). These checks read only the container's directories,
//! so they are cheap, and refuse such files with a message instead.
//!
//! - `.xlsx` is a zip: [`declared_unpacked_size`] sums what its central directory says the entries unpack to.
//! - `.xls` is a Compound File Binary (MS-CFB): [`check_compound_file`] follows every sector chain the reader
//!   will follow (the directory, the streams, the mini stream and its allocation table) and refuses one that
//!   leaves the file, loops, or is longer than the file has sectors.

fn le16(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(b.get(at..at.checked_add(2)?)?.try_into().ok()?)))
}

fn le32(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?)))
}

/// The sum of the uncompressed sizes the zip's central directory declares, or `None` when it cannot be read (the
/// zip reader then reports the file as unreadable). ZIP64 entries (sizes of 4 GB and more) count as too large.
pub fn declared_unpacked_size(bytes: &[u8]) -> Option<u64> {
    // The end-of-central-directory record is in the last 22 + 65535 bytes (it may be followed by a comment).
    let from = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (from..bytes.len().saturating_sub(21)).rev().find(|&i| bytes[i..i + 4] == [0x50, 0x4b, 0x05, 0x06])?;
    let entries = le16(bytes, eocd + 10)?;
    let mut at = usize::try_from(le32(bytes, eocd + 16)?).ok()?;
    let mut total = 0u64;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != [0x50, 0x4b, 0x01, 0x02] {
            return None;
        }
        let size = le32(bytes, at + 24)?;
        total = total.saturating_add(if size == 0xFFFF_FFFF { u64::MAX } else { size });
        let skip = 46 + le16(bytes, at + 28)? + le16(bytes, at + 30)? + le16(bytes, at + 32)?;
        at = at.checked_add(usize::try_from(skip).ok()?)?;
    }
    Some(total)
}

/// The end of a sector chain.
const END_OF_CHAIN: u64 = 0xFFFF_FFFE;
/// Sector ids from here on are markers (free, end of chain, FAT, DIFAT), not sectors.
const MAX_REGULAR_SECTOR: u64 = 0xFFFF_FFFA;

/// Checks the sector chains of a Compound File Binary (`.xls`) that a reader follows, then the sheets of its
/// workbook stream (see [`check_biff`]) against `max_cells`; `Err` says what is wrong.
pub fn check_compound_file(bytes: &[u8], max_cells: u64) -> Result<(), String> {
    let bad = |what: &str| Err(format!("the compound file (.xls) is damaged: {what}"));
    if bytes.len() < 512 || bytes[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
        return bad("no compound file header");
    }
    let shift = le16(bytes, 0x1E).unwrap_or(0);
    if shift != 9 && shift != 12 {
        return bad("a sector size other than 512 or 4096 bytes");
    }
    let size = 1usize << shift;
    // Sector n starts at (n + 1) * size; the last one may be cut short.
    let sectors = (bytes.len().saturating_sub(size)).div_ceil(size) as u64;
    let sector = |id: u64| -> Option<&[u8]> {
        let start = usize::try_from(id.checked_add(1)?).ok()?.checked_mul(size)?;
        bytes.get(start..start.checked_add(size)?.min(bytes.len()))
    };
    let ids = |s: &[u8]| -> Vec<u64> { (0..s.len() / 4).filter_map(|i| le32(s, i * 4)).collect() };

    // The DIFAT: 109 ids in the header, then a chain of DIFAT sectors (each ending in the next one's id).
    let mut difat: Vec<u64> = (0..109).filter_map(|i| le32(bytes, 0x4C + i * 4)).collect();
    let mut next = le32(bytes, 0x44).unwrap_or(END_OF_CHAIN);
    let mut steps = 0u64;
    while next < MAX_REGULAR_SECTOR {
        steps += 1;
        let Some(s) = sector(next).filter(|_| steps <= sectors) else {
            return bad("the DIFAT chain leaves the file or loops");
        };
        let mut list = ids(s);
        next = list.pop().unwrap_or(END_OF_CHAIN);
        difat.extend(list);
    }
    // The FAT: the sectors the DIFAT names.
    let mut fat = Vec::new();
    for &id in difat.iter().filter(|&&id| id < MAX_REGULAR_SECTOR) {
        let Some(s) = sector(id) else { return bad("a FAT sector lies beyond the end of the file") };
        fat.extend(ids(s));
    }
    // A chain must stay inside the FAT and the file, and end before it has visited every sector.
    let walk = |start: u64, what: &str| -> Result<u64, String> {
        let (mut id, mut length) = (start, 0u64);
        while id != END_OF_CHAIN {
            length += 1;
            let inside = usize::try_from(id).ok().and_then(|i| fat.get(i)).is_some() && id < sectors;
            if !inside || length > sectors {
                return Err(format!(
                    "the compound file (.xls) is damaged: the chain of {what} leaves the file or loops"
                ));
            }
            id = fat[id as usize];
        }
        Ok(length)
    };
    let dir_start = le32(bytes, 0x30).unwrap_or(END_OF_CHAIN);
    walk(dir_start, "the directory")?;
    // The directory entries, in the order the reader keeps them: (name, start sector, length).
    let mut entries: Vec<(String, u64, u64)> = Vec::new();
    let mut id = dir_start;
    while id != END_OF_CHAIN {
        let Some(s) = sector(id) else { break };
        for e in s.chunks_exact(128) {
            let units: Vec<u16> = e[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let name: String =
                char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')).take_while(|&c| c != '\0').collect();
            let length =
                if shift == 9 { le32(e, 120) } else { le32(e, 120).zip(le32(e, 124)).map(|(lo, hi)| lo | hi << 32) };
            entries.push((name, le32(e, 116).unwrap_or(END_OF_CHAIN), length.unwrap_or(0)));
        }
        id = fat[id as usize];
    }
    // The mini stream (the first entry's chain) and its allocation table, when the file has one.
    let mini_fat_sectors = le32(bytes, 0x40).unwrap_or(0);
    let mut mini_fat = Vec::new();
    if mini_fat_sectors > 0 {
        if let Some(&(_, start, _)) = entries.first() {
            walk(start, "the mini stream")?;
        }
        let (mut id, mut read) = (le32(bytes, 0x3C).unwrap_or(END_OF_CHAIN), 0u64);
        walk(id, "the mini FAT")?;
        while id != END_OF_CHAIN && read < mini_fat_sectors {
            mini_fat.extend(sector(id).map(ids).unwrap_or_default());
            read += 1;
            id = fat[id as usize];
        }
    }
    // The streams the reader opens by name: short ones live in the mini stream, long ones in regular sectors.
    let opened = ["workbook", "book", "\u{5}summaryinformation", "\u{5}documentsummaryinformation"];
    for (name, start, length) in &entries {
        if *length == 0 || !opened.iter().any(|o| o.eq_ignore_ascii_case(name)) {
            continue;
        }
        if *length < MINI_STREAM_CUTOFF {
            let (mut id, mut steps) = (*start, 0usize);
            while id != END_OF_CHAIN {
                steps += 1;
                let Some(&next) =
                    usize::try_from(id).ok().and_then(|i| mini_fat.get(i)).filter(|_| steps <= mini_fat.len())
                else {
                    return bad("the chain of a short stream leaves the mini FAT or loops");
                };
                id = next;
            }
        } else {
            let chain = walk(*start, "a stream")?;
            if *length > chain.saturating_mul(size as u64) {
                return bad("a stream is longer than its chain of sectors");
            }
        }
    }
    // The workbook stream, assembled as the reader assembles it: the first entry named Workbook, else Book.
    let named = |n: &str| entries.iter().find(|(name, _, _)| name.eq_ignore_ascii_case(n));
    let Some(&(_, start, length)) = named("Workbook").or_else(|| named("Book")) else { return Ok(()) };
    let length = usize::try_from(length).unwrap_or(usize::MAX);
    let mut stream = Vec::new();
    let mut id = start;
    if length < MINI_STREAM_CUTOFF as usize {
        // Mini sectors of 64 bytes, inside the mini stream: the chain of the first (root) entry.
        let mut mini = Vec::new();
        let mut root = entries.first().map_or(END_OF_CHAIN, |e| e.1);
        while root != END_OF_CHAIN && mini_fat_sectors > 0 {
            mini.extend_from_slice(sector(root).unwrap_or_default());
            root = fat[root as usize];
        }
        while id != END_OF_CHAIN && stream.len() < length {
            let at = usize::try_from(id).unwrap_or(usize::MAX).saturating_mul(64);
            stream.extend_from_slice(mini.get(at..at.saturating_add(64).min(mini.len())).unwrap_or_default());
            id = mini_fat.get(id as usize).copied().unwrap_or(END_OF_CHAIN);
        }
    } else {
        while id != END_OF_CHAIN && stream.len() < length {
            stream.extend_from_slice(sector(id).unwrap_or_default());
            id = fat[id as usize];
        }
    }
    stream.truncate(length);
    check_biff(&stream, max_cells)
}

/// Streams shorter than this live in the mini stream.
const MINI_STREAM_CUTOFF: u64 = 4096;
/// The most text the cells of a workbook may expand to. A sheet cell that refers to the shared string table gets
/// its own copy of the string, so a small file could otherwise ask for a copy of a long string per cell.
pub const MAX_TEXT_BYTES: u64 = 512 * 1024 * 1024;

/// A BIFF record as the reader splits the stream: its type, its data and the data of the CONTINUE records
/// (type 0x003C) that follow it. `None` where the reader stops with an error.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    cont: Vec<&'a [u8]>,
}

fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    std::iter::from_fn(move || {
        let typ = u16::try_from(le16(stream, 0)?).ok()?;
        let len = usize::try_from(le16(stream, 2)?).ok()?;
        let data = stream.get(4..4 + len)?;
        stream = &stream[4 + len..];
        let mut cont = Vec::new();
        while le16(stream, 0) == Some(0x003C) && stream.len() > 4 {
            let len = usize::try_from(le16(stream, 2)?).ok()?;
            cont.push(stream.get(4..4 + len)?);
            stream = &stream[4 + len..];
        }
        Some(Record { typ, data, cont })
    })
}

/// The number of characters of each string in a shared string table (SST) record, as far as it can be read.
fn shared_string_lengths(record: &Record<'_>) -> Vec<u64> {
    let mut segments = record.cont.iter().copied();
    let mut data = record.data.get(8..).unwrap_or_default();
    let mut lengths = Vec::new();
    // Skips `n` bytes across CONTINUE boundaries; false when the record ends first.
    fn skip<'a>(data: &mut &'a [u8], segments: &mut impl Iterator<Item = &'a [u8]>, mut n: usize) -> bool {
        while n > 0 {
            if data.is_empty() {
                match segments.next() {
                    Some(next) => *data = next,
                    None => return false,
                }
            }
            let l = n.min(data.len());
            *data = &data[l..];
            n -= l;
        }
        true
    }
    loop {
        if data.is_empty() {
            match segments.next() {
                Some(next) => data = next,
                None => return lengths,
            }
            continue;
        }
        let (Some(cch), Some(&flags)) = (le16(data, 0), data.get(2)) else { return lengths };
        data = &data[3..];
        let runs = if flags & 0x8 != 0 { le16(data, 0) } else { Some(0) };
        if flags & 0x8 != 0 {
            data = data.get(2..).unwrap_or_default();
        }
        let ext = if flags & 0x4 != 0 { le32(data, 0) } else { Some(0) };
        if flags & 0x4 != 0 {
            data = data.get(4..).unwrap_or_default();
        }
        let (Some(runs), Some(ext)) = (runs, ext) else { return lengths };
        // The characters: one or two bytes each; a CONTINUE record starts with its own high-byte flag.
        let (mut left, mut wide) = (cch, flags & 0x1 != 0);
        while left > 0 {
            let width = if wide { 2 } else { 1 };
            let take = left.min((data.len() / width) as u64);
            data = &data[take as usize * width..];
            left -= take;
            if left > 0 {
                match segments.next() {
                    Some(next) if !next.is_empty() => {
                        wide = next[0] & 0x1 != 0;
                        data = &next[1..];
                    }
                    _ => return lengths,
                }
            }
        }
        lengths.push(cch);
        let extra = usize::try_from(runs * 4 + ext).unwrap_or(usize::MAX);
        if !skip(&mut data, &mut segments, extra) {
            return lengths;
        }
    }
}

/// The rows and columns a set of cell positions spans.
#[derive(Default)]
struct Extent(Option<(u64, u64, u64, u64)>);

impl Extent {
    fn add(&mut self, row: u64, col: u64) {
        let (r0, r1, c0, c1) = self.0.unwrap_or((row, row, col, col));
        self.0 = Some((r0.min(row), r1.max(row), c0.min(col), c1.max(col)));
    }
    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| (r1 - r0 + 1).saturating_mul(c1 - c0 + 1))
    }
}

/// Checks the sheets of a BIFF workbook stream for what the spreadsheet reader would allocate on trust: the
/// rectangle a sheet's DIMENSIONS record declares (reserved up front), the rectangle between a sheet's outermost
/// cells (allocated whole, for the values and again for the formulas), and a copy of its shared string per cell.
pub fn check_biff(stream: &[u8], max_cells: u64) -> Result<(), String> {
    let too_large =
        |what: String| Err(format!("the spreadsheet (.xls) {what}; a Kerncijfers spreadsheet needs far less"));
    // The workbook globals, up to their end-of-file record: where each sheet begins, and the shared strings.
    let mut sheets = Vec::new();
    let mut strings = Vec::new();
    for r in records(stream) {
        match r.typ {
            0x0085 => sheets.extend(le32(r.data, 0)),
            0x00FC => strings = shared_string_lengths(&r),
            0x000A => break,
            _ => {}
        }
    }
    let (mut cells, mut text) = (0u64, 0u64);
    for pos in sheets {
        let Some(sheet) = usize::try_from(pos).ok().and_then(|p| stream.get(p..)) else {
            return Err(format!(
                "the compound file (.xls) is damaged: a sheet begins at byte {pos}, beyond the end of the workbook \
                 stream ({} bytes)",
                stream.len()
            ));
        };
        let (mut values, mut formulas) = (Extent::default(), Extent::default());
        let (mut seen_bof, mut depth) = (false, 0usize);
        for r in records(sheet) {
            // Nested substreams (embedded charts) are skipped, as the reader skips them.
            if depth > 0 {
                match r.typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let (row, col) = (le16(r.data, 0), le16(r.data, 2));
            match r.typ {
                0x0809 if seen_bof => depth += 1,
                0x0809 => seen_bof = true,
                0x000A => break,
                0x0200 => {
                    let (rf, rl, cf, cl) = match r.data.len() {
                        10 => (le16(r.data, 0), le16(r.data, 2), le16(r.data, 4), le16(r.data, 6)),
                        14 | 16 => (le32(r.data, 0), le32(r.data, 4), le16(r.data, 8), le16(r.data, 10)),
                        _ => continue,
                    };
                    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = (rf, rl, cf, cl) else { continue };
                    if cf > 0xFF || cl < cf {
                        cf = 0;
                    }
                    if rl >= 1 && cl >= 1 {
                        if rl - 1 < rf {
                            return Err("the compound file (.xls) is damaged: a sheet's dimensions end before they \
                                        begin"
                                .into());
                        }
                        let declared = (rl - rf).saturating_mul(cl - cf);
                        if declared > max_cells {
                            return too_large(format!("declares a sheet of {declared} cells, more than {max_cells}"));
                        }
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    let (Some(row), Some(col)) = (row, col) else { continue };
                    values.add(row, col);
                    if r.typ == 0x0006 {
                        formulas.add(row, col);
                    }
                    if r.typ == 0x00FD {
                        let string = le32(r.data, 6).and_then(|i| strings.get(usize::try_from(i).ok()?));
                        // At most three bytes of UTF-8 per character.
                        text = text.saturating_add(string.map_or(0, |&cch| cch * 3));
                    }
                }
                // MULRK: six bytes per cell from the first column on.
                0x00BD if r.data.len() >= 6 => {
                    let (Some(row), Some(col)) = (row, col) else { continue };
                    let n = (r.data.len() - 6).div_ceil(6) as u64;
                    values.add(row, col);
                    values.add(row, col + n.saturating_sub(1));
                }
                _ => {}
            }
        }
        cells = cells.saturating_add(values.cells()).saturating_add(formulas.cells());
        if cells > max_cells {
            return too_large(format!(
                "spans {cells} cells between the outermost cells of its sheets, more than {max_cells}"
            ));
        }
        if text > MAX_TEXT_BYTES {
            return too_large(format!(
                "copies its shared strings into cells up to {} MB of text, more than {} MB",
                text / (1024 * 1024),
                MAX_TEXT_BYTES / (1024 * 1024)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend_from_slice(&u16::try_from(data.len()).unwrap().to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    /// A workbook stream: globals with one sheet and the given SST records, then the sheet's records.
    fn stream(sst: &[Vec<u8>], sheet: &[Vec<u8>]) -> Vec<u8> {
        let globals_len: usize = 8 + 10 + sst.iter().map(Vec::len).sum::<usize>() + 4;
        let mut s = record(0x0809, &[0; 4]);
        s.extend(record(0x0085, &[&u32::try_from(globals_len).unwrap().to_le_bytes()[..], &[0; 2]].concat()));
        sst.iter().for_each(|r| s.extend_from_slice(r));
        s.extend(record(0x000A, &[]));
        assert_eq!(s.len(), globals_len);
        s.extend(record(0x0809, &[0; 4]));
        sheet.iter().for_each(|r| s.extend_from_slice(r));
        s.extend(record(0x000A, &[]));
        s
    }

    fn label_sst(row: u16, col: u16, index: u32) -> Vec<u8> {
        record(0x00FD, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0; 2], &index.to_le_bytes()].concat())
    }

    #[test]
    fn shared_strings_are_measured_across_continue_records() {
        // "ab" (one byte a character), then a rich string of 5 characters split after 2 into a CONTINUE record
        // that switches to two bytes a character, with one formatting run (4 bytes) after it.
        let sst = record(0x00FC, &[&[0; 8][..], &[2, 0, 0], b"ab", &[5, 0, 0x08, 1, 0], b"cd"].concat());
        let cont = record(0x003C, &[&[1u8][..], &[b'e', 0, b'f', 0, b'g', 0], &[0; 4], &[1, 0, 0], b"h"].concat());
        let s = stream(&[sst, cont], &[]);
        let globals = records(&s).find(|r| r.typ == 0x00FC).unwrap();
        assert_eq!(shared_string_lengths(&globals), vec![2, 5, 1]);
    }

    #[test]
    fn a_long_shared_string_copied_into_many_cells_is_refused() {
        let mut sst = vec![0u8; 8];
        sst.extend_from_slice(&[0x60, 0xEA, 0]); // 60,000 characters of one byte
        sst.extend(std::iter::repeat_n(b'x', 60_000));
        let sst = record(0x00FC, &sst);
        let few: Vec<_> = (0..100).map(|r| label_sst(r, 0, 0)).collect();
        assert_eq!(check_biff(&stream(std::slice::from_ref(&sst), &few), 1_000_000), Ok(()));
        // 3,000 copies of up to 180,000 bytes: more than 512 MB.
        let many: Vec<_> = (0..3000).map(|r| label_sst(r, 0, 0)).collect();
        let err = check_biff(&stream(&[sst], &many), 1_000_000).unwrap_err();
        assert!(err.contains("up to 514 MB of text"), "{err}");
    }

    #[test]
    fn cells_far_apart_and_large_dimensions_are_refused() {
        let corners = [label_sst(0, 0, 0), label_sst(2000, 99, 0)];
        assert_eq!(check_biff(&stream(&[], &corners[..1]), 200_000), Ok(()));
        let err = check_biff(&stream(&[], &corners), 200_000).unwrap_err();
        assert!(err.contains("spans 200100 cells"), "{err}");
        // MULRK: row, first column, six bytes a cell, last column.
        let mulrk = record(0x00BD, &[&[0, 0, 0, 0][..], &[0; 6 * 3], &[2, 0]].concat());
        let mut s = stream(&[], &[mulrk]);
        assert_eq!(check_biff(&s, 3), Ok(()));
        assert!(check_biff(&s, 2).is_err());
        // DIMENSIONS (BIFF8): first row, row after the last, first column, column after the last.
        let dims =
            |rl: u32| record(0x0200, &[&0u32.to_le_bytes()[..], &rl.to_le_bytes(), &[0, 0, 100, 0, 0, 0]].concat());
        assert_eq!(check_biff(&stream(&[], &[dims(2000)]), 200_000), Ok(()));
        let err = check_biff(&stream(&[], &[dims(3000)]), 200_000).unwrap_err();
        assert!(err.contains("declares a sheet of 300000 cells"), "{err}");
        // A sheet that would begin past the end of the stream.
        s.truncate(20);
        assert!(check_biff(&s, 3).unwrap_err().contains("beyond the end of the workbook"));
    }
}
