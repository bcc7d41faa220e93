//! The typst door: our own [`World`], sandboxed to the templates root, with bundled fonts and a
//! fixed `today()`. Data reaches typst as in-memory files (`/data.json`, chart SVGs), never as
//! markup spliced into a string, so customer text can never become typst code.
//!
//! Only this module knows typst (DESIGN §1).

use crate::error::{Error, Result};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

/// Names of the built-in typst files (for `kebiao templates export`).
pub fn embedded_templates() -> &'static [(&'static str, &'static str)] {
    EMBEDDED
}

/// The built-in templates, embedded so the binary needs nothing beside it. `--templates DIR`
/// overrides them file by file.
const EMBEDDED: &[(&str, &str)] = &[
    ("lib.typ", include_str!("../../templates/lib.typ")),
    ("report.typ", include_str!("../../templates/report.typ")),
    ("form.typ", include_str!("../../templates/form.typ")),
];

static REGULAR: &[u8] = include_bytes!("../../templates/fonts/NotoSansCJKsc-Regular.otf");
static BOLD: &[u8] = include_bytes!("../../templates/fonts/NotoSansCJKsc-Bold.otf");

/// The family every template asks for first. Typst's own fonts follow for symbols (☑ from DejaVu).
pub const CJK_FAMILY: &str = "Noto Sans CJK SC";

/// The bundled fonts, parsed once per process (the two CJK faces are 33 MB; parsing is lazy).
fn bundled_fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut fonts: Vec<Font> = Vec::new();
        for data in [REGULAR, BOLD] {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        for data in typst_assets::fonts() {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        fonts
    })
}

/// The advance in em of `c` in the bundled regular CJK face (the face form values print in), or
/// `None` when the face has no glyph for it (typst then takes it from a fallback face).
pub fn cjk_advance(c: char) -> Option<f64> {
    use typst::text::{FontInstance, FontVariant, FontVariations};
    static FACE: OnceLock<Option<FontInstance>> = OnceLock::new();
    let face = FACE
        .get_or_init(|| {
            let font = bundled_fonts().first()?.clone();
            Some(font.instantiate(
                FontVariant::default(),
                typst::layout::Abs::pt(10.5),
                &FontVariations::default(),
            ))
        })
        .as_ref()?;
    let glyph = face.ttf().glyph_index(c)?;
    face.x_advance(glyph.0).map(|em| em.get())
}

/// A typst compiler set up once and used for many documents.
pub struct Engine {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Company template folder (`--templates DIR`), canonicalised; files here win over embedded ones.
    override_root: Option<PathBuf>,
}

