/// Why the compact-header decoder refused a buffer, with the OpenHarmony reference's error code.
///
/// `code.rawValue` is the number the reference decoder returns (negated) for the same input,
/// so results can be compared with it case by case.
public struct CompactHeaderError: Error, Hashable, Sendable {
    public enum Code: Int, Hashable, Sendable, CaseIterable {
        case bitmapInvalid = 1
        case tooManyBitmapBytes = 2
        case noTTL = 3
        case noNextHeader = 4
        case noDestination = 5
        case destinationUndecodable = 6
        case destinationInvalid = 7
        case sourceUndecodable = 8
        case sourceInvalid = 9
        case headerReachesEnd = 10
        case unknownBitsWithoutHeaderLength = 11
        case headerLengthInvalid = 12
        case headerLengthOutOfRange = 13
    }

    public var code: Code
    /// Byte offset in the buffer where the problem was found.
    public var offset: Int
    /// Whether the bytes ran out: always for `.headerReachesEnd` and `.headerLengthOutOfRange`,
    /// and for an address error
    /// when the address is cut by the end of the buffer (the reference then judges the cut
    /// address as if zero bytes followed, so its code says "undecodable").
    public var isTruncation: Bool

    public init(_ code: Code, at offset: Int, truncated: Bool = false) {
        self.code = code
        self.offset = offset
        self.isTruncation = truncated || code == .headerReachesEnd || code == .headerLengthOutOfRange
    }

    /// The same failure in the module-wide error vocabulary.
    public var wireError: WireError {
        isTruncation
            ? .truncated(at: offset, needed: 1)
            : .malformed(field: code.field, at: offset, reason: code.reason)
    }
}

extension CompactHeaderError.Code {
    var field: String {
        switch self {
        case .bitmapInvalid, .tooManyBitmapBytes, .unknownBitsWithoutHeaderLength: "bitmap"
        case .noTTL: "ttl"
        case .noNextHeader: "next header"
        case .noDestination, .destinationUndecodable, .destinationInvalid: "destination address"
        case .sourceUndecodable, .sourceInvalid: "source address"
        case .headerReachesEnd: "header"
        case .headerLengthInvalid, .headerLengthOutOfRange: "header length"
        }
    }

    public var reason: String {
        switch self {
        case .bitmapInvalid: "first bitmap bit is set (reserved, must be 0)"
        case .tooManyBitmapBytes: "more than 8 bitmap bytes"
        case .noTTL: "bitmap has no TTL field (mandatory)"
        case .noNextHeader: "bitmap has no next-header field (mandatory)"
        case .noDestination: "bitmap has no destination address (mandatory)"
        case .destinationUndecodable: "destination address encoding is invalid or overlong"
        case .destinationInvalid: "destination address is invalid"
        case .sourceUndecodable: "source address encoding is invalid or overlong"
        case .sourceInvalid: "source address is invalid"
        case .headerReachesEnd: "header reaches or passes the end of the buffer (at least one payload byte is required)"
        case .unknownBitsWithoutHeaderLength: "unknown bitmap bits but no header-length field to skip them"
        case .headerLengthInvalid: "header-length field is zero or shorter than the parsed header"
        case .headerLengthOutOfRange: "header-length field reaches past the buffer"
        }
    }
}

extension CompactHeaderError: CustomStringConvertible {
    public var description: String {
        "compact header error \(code.rawValue) at byte \(offset): \(code.reason)"
            + (isTruncation && code != .headerReachesEnd ? " (cut by the end of the buffer)" : "")
    }
}
