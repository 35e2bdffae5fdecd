//! The offline copy: the whole site rendered with links that name their files (so it works from
//! `file://`), zipped deterministically under one top-level folder with a plain `README.txt`.
//!
//! `guidance build` publishes the zip at `download/<name>` inside the site, and the Download page
//! shows its size. The zip holds its own render of the site, made first and without a zip of its
//! own, so it never contains itself.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{PartialDate, Site};
use crate::render::{LinkStyle, OutputFile, RenderOptions, Renderer};
use crate::theme::Theme;

/// A built offline copy: the zip's file name and bytes.
#[derive(Clone, Debug)]
pub struct OfflineCopy {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The date of the content the site holds: the newest `updated` (or, failing that, `published`)
/// date among the notes. `None` when no note is dated.
pub fn content_date(site: &Site) -> Option<PartialDate> {
    site.notes
        .iter()
        .filter_map(|n| n.meta.updated.or(n.meta.published))
        .max()
}

/// `<offline_name>-offline-<version>`, where the version is the content date, or the generator's
/// version when no note is dated. Names both the zip and the folder inside it.
pub fn stem(site: &Site) -> String {
    let version =
        content_date(site).map_or_else(|| env!("CARGO_PKG_VERSION").to_string(), |d| d.to_string());
    format!("{}-offline-{version}", site.config.offline_name)
}

/// The zip's file name, e.g. `cepa-guidance-offline-2024-05-10.zip`.
pub fn file_name(site: &Site) -> String {
    format!("{}.zip", stem(site))
}

/// Where `guidance build` puts the zip inside the published site.
pub fn site_path(site: &Site) -> String {
    format!("download/{}", file_name(site))
}

/// Renders the site for `file://` and zips it.
pub fn offline_copy(site: &Site, theme: &Theme) -> Result<OfflineCopy, Diagnostics> {
    let options = RenderOptions {
        link_style: LinkStyle::File,
        ..RenderOptions::default()
    };
    let renderer = Renderer::new(site, theme, options)?;
    let mut files = crate::generate_with(&renderer, site, theme)?;
    files.push(OutputFile {
        path: "README.txt".to_string(),
        bytes: renderer.offline_readme().into_bytes(),
    });
    let bytes = zip_folder(&stem(site), &files, modified_time(site)).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "zip",
            format!("cannot make the offline copy: {e}"),
        ))
    })?;
    Ok(OfflineCopy {
        file_name: file_name(site),
        bytes,
    })
}

/// What `guidance bundle` reports.
#[derive(Debug)]
pub struct BundleReport {
    pub warnings: Diagnostics,
    pub path: PathBuf,
    pub bytes: usize,
}

/// `guidance bundle`: writes only the offline copy, to `out` or to its own name in the current
/// folder. The file is written under a temporary name and renamed, so a failure leaves no half zip.
pub fn bundle(root: &Path, out: Option<&Path>) -> Result<BundleReport, Diagnostics> {
    let (site, mut warnings) = crate::load_site(root)?;
    let theme = Theme::load(root)?;
    warnings.extend(theme.warnings().clone());
    let copy = offline_copy(&site, &theme)?;
    let path = out.map_or_else(|| PathBuf::from(&copy.file_name), Path::to_path_buf);
    write_file_atomically(&path, &copy.bytes).map_err(|e| {
        Diagnostics::from(
            Diagnostic::error("io", format!("cannot write the offline copy: {e}"))
                .in_file(path.display().to_string()),
        )
    })?;
    Ok(BundleReport {
        warnings,
        path,
        bytes: copy.bytes.len(),
    })
}

fn write_file_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let mut file = tempfile::Builder::new()
        .prefix(".offline-")
        .tempfile_in(&parent)?;
    let _registered = crate::emit::Unfinished::register(file.path());
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    // A temporary file is private (0600); the copy is meant to be shared like any download.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Zips `files` under `folder/`: entries sorted by path, a directory entry before its contents,
/// every timestamp `modified`, permissions 0644 (files) and 0755 (folders), Unix attributes and
/// one compression level, so the same files always give the same bytes. Files are compressed in
/// parallel.
pub fn zip_folder(folder: &str, files: &[OutputFile], modified: ZipTime) -> io::Result<Vec<u8>> {
    use rayon::prelude::*;
    let mut sorted: Vec<&OutputFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let entries = sorted
        .par_iter()
        .map(|file| ZipEntry::compress(&file.path, &file.bytes, Spill::Memory))
        .collect::<io::Result<Vec<ZipEntry>>>()?;
    let mut zip = FolderZip::new(Vec::new(), folder, modified)?;
    for entry in entries {
        zip.add(entry)?;
    }
    zip.finish()
}

