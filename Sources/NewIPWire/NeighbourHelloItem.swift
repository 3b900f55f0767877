/// What a router's hello adds to a neighbour advertisement: how long the advertisement holds,
/// and the prefix the link's hosts may form their addresses in (address autoconfiguration).
/// A swift-newip extension, in neither reference implementation: it rides in the compact
/// header's extension area (docs/wire.md), which the OpenHarmony stack skips, so its nodes
/// read the hello as a plain advertisement.
///
/// Compact extension item type **5**:
///
/// ```
/// hold time (4, big-endian milliseconds) | prefix length in bits (1; 0: none) | prefix bytes (⌈length / 8⌉)
/// ```
public struct NeighbourHelloItem: Hashable, Sendable {
    public var holdMilliseconds: UInt32
    public var prefix: CompactAddressPrefix?

    public init(holdMilliseconds: UInt32, prefix: CompactAddressPrefix? = nil) {
        self.holdMilliseconds = holdMilliseconds
        self.prefix = prefix.flatMap { $0.length == 0 ? nil : $0 }
    }

    public static let extensionType: UInt8 = 5

    /// `type 5 | length | value`.
    public var extensionItem: [UInt8] {
        var value = [UInt8((holdMilliseconds >> 24) & 0xFF), UInt8((holdMilliseconds >> 16) & 0xFF),
                     UInt8((holdMilliseconds >> 8) & 0xFF), UInt8(holdMilliseconds & 0xFF)]
        if let prefix {
            value.append(UInt8(prefix.length))
            for index in 0..<(prefix.length + 7) / 8 { value.append(UInt8(truncatingIfNeeded: prefix.bits >> (56 - 8 * index))) }
        } else {
            value.append(0)
        }
        return [Self.extensionType, UInt8(value.count)] + value
    }

    /// Reads an item's value (`range` of `bytes`); throws naming the field and offset.
    public init(value bytes: UnsafeRawBufferPointer, range: Range<Int>) throws(WireError) {
        guard range.count >= 5 else { throw .truncated(at: range.lowerBound, needed: 5) }
        var hold: UInt32 = 0
        for index in 0..<4 { hold = hold << 8 | UInt32(bytes[range.lowerBound + index]) }
        let lengthAt = range.lowerBound + 4
        let length = Int(bytes[lengthAt])
        guard length <= 64 else {
            throw .malformed(field: "hello prefix length", at: lengthAt, reason: "\(length) bits is more than an address holds (64)")
        }
        let count = (length + 7) / 8
        guard range.count == 5 + count else {
            throw .malformed(field: "hello prefix", at: lengthAt, reason: "\(length) bits need \(count) byte(s), the item holds \(range.count - 5)")
        }
        var bits: UInt64 = 0
        for index in 0..<count { bits |= UInt64(bytes[lengthAt + 1 + index]) << (56 - 8 * index) }
        guard let prefix = CompactAddressPrefix(bits: bits, length: length) else {
            throw .malformed(field: "hello prefix", at: lengthAt + 1, reason: "bits set past the prefix length \(length)")
        }
        self.init(holdMilliseconds: hold, prefix: prefix)
    }

    /// The hello in a packet's extension area (`extensions`, as `NeighbourDiscoveryPacket`
    /// keeps them); `nil` when there is none.
    public static func find(in extensions: [UInt8]) throws(WireError) -> NeighbourHelloItem? {
        let result = extensions.withUnsafeBytes { raw -> Result<NeighbourHelloItem?, WireError> in
            var found: NeighbourHelloItem?
            do throws(WireError) {
                try CompactExtensions.forEachItem(in: raw, range: 0..<raw.count) { (type, value) throws(WireError) in
                    guard type == extensionType else { return }
                    found = try NeighbourHelloItem(value: raw, range: value)
                }
            } catch {
                return .failure(error)
            }
            return .success(found)
        }
        return try result.get()
    }
}

extension CompactAddressPrefix {
    /// The address of this prefix's size (its first byte fixes it) whose bits after the prefix
    /// are `suffix`; `nil` when the prefix is shorter than a byte, `suffix` does not fit the
    /// bits left, or the result is not a valid (shortest) encoding.
    public func address(suffix: UInt64) -> CompactAddress? {
        guard length >= 8, let size = CompactAddress.encodedLength(forFirstByte: UInt8(truncatingIfNeeded: bits >> 56)) else { return nil }
        let free = 8 * size - length
        guard free >= 0, free == 64 || suffix >> free == 0 else { return nil }
        let storage = bits | (free == 0 ? 0 : suffix << (64 - 8 * size))
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: storage >> (56 - 8 * $0)) }
        return try? CompactAddress(encoded: bytes)
    }
}
