//! Reading a massif profile: the heap at its peak, by allocation site, each site named by the
//! first function that asked for the memory (a buffer of the HTTP client, a task, …) rather
//! than by the allocator's plumbing.
//!
//! Heap only: thread stacks and the allocator's own overhead are not in it, so its total is
//! below the RSS the memory table shows.

/// One allocation site at the heap's peak.
#[derive(Debug, Clone)]
pub struct Site {
    pub bytes: u64,
    /// The first frame that names who asked (not the allocator, not `Vec`'s growth).
    pub place: String,
}

#[derive(Debug, Clone)]
pub struct Peak {
    pub total: u64,
    /// The biggest sites, largest first.
    pub sites: Vec<Site>,
}

/// Frames that only say *how* memory was asked for, not who asked: the allocator, `Vec`'s and
/// `BytesMut`'s growth, and (in a debug build, where massif names inlined frames) their helpers.
/// A frame is plumbing if its name contains one of these (`reserve` covers `BytesMut::reserve`).
const PLUMBING: &[&str] = &[
    "(heap allocation functions)",
    "__rustc::",
    "__rust_",
    "__rdl_",
    "alloc::",
    "RawVec",
    "finish_grow",
    "grow_one",
    "Vec<T",
    "hashbrown::",
    "malloc",
    "calloc",
    "realloc",
    "core::ptr::",
    "allocate_in",
    "with_capacity",
    "extend_with",
    "extend_trusted",
    "from_elem",
    "resize",
    "reserve",
    "alloc_impl",
    "Allocator>::allocate",
];

/// Frames that are nothing but an allocator call, by their whole name.
const PLUMBING_NAMES: &[&str] = &[
    "alloc",
    "allocate",
    "allocate_zeroed",
    "alloc_zeroed",
    "realloc",
    "new",
    "box_new",
];

fn is_plumbing(place: &str) -> bool {
    PLUMBING_NAMES.contains(&place) || PLUMBING.iter().any(|p| place.contains(p))
}

/// One line of a massif heap tree: `  n2: 44960000 0x3659D8: tokio::…::channel (in /bin/x)`.
struct Node {
    depth: usize,
    bytes: u64,
    frame: String,
}

fn node(line: &str) -> Option<Node> {
    let depth = line.len() - line.trim_start().len();
    let rest = line.trim_start().strip_prefix('n')?;
    let (_, rest) = rest.split_once(": ")?;
    let (bytes, frame) = rest.split_once(' ')?;
    Some(Node {
        depth,
        bytes: bytes.parse().ok()?,
        frame: frame.to_owned(),
    })
}

/// `0x3659D8: tokio::sync::mpsc::chan::channel (in /work/…/client)` → the function.
fn function(frame: &str) -> String {
    let frame = match frame.split_once(": ") {
        Some((address, rest)) if address.starts_with("0x") => rest,
        _ => frame,
    };
    let frame = frame.rsplit_once(" (in ").map_or(frame, |(name, _)| name);
    // With debug info a frame ends in its source place: `alloc (library/alloc/src/alloc.rs:95)`.
    let frame = match frame.rsplit_once(" (") {
        Some((name, place)) if place.contains(':') && place.ends_with(')') => name,
        _ => frame,
    };
    let frame = frame.trim();
    if frame.starts_with("in ") && frame.contains("places") {
        return "many smaller sites".into();
    }
    shorten(frame)
}

/// `<ureq::…::LazyBuffers as ureq::…::Buffers>::output` → `ureq::…::LazyBuffers::output`, and
/// at most 90 characters: the type that allocates says more than the trait it implements.
pub fn shorten(frame: &str) -> String {
    let mut name = frame.to_owned();
    if let Some(inner) = frame.strip_prefix('<')
        && let Some((implementor, rest)) = inner.split_once(" as ")
        && let Some((_, method)) = rest.rsplit_once(">::")
    {
        name = format!("{implementor}::{method}");
    }
    if name.chars().count() > 90 {
        name = name.chars().take(89).collect::<String>() + "…";
    }
    name
}