/// When the entries of a zip say they were modified.
pub type ZipTime = rawzip::time::UtcDateTime;

/// One file of a zip, already compressed (raw deflate) on any thread, later written into the
/// whole zip as it is by [`FolderZip::add`].
pub struct ZipEntry {
    path: String,
    deflated: Deflated,
    crc: u32,
    size: u64,
}

/// Compressed bytes waiting for the zip to reach their entry.
enum Deflated {
    Held(Vec<u8>),
    Spilled(std::fs::File),
}

/// Where a file compressed as it is written (larger than [`WHOLE_UP_TO`]) waits for its place
/// in the zip.
#[derive(Clone, Copy)]
pub enum Spill<'a> {
    /// In memory: for a zip made whole in memory anyway.
    Memory,
    /// In an unnamed temporary file in this folder (the build's staging folder, which is
    /// writable and on the output's file system), so a build holds no output that grows with
    /// the corpus (the print edition: 58 MB compressed at 10,000 notes).
    In(&'a Path),
}

impl ZipEntry {
    /// Compresses the file at `path` (inside the zip's folder).
    pub fn compress(path: &str, bytes: &[u8], spill: Spill) -> io::Result<ZipEntry> {
        if bytes.len() > WHOLE_UP_TO {
            return ZipEntry::compress_with(path, spill, |out| out.write_all(bytes));
        }
        let (deflated, crc, size) = deflate_whole(bytes)?;
        Ok(ZipEntry {
            path: path.to_string(),
            deflated: Deflated::Held(deflated),
            crc,
            size,
        })
    }

    /// Compresses what `fill` writes as the file at `path` (inside the zip's folder).
    pub fn compress_with<E: From<io::Error>>(
        path: &str,
        spill: Spill,
        fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    ) -> Result<ZipEntry, E> {
        let mut deflating = Deflating::Whole(Vec::new(), spill);
        fill(&mut deflating)?;
        let (deflated, crc, size) = deflating.finish()?;
        Ok(ZipEntry {
            path: path.to_string(),
            deflated,
            crc,
            size,
        })
    }
}

/// Files held whole are deflated at libdeflate's level 1. Against its level 4 the zip is 4.5%
/// larger (1,000 synthetic notes: 35.0 -> 36.5 MB; the real content's 1.96 -> 2.05 MB), and the
/// build takes 13% less CPU time: a third of it was compression. The speed targets are the
/// build's; the download grows by a few seconds on a slow line.
const WHOLE_LEVEL: i32 = 1;

/// A file compressed as it is written (the print edition) takes zlib-rs's level 2, the same
/// trade as the whole files' level 1. On the 1,000-note print edition (25 MB): level 2 takes 140 ms
/// for 25.9%, level 3 190 ms for 24.0%, level 4 270 ms for 23.3%; level 1 (100 ms) gives 34%. The
/// edition is compressed on a thread of its own beside the pages: against level 3, builds took
/// about 6% less wall time (1,000 and 10,000 notes; 3% less CPU time at 1,000) for a zip 1.3 to
/// 1.5% larger.
const STREAM_LEVEL: u32 = 2;

/// Files up to this size are held whole and compressed in one call (libdeflate, which needs the
/// whole input); a larger one (the print edition: 25 MB at 1,000 notes) is compressed as it is
/// written (zlib-rs), so it is never held uncompressed.
const WHOLE_UP_TO: usize = 1 << 20;

/// The streaming compressor's input block: its output depends on how its input is cut into
/// writes, so every file reaches it in blocks of this one size, however it was written.
const COMPRESS_BLOCK: usize = 64 * 1024;

/// A file on its way into a zip entry.
enum Deflating<'a> {
    Whole(Vec<u8>, Spill<'a>),
    Streaming(Box<Stream>),
}

/// A file being compressed as it is written.
struct Stream {
    encoder: flate2::write::DeflateEncoder<Sink>,
    /// Input waiting to make up a whole block.
    block: Vec<u8>,
    crc: libdeflater::Crc,
    size: u64,
}

