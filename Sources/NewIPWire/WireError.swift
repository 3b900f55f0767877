/// Why a decoder refused its input, and where.
///
/// Offsets count bytes from the start of the buffer the decoder was given; a decoder that
/// calls another one shifts the inner error's offset so it always points into the outer buffer.
/// Truncation (the bytes ran out) and malformed content (the bytes are there but wrong) are
/// different cases because a caller reacts differently: wait for more, or drop.
public enum WireError: Error, Hashable, Sendable {
    /// A field starting at `at` needed `needed` bytes but the buffer ended first.
    case truncated(at: Int, needed: Int)
    /// The field at `at` holds a value the format does not allow.
    case malformed(field: String, at: Int, reason: String)

    /// The byte offset the error points at.
    public var offset: Int {
        switch self {
        case .truncated(let at, _): at
        case .malformed(_, let at, _): at
        }
    }

    /// The same error with its offset moved by `delta` (for decoders nested in a larger buffer).
    public func shifted(by delta: Int) -> WireError {
        switch self {
        case .truncated(let at, let needed): .truncated(at: at + delta, needed: needed)
        case .malformed(let field, let at, let reason): .malformed(field: field, at: at + delta, reason: reason)
        }
    }
}

extension WireError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .truncated(let at, let needed):
            "truncated at byte \(at): needed \(needed) more byte\(needed == 1 ? "" : "s")"
        case .malformed(let field, let at, let reason):
            "malformed \(field) at byte \(at): \(reason)"
        }
    }
}
