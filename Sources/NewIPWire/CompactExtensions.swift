/// The extension area of a compact header (second bitmap bit `0x40`, see docs/wire.md):
/// type-length-value items between the fixed fields and the header length.
///
/// Item types: 0 a one-byte pad (no length), 1 a contract clause in the framework encoding
/// (16-bit type first), 2 a payload spec body. Unknown item types are skipped, so newer
/// senders' items pass through; an unknown clause type inside item 1 is skipped the same way.
public enum CompactExtensions {
    public static let padType: UInt8 = 0
    public static let clauseType: UInt8 = 1

    /// The extension item carrying `clause` (at most 253 bytes).
    public static func item(for clause: ContractClause) -> [UInt8] {
        let length = clause.encodedLength
        precondition(length <= 255, "a clause longer than an extension item")
        var bytes = [UInt8](repeating: 0, count: 2 + length)
        bytes[0] = clauseType
        bytes[1] = UInt8(length)
        bytes.withUnsafeMutableBytes { clause.encode(into: $0, at: 2) }
        return bytes
    }

    /// Calls `body` with the type and value range of each item in `range` of `bytes` (the
    /// view's extension range), pads skipped; throws when an item runs past the range. Items
    /// before a bad one have been visited, so a lenient reader can keep them.
    @inlinable
    public static func forEachItem(in bytes: UnsafeRawBufferPointer, range: Range<Int>,
                                   _ body: (_ type: UInt8, _ value: Range<Int>) throws(WireError) -> Void) throws(WireError) {
        var at = range.lowerBound
        while at < range.upperBound {
            let type = bytes[at]
            if type == padType {
                at += 1
                continue
            }
            guard at + 2 <= range.upperBound else { throw .truncated(at: at, needed: 2) }
            let value = at + 2
            let end = value + Int(bytes[at + 1])
            guard end <= range.upperBound else { throw .truncated(at: value, needed: end - value) }
            try body(type, value..<end)
            at = end
        }
    }
}