impl Engine {
    /// # Errors
    /// The override folder does not exist, or a configured font file cannot be read.
    pub fn new(override_root: Option<&Path>, extra_font_files: &[String]) -> Result<Engine> {
        let mut fonts = Vec::new();
        // Company fonts (SimSun, YaHei …) come first so a family name in the config finds them.
        for file in extra_font_files {
            let data = std::fs::read(file)
                .map_err(|e| Error::Config(format!("fonts.files: {file}: {e}")))?;
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(data)));
            if fonts.len() == before {
                return Err(Error::Config(format!(
                    "fonts.files: {file}: 不是可用的字体文件 (not a font)"
                )));
            }
        }
        fonts.extend(bundled_fonts().iter().cloned());
        let book = FontBook::from_fonts(&fonts);
        let override_root = match override_root {
            Some(dir) => Some(
                dir.canonicalize()
                    .map_err(|e| Error::Usage(format!("--templates {}: {e}", dir.display())))?,
            ),
            None => None,
        };
        Ok(Engine {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            override_root,
        })
    }

    /// Compile `main` (a template path such as `report.typ`) with the given in-memory files
    /// (e.g. `data.json`, `charts/c1.svg`) and `today()` fixed to `today`.
    ///
    /// # Errors
    /// Typst reports an error; the message carries the template file and line.
    pub fn compile(
        &self,
        main: &str,
        files: HashMap<String, Vec<u8>>,
        today: NaiveDate,
    ) -> Result<PagedDocument> {
        let main_id = file_id(main)?;
        let world = KWorld {
            engine: self,
            main: main_id,
            memory: files
                .into_iter()
                .map(|(k, v)| (normalise_vpath(&k), Bytes::new(v)))
                .collect(),
            today,
        };
        let warned = typst::compile::<PagedDocument>(&world);
        let result = warned
            .output
            .map_err(|diags| Error::Render(describe(&world, &diags)));
        // Keep the memoisation cache from growing across the many documents of a batch.
        typst::comemo::evict(8);
        result
    }

    /// A PDF that is byte-identical for the same document: a fixed identifier and no timestamp.
    pub fn pdf(&self, doc: &PagedDocument, ident: &str, tagged: bool) -> Result<Vec<u8>> {
        let options = typst_pdf::PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some("kebiao".into())),
            timestamp: None,
            tagged,
            ..Default::default()
        };
        typst_pdf::pdf(doc, &options).map_err(|diags| {
            Error::Render(
                diags
                    .iter()
                    .map(|d| d.message.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

/// The integer a `#metadata(n)` element labelled `name` carries (e.g. the page count the footers
/// of a form record assume); `None` when the label is missing, not unique or not an integer.
pub fn label_int(doc: &PagedDocument, name: &str) -> Option<i64> {
    use typst::introspection::Introspector;
    let label = typst::foundations::Label::new(typst::utils::PicoStr::intern(name))?;
    let elem = doc.introspector().query_label(label).ok()?;
    let meta = elem.to_packed::<typst::introspection::MetadataElem>()?;
    match &meta.value {
        typst::foundations::Value::Int(n) => Some(*n),
        _ => None,
    }
}

/// The page (1-based) of the element labelled `name` (e.g. a `#metadata(..)#label("kf-s3")`
/// marker) in a laid-out document; `None` when the label is missing or not unique. A label
/// lookup is indexed, so asking for every record of a batch stays linear.
pub fn label_page(doc: &PagedDocument, name: &str) -> Option<usize> {
    use typst::introspection::Introspector;
    let label = typst::foundations::Label::new(typst::utils::PicoStr::intern(name))?;
    let intro = doc.introspector();
    let elem = intro.query_label(label).ok()?;
    intro.page(elem.location()?).map(|p| p.get())
}

/// Render one page to PNG (previews, tests, goldens).
pub fn png(doc: &PagedDocument, page: usize, pixel_per_pt: f32) -> Option<Vec<u8>> {
    let page = doc.pages().get(page)?;
    let opts = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(pixel_per_pt as f64),
        render_bleed: false,
    };
    typst_render::render(page, &opts).encode_png().ok()
}

/// The text of each page, in the order typst laid it out, for tests: what a reader of the PDF
/// sees, taken from the typst document itself (no external PDF tools needed). Runs that touch on
/// one line (a font fallback splits a run) are joined without a space; others are separated.
pub fn page_texts(doc: &PagedDocument) -> Vec<String> {
    use typst::layout::{Abs, FrameItem, Point};
    struct Acc {
        out: String,
        last: Option<(Abs, Abs)>, // (baseline y, x where the previous run ended)
    }
    fn walk(frame: &typst::layout::Frame, origin: Point, acc: &mut Acc) {
        for (pos, item) in frame.items() {
            let at = origin + *pos;
            match item {
                FrameItem::Group(g) => walk(
                    &g.frame,
                    at + Point::new(g.transform.tx, g.transform.ty),
                    acc,
                ),
                FrameItem::Text(t) => {
                    let touching = acc.last.is_some_and(|(y, x)| {
                        (y - at.y).abs() < Abs::pt(0.5) && (x - at.x).abs() < Abs::pt(0.5)
                    });
                    if !acc.out.is_empty() && !touching {
                        acc.out.push(' ');
                    }
                    acc.out.push_str(t.text.as_str());
                    acc.last = Some((at.y, at.x + t.width()));
                }
                _ => {}
            }
        }
    }
    doc.pages()
        .iter()
        .map(|p| {
            let mut acc = Acc {
                out: String::new(),
                last: None,
            };
            walk(&p.frame, Point::zero(), &mut acc);
            acc.out
        })
        .collect()
}

/// Every font family used by text in the document (to check that CJK text used the CJK font).
pub fn used_families(doc: &PagedDocument) -> Vec<String> {
    fn walk(frame: &typst::layout::Frame, out: &mut Vec<String>) {
        for (_, item) in frame.items() {
            match item {
                typst::layout::FrameItem::Group(g) => walk(&g.frame, out),
                typst::layout::FrameItem::Text(t) => {
                    let fam = t.font.info().family.clone();
                    if !out.contains(&fam) {
                        out.push(fam);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for p in doc.pages() {
        walk(&p.frame, &mut out);
    }
    out.sort();
    out
}

fn normalise_vpath(p: &str) -> String {
    format!("/{}", p.trim_start_matches('/'))
}

fn file_id(path: &str) -> Result<FileId> {
    let vpath = VirtualPath::new(normalise_vpath(path))
        .map_err(|e| Error::Render(format!("{path}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

struct KWorld<'a> {
    engine: &'a Engine,
    main: FileId,
    memory: HashMap<String, Bytes>,
    today: NaiveDate,
}

impl KWorld<'_> {
    fn read(&self, id: FileId) -> FileResult<Bytes> {
        let rooted = id.get();
        if !matches!(rooted.root(), VirtualRoot::Project) {
            // No packages: nothing may be downloaded, and templates must be self-contained.
            return Err(FileError::Other(Some(
                "kebiao templates cannot import packages".into(),
            )));
        }
        let vpath = rooted.vpath().get_with_slash().to_string();
        if let Some(bytes) = self.memory.get(&vpath) {
            return Ok(bytes.clone());
        }
        let rel = vpath.trim_start_matches('/');
        if Path::new(rel)
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(FileError::AccessDenied);
        }
        if let Some(root) = &self.engine.override_root {
            let candidate = root.join(rel);
            if candidate.exists() {
                // Resolve symlinks and refuse anything that lands outside the templates folder.
                let real = candidate
                    .canonicalize()
                    .map_err(|e| FileError::from_io(e, &candidate))?;
                if !real.starts_with(root) {
                    return Err(FileError::AccessDenied);
                }
                return std::fs::read(&real)
                    .map(Bytes::new)
                    .map_err(|e| FileError::from_io(e, &real));
            }
        }
        EMBEDDED
            .iter()
            .find(|(name, _)| *name == rel)
            .map(|(_, text)| Bytes::new(text.as_bytes()))
            .ok_or_else(|| FileError::NotFound(PathBuf::from(vpath)))
    }
}

impl World for KWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.engine.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        let bytes = self.read(id)?;
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_string()))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.read(id)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        // The report date, never the wall clock: same input, same bytes.
        Datetime::from_ymd(
            self.today.year(),
            self.today.month() as u8,
            self.today.day() as u8,
        )
    }
}

fn describe(world: &KWorld, diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let mut s = String::new();
            if let Some(id) = d.span.id() {
                s.push_str(id.get().vpath().get_without_slash());
                if let (Some(range), Ok(src)) = (world.range(d.span), world.source(id)) {
                    if let Some((line, col)) = src.lines().byte_to_line_column(range.start) {
                        s.push_str(&format!(":{}:{}", line + 1, col + 1));
                    }
                }
                s.push_str(": ");
            }
            s.push_str(&d.message);
            for hint in &d.hints {
                s.push_str(&format!(" (提示 hint: {})", hint.v));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new(None, &[]).unwrap()
    }

    fn doc_of(src: &str) -> Result<PagedDocument> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.typ"), src).unwrap();
        let e = Engine::new(Some(dir.path()), &[]).unwrap();
        e.compile(
            "t.typ",
            HashMap::new(),
            NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
        )
    }

    #[test]
    fn rare_and_traditional_characters_use_the_cjk_font() {
        let doc =
            doc_of("#set text(font: \"Noto Sans CJK SC\")\n𠮷 䶮 𬌗 客戶編號 “引号”——").unwrap();
        let text = page_texts(&doc).join("");
        assert!(
            text.contains("𠮷") && text.contains("𬌗") && text.contains("客戶編號"),
            "{text}"
        );
        assert_eq!(used_families(&doc), vec!["Noto Sans CJK SC".to_string()]);
    }

    #[test]
    fn today_is_the_report_date_not_the_clock() {
        let doc = doc_of("#datetime.today().display()").unwrap();
        assert!(page_texts(&doc)[0].contains("2024-04-01"));
    }

    #[test]
    fn sandbox_refuses_escapes_and_packages() {
        let err = doc_of("#read(\"/etc/passwd\")").unwrap_err().to_string();
        assert!(err.contains("not found") || err.contains("denied"), "{err}");
        let err = doc_of("#read(\"../../../../etc/passwd\")")
            .unwrap_err()
            .to_string();
        assert!(!err.is_empty());
        let err = doc_of("#import \"@preview/cetz:0.3.0\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("package"), "{err}");
    }

    #[test]
    fn symlink_out_of_the_templates_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.typ"), "#read(\"secret.txt\")").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("s.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(outside.path().join("s.txt"), dir.path().join("secret.txt"))
            .unwrap();
        let e = Engine::new(Some(dir.path()), &[]).unwrap();
        let err = e
            .compile(
                "t.typ",
                HashMap::new(),
                NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            )
            .unwrap_err();
        assert!(err.to_string().contains("denied"), "{err}");
    }

    #[test]
    fn data_is_data_and_pdf_is_repeatable() {
        let e = engine();
        let json = serde_json::json!({"name": "#panic(\"x\") *b* $x$ <l> @r"});
        let files = HashMap::from([("data.json".to_string(), serde_json::to_vec(&json).unwrap())]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.typ"),
            "#let d = json(\"/data.json\")\n#d.name",
        )
        .unwrap();
        let e2 = Engine::new(Some(dir.path()), &[]).unwrap();
        let doc = e2
            .compile(
                "t.typ",
                files.clone(),
                NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            )
            .unwrap();
        assert!(page_texts(&doc)[0].contains("#panic(\"x\") *b* $x$ <l> @r"));
        let a = e.pdf(&doc, "t", true).unwrap();
        let doc2 = e2
            .compile("t.typ", files, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap())
            .unwrap();
        let b = e.pdf(&doc2, "t", true).unwrap();
        assert_eq!(a, b);
        assert!(png(&doc, 0, 0.5).unwrap().starts_with(b"\x89PNG"));
    }
}