thread_local! {
    /// A compressor per thread: it holds a few hundred KB of tables, set up once; and the
    /// buffer it compresses into, kept so that each file does not zero a new one.
    static COMPRESSOR: std::cell::RefCell<(libdeflater::Compressor, Vec<u8>)> =
        std::cell::RefCell::new((
            libdeflater::Compressor::new(
                libdeflater::CompressionLvl::new(WHOLE_LEVEL).expect("a valid level"),
            ),
            Vec::new(),
        ));
}

impl Deflating<'_> {
    /// The deflated bytes (held to their length: theme and data files' entries wait for the zip to
    /// reach them), the CRC-32 and the size of what was written.
    fn finish(self) -> io::Result<(Deflated, u32, u64)> {
        match self {
            Deflating::Whole(bytes, _) => {
                let (deflated, crc, size) = deflate_whole(&bytes)?;
                Ok((Deflated::Held(deflated), crc, size))
            }
            Deflating::Streaming(mut stream) => {
                stream.encoder.write_all(&stream.block)?;
                let deflated = match stream.encoder.finish()? {
                    Sink::Memory(bytes) => Deflated::Held(bytes),
                    Sink::File(file) => Deflated::Spilled(file.into_inner()?),
                };
                Ok((deflated, stream.crc.sum(), stream.size))
            }
        }
    }
}

/// `bytes` deflated in one call, with their CRC-32 and size.
fn deflate_whole(bytes: &[u8]) -> io::Result<(Vec<u8>, u32, u64)> {
    COMPRESSOR.with_borrow_mut(|(compressor, scratch)| {
        let bound = compressor.deflate_compress_bound(bytes.len());
        if scratch.len() < bound {
            scratch.resize(bound, 0);
        }
        let length = compressor
            .deflate_compress(bytes, scratch)
            .map_err(io::Error::other)?;
        Ok((
            scratch[..length].to_vec(),
            libdeflater::crc32(bytes),
            bytes.len() as u64,
        ))
    })
}

impl Write for Deflating<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Deflating::Whole(held, _) if held.len() + data.len() <= WHOLE_UP_TO => {
                held.extend_from_slice(data);
            }
            Deflating::Whole(held, spill) => {
                // Too large to hold: compressed from here on as it comes, from its start.
                let sink = match spill {
                    Spill::Memory => Sink::Memory(Vec::new()),
                    Spill::In(dir) => Sink::File(io::BufWriter::new(tempfile::tempfile_in(dir)?)),
                };
                let mut stream = Stream {
                    encoder: flate2::write::DeflateEncoder::new(
                        sink,
                        flate2::Compression::new(STREAM_LEVEL),
                    ),
                    block: Vec::with_capacity(COMPRESS_BLOCK),
                    crc: libdeflater::Crc::new(),
                    size: 0,
                };
                stream.take(held)?;
                stream.take(data)?;
                *self = Deflating::Streaming(Box::new(stream));
            }
            Deflating::Streaming(stream) => stream.take(data)?,
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        // A partial block passed on would change the blocks; `finish` ends the file.
        Ok(())
    }
}

/// Where a stream's compressed bytes go (see [`Spill`]).
enum Sink {
    Memory(Vec<u8>),
    File(io::BufWriter<std::fs::File>),
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Memory(bytes) => bytes.write(data),
            Sink::File(file) => file.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Memory(_) => Ok(()),
            Sink::File(file) => file.flush(),
        }
    }
}

impl Stream {
    /// Passes `data` on to the compressor in whole blocks, keeping the rest for the next block.
    fn take(&mut self, data: &[u8]) -> io::Result<()> {
        self.crc.update(data);
        self.size += data.len() as u64;
        let mut rest = data;
        while !rest.is_empty() {
            let taken = rest.len().min(COMPRESS_BLOCK - self.block.len());
            self.block.extend_from_slice(&rest[..taken]);
            rest = &rest[taken..];
            if self.block.len() == COMPRESS_BLOCK {
                self.encoder.write_all(&self.block)?;
                self.block.clear();
            }
        }
        Ok(())
    }
}

/// A zip being written entry by entry under one top-level folder. Entries must come in path
/// order; each folder on the way to an entry gets its own entry the first time it is needed.
pub struct FolderZip<W: Write> {
    zip: rawzip::ZipArchiveWriter<W>,
    folder: String,
    modified: ZipTime,
    dirs: std::collections::HashSet<String>,
    last: Option<String>,
}