/// The peak snapshot's biggest sites, each named by its first frame that is not plumbing.
pub fn parse(text: &str) -> Option<Peak> {
    let start = text.find("heap_tree=peak")?;
    let tree: Vec<Node> = text[start..]
        .lines()
        .skip(1)
        .take_while(|line| !line.starts_with('#') && !line.starts_with("snapshot="))
        .filter_map(node)
        .collect();
    let total = tree.first()?.bytes;
    let mut sites: Vec<Site> = Vec::new();
    for (at, site) in tree.iter().enumerate().filter(|(_, n)| n.depth == 1) {
        // Down the largest child (massif lists it first) until a frame names who asked.
        let mut place = function(&site.frame);
        let mut depth = site.depth;
        for below in &tree[at + 1..] {
            if !is_plumbing(&place) || below.depth <= site.depth {
                break;
            }
            if below.depth == depth + 1 {
                place = function(&below.frame);
                depth = below.depth;
            }
        }
        // Two paths into the same function (a buffer reserved twice) are one site.
        match sites.iter_mut().find(|same| same.place == place) {
            Some(same) => same.bytes += site.bytes,
            None => sites.push(Site {
                bytes: site.bytes,
                place,
            }),
        }
    }
    sites.sort_by_key(|site| std::cmp::Reverse(site.bytes));
    Some(Peak { total, sites })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "snapshot=1
#-----------
time=10
mem_heap_B=100
heap_tree=detailed
n0: 100 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
#-----------
snapshot=2
#-----------
time=20
mem_heap_B=30000
heap_tree=peak
n3: 30000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
 n1: 18000 0x3659D8: tokio::sync::mpsc::chan::channel (in /bin/client)
  n0: 18000 0x35C532: <core::pin::Pin<P> as Future>::poll (in /bin/client)
 n1: 8192 0x69BCFC: alloc::raw_vec::RawVecInner<A>::finish_grow (in /bin/client)
  n1: 8192 0x69BD93: alloc (library/alloc/src/alloc.rs:95)
   n0: 8192 0x37B844: hyper::proto::h1::io::Buffered<T,B>::poll_read_from_io (src/proto/h1/io.rs:242)
 n0: 3808 in 12 places, all below massif's threshold (0.50%)
#-----------
snapshot=3
";

    #[test]
    fn the_peak_by_site_named_by_who_asked() {
        let peak = parse(SAMPLE).unwrap();
        assert_eq!(peak.total, 30000);
        let places: Vec<(&str, u64)> = peak
            .sites
            .iter()
            .map(|s| (s.place.as_str(), s.bytes))
            .collect();
        assert_eq!(
            places,
            [
                ("tokio::sync::mpsc::chan::channel", 18000),
                (
                    "hyper::proto::h1::io::Buffered<T,B>::poll_read_from_io",
                    8192
                ),
                ("many smaller sites", 3808),
            ]
        );
    }

    #[test]
    fn names_are_short_and_sites_merge() {
        assert_eq!(
            shorten("<ureq::buf::LazyBuffers as ureq::buf::Buffers>::output"),
            "ureq::buf::LazyBuffers::output"
        );
        assert_eq!(shorten(&"x".repeat(200)).chars().count(), 90);
        let text = SAMPLE.replace(
            "0x3659D8: tokio::sync::mpsc::chan::channel",
            "0x3659D8: hyper::proto::h1::io::Buffered<T,B>::poll_read_from_io",
        );
        let peak = parse(&text).unwrap();
        assert_eq!(peak.sites[0].bytes, 18000 + 8192);
    }

    #[test]
    fn no_peak_no_profile() {
        assert!(parse("snapshot=0\nheap_tree=empty\n").is_none());
    }
}