impl<W: Write> FolderZip<W> {
    pub fn new(writer: W, folder: &str, modified: ZipTime) -> io::Result<FolderZip<W>> {
        let mut zip = FolderZip {
            zip: rawzip::ZipArchiveWriter::new(writer),
            folder: folder.to_string(),
            modified,
            dirs: Default::default(),
            last: None,
        };
        zip.add_directory(format!("{folder}/"))?;
        Ok(zip)
    }

    fn add_directory(&mut self, path: String) -> io::Result<()> {
        self.zip
            .new_dir(path)
            .last_modified(self.modified)
            .unix_permissions(0o040755)
            .create()
            .map_err(io::Error::other)?;
        Ok(())
    }

    /// Appends an entry, after the folders that lead to it.
    pub fn add(&mut self, entry: ZipEntry) -> io::Result<()> {
        // Sorted input is what makes the archive the same on every build.
        if self.last.as_ref().is_some_and(|last| *last >= entry.path) {
            return Err(io::Error::other(format!(
                "zip entries out of order at {}",
                entry.path
            )));
        }
        let mut at = 0;
        while let Some(slash) = entry.path[at..].find('/') {
            let dir = &entry.path[..at + slash];
            if self.dirs.insert(dir.to_string()) {
                self.add_directory(format!("{}/{dir}/", self.folder))?;
            }
            at += slash + 1;
        }
        let (mut data, _) = self
            .zip
            .new_file(format!("{}/{}", self.folder, entry.path))
            .compression_method(rawzip::CompressionMethod::DEFLATE)
            .last_modified(self.modified)
            .unix_permissions(0o100644)
            .start()
            .map_err(io::Error::other)?;
        match entry.deflated {
            Deflated::Held(bytes) => data.write_all(&bytes)?,
            Deflated::Spilled(mut file) => {
                io::Seek::rewind(&mut file)?;
                io::copy(&mut file, &mut data)?;
            }
        }
        data.finish(rawzip::DataDescriptorOutput::new(entry.crc, entry.size))
            .map_err(io::Error::other)?;
        self.last = Some(entry.path);
        Ok(())
    }

    pub fn finish(self) -> io::Result<W> {
        self.zip.finish().map_err(io::Error::other)
    }
}

/// The timestamp every entry of the copy carries: midnight on the content date (the zip format's
/// earliest, 1 January 1980, when no note is dated or the date is before it).
pub fn modified_time(site: &Site) -> ZipTime {
    content_date(site)
        .and_then(zip_time)
        .or_else(|| ZipTime::from_components(1980, 1, 1, 0, 0, 0, 0))
        .expect("a valid date")
}

/// Midnight on `date`, if a zip can say it (its dates run from 1980 to 2107).
fn zip_time(date: PartialDate) -> Option<ZipTime> {
    if !(1980..=2107).contains(&date.year) {
        return None;
    }
    let month = date.month.unwrap_or(1);
    ZipTime::from_components(date.year, month, date.day.unwrap_or(1), 0, 0, 0, 0)
}

/// A byte count for people: `840 KB`, `1.4 MB` (decimal units, as file managers show them).
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} KB", bytes.div_ceil(1000).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    /// The compressed bytes, wherever they wait.
    fn deflated(deflated: Deflated) -> Vec<u8> {
        use std::io::{Read, Seek};
        match deflated {
            Deflated::Held(bytes) => bytes,
            Deflated::Spilled(mut file) => {
                let mut bytes = Vec::new();
                file.rewind().unwrap();
                file.read_to_end(&mut bytes).unwrap();
                bytes
            }
        }
    }

    #[test]
    fn zips_are_identical_whatever_the_input_order() {
        let a = [
            file("b/index.html", "b"),
            file("index.html", "home"),
            file("a/c/d.css", "x"),
        ];
        let b = [
            file("a/c/d.css", "x"),
            file("index.html", "home"),
            file("b/index.html", "b"),
        ];
        let time = ZipTime::from_components(2024, 5, 10, 0, 0, 0, 0).unwrap();
        let one = zip_folder("copy", &a, time).unwrap();
        assert_eq!(one, zip_folder("copy", &b, time).unwrap());
        let archive = zip::ZipArchive::new(io::Cursor::new(one)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.name_for_index(i).unwrap().unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "copy/",
                "copy/a/",
                "copy/a/c/",
                "copy/a/c/d.css",
                "copy/b/",
                "copy/b/index.html",
                "copy/index.html"
            ]
        );
    }

    #[test]
    fn entries_carry_the_fixed_time_and_permissions() {
        let time = ZipTime::from_components(2021, 2, 1, 0, 0, 0, 0).unwrap();
        let bytes = zip_folder("copy", &[file("index.html", "home")], time).unwrap();
        let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        let entry = archive.by_name("copy/index.html").unwrap();
        assert_eq!(entry.name().unwrap(), "copy/index.html");
        let expected = zip::DateTime::from_date_and_time(2021, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(entry.last_modified(), Some(expected));
        assert_eq!(entry.unix_mode().map(|m| m & 0o777), Some(0o644));
        drop(entry);
        let dir = archive.by_name("copy/").unwrap();
        assert!(dir.is_dir());
        assert_eq!(dir.unix_mode().map(|m| m & 0o777), Some(0o755));
    }

    #[test]
    fn a_file_compresses_the_same_however_it_is_written() {
        // One file held whole, one compressed as it is written.
        for lines in [2_000, 80_000] {
            let text: String = (0..lines)
                .map(|i| format!("<p>word {} of {}</p>\n", i * 7919 % 1000, i % 37))
                .collect();
            // In memory one way, in a temporary file the other.
            let spill_dir = tempfile::tempdir().unwrap();
            let whole = ZipEntry::compress("a.html", text.as_bytes(), Spill::Memory).unwrap();
            let spill = Spill::In(spill_dir.path());
            let pieces = ZipEntry::compress_with("a.html", spill, |out| {
                for (i, piece) in text.as_bytes().chunks(1000).enumerate() {
                    // Pieces of varying sizes, as a template writes them.
                    let (a, b) = piece.split_at(i % piece.len().max(1));
                    out.write_all(a)?;
                    out.write_all(b)?;
                }
                Ok::<(), io::Error>(())
            })
            .unwrap();
            assert_eq!(text.len() > WHOLE_UP_TO, lines > 2_000);
            assert!(deflated(whole.deflated) == deflated(pieces.deflated));
            assert_eq!((whole.crc, whole.size), (pieces.crc, pieces.size));
        }
    }

    #[test]
    fn what_is_zipped_unzips_to_the_same_bytes() {
        use std::io::Read;
        let small = file("small.txt", "a few words");
        let index = file("search/en/t0.js", &"\"term\":[1,2,3],".repeat(500));
        let large_text: String = (0..400_000).map(|i| format!("{} ", i % 997)).collect();
        let large = file("large.txt", &large_text);
        assert!(large.bytes.len() > WHOLE_UP_TO);
        // Text that hardly compresses, and so compresses to more than a block's worth.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: String = (0..3 * WHOLE_UP_TO)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 90) as u8)
            })
            .collect();
        let noise = file("noise.txt", &noise);
        let time = ZipTime::from_components(2024, 5, 10, 0, 0, 0, 0).unwrap();
        let mut files = [small, index, large, noise];
        files.sort_by(|a, b| a.path.cmp(&b.path));
        // Large files waiting in memory (`zip_folder`), then in unnamed temporary files.
        let spill_dir = tempfile::tempdir().unwrap();
        let in_files = {
            let mut zip = FolderZip::new(Vec::new(), "copy", time).unwrap();
            for f in &files {
                let entry = ZipEntry::compress(&f.path, &f.bytes, Spill::In(spill_dir.path()));
                let entry = entry.unwrap();
                let large = f.bytes.len() > WHOLE_UP_TO;
                assert_eq!(matches!(entry.deflated, Deflated::Spilled(_)), large);
                zip.add(entry).unwrap();
            }
            zip.finish().unwrap()
        };
        // The temporary files had no names and are gone with their entries.
        assert_eq!(std::fs::read_dir(spill_dir.path()).unwrap().count(), 0);
        for bytes in [zip_folder("copy", &files, time).unwrap(), in_files] {
            let mut archive = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
            for original in &files {
                let mut entry = archive.by_name(&format!("copy/{}", original.path)).unwrap();
                let mut unzipped = Vec::new();
                entry.read_to_end(&mut unzipped).unwrap();
                assert!(unzipped == original.bytes, "{} changed", original.path);
            }
        }
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(0), "1 KB");
        assert_eq!(human_size(840_001), "841 KB");
        assert_eq!(human_size(1_440_000), "1.4 MB");
    }
}
