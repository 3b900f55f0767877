/// One packet's bytes in storage allocated once, with headroom in front so a header can be
/// prepended (a gateway swapping a compact header for IPv6) without moving the payload,
/// plus the router's per-packet notes.
///
/// A device fills a buffer with `receive(headroom:_:)`, the router rewrites it in place,
/// queues hold it, and after transmission the device calls `reset` and reuses the storage.
/// None of these steps allocates while the buffer is uniquely held; only a packet that
/// outgrows the capacity (or a copy that is then mutated) reallocates.
///
/// Offsets are stored as `Int32` and the notes compactly: a buffer is moved at every step of
/// a packet's way (into and out of queues, links, results of calls), and its size is what
/// each move copies.
public struct PacketBuffer: Sendable {
    @usableFromInline var storage: [UInt8]
    /// Where the packet starts in `storage`: the bytes before it are headroom.
    @usableFromInline var packetStart: Int32
    /// Number of packet bytes.
    @usableFromInline var packetLength: Int32

    /// Spare bytes in front of the packet.
    @inlinable public var headroom: Int { Int(packetStart) }
    /// Number of packet bytes.
    @inlinable public var count: Int { Int(packetLength) }
    /// What the router learnt about the packet; reset with the buffer.
    public var metadata = PacketMetadata()
    /// The headroom the buffer was made with, restored by `reset` and `receive`.
    @inlinable public var initialHeadroom: Int { Int(storedInitialHeadroom) }
    @usableFromInline let storedInitialHeadroom: Int32

    /// An empty buffer of `capacity` bytes, the packet to start after `headroom` of them.
    public init(capacity: Int = 2048, headroom: Int = 64) {
        precondition(headroom >= 0 && headroom <= capacity, "headroom outside the capacity")
        storage = Array(repeating: 0, count: capacity)
        self.packetStart = Int32(headroom)
        storedInitialHeadroom = Int32(headroom)
        packetLength = 0
    }

    /// A buffer holding `bytes` after `headroom` spare bytes, with `tailroom` spare bytes after.
    public init(bytes: some Collection<UInt8>, headroom: Int = 64, tailroom: Int = 0) {
        self.init(capacity: headroom + bytes.count + tailroom, headroom: headroom)
        storage.replaceSubrange(headroom..<(headroom + bytes.count), with: bytes)
        packetLength = Int32(bytes.count)
    }

    /// Total bytes of storage.
    public var capacity: Int { storage.count }
    /// Spare bytes after the packet.
    public var tailroom: Int { storage.count - headroom - count }
    public var isEmpty: Bool { count == 0 }

    /// A copy of the packet bytes (allocates; for tests and capture).
    public var bytes: [UInt8] { Array(storage[headroom..<(headroom + count)]) }

    /// Empties the buffer for reuse, keeping its storage; `headroom` defaults to the initial one.
    @inlinable
    public mutating func reset(headroom: Int? = nil) {
        let headroom = headroom ?? initialHeadroom
        precondition(headroom >= 0 && headroom <= storage.count, "headroom outside the capacity")
        self.packetStart = Int32(headroom)
        packetLength = 0
        metadata = PacketMetadata()
    }

    /// Empties the buffer, then lets `body` write a received packet into the space after
    /// the headroom (by default the initial one); `body` returns how many bytes it wrote.
    @inlinable
    public mutating func receive<E: Error>(headroom: Int? = nil,
                                           _ body: (UnsafeMutableRawBufferPointer) throws(E) -> Int) throws(E) {
        reset(headroom: headroom)
        let headroom = self.headroom
        let written = try storage.withUnsafeMutableBytes { raw in
            Result { () throws(E) in try body(UnsafeMutableRawBufferPointer(rebasing: raw[headroom...])) }
        }.get()
        precondition(written >= 0 && written <= storage.count - headroom, "wrote outside the buffer")
        packetLength = Int32(written)
    }

    /// Calls `body` with the packet bytes.
    @inlinable @inline(__always)
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let range = headroom..<(headroom + count)
        // `Array.withUnsafeBytes` rethrows untyped errors; `Result` carries `E` through.
        return try storage.withUnsafeBytes { raw in
            Result { () throws(E) in try body(UnsafeRawBufferPointer(rebasing: raw[range])) }
        }.get()
    }

    /// Calls `body` with the packet bytes, writable in place.
    @inlinable @inline(__always)
    public mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let range = headroom..<(headroom + count)
        return try storage.withUnsafeMutableBytes { raw in
            Result { () throws(E) in try body(UnsafeMutableRawBufferPointer(rebasing: raw[range])) }
        }.get()
    }

    /// Grows the packet at the front by `length` bytes (their content is unspecified). Uses
    /// headroom; without enough, moves the packet back or, past the capacity, reallocates.
    public mutating func prepend(_ length: Int) {
        precondition(length >= 0, "negative length")
        if headroom < length { makeRoom(front: length, back: 0) }
        packetStart -= Int32(length)
        packetLength += Int32(length)
    }

    /// Grows the packet at the end with `bytes`.
    public mutating func append(contentsOf bytes: UnsafeRawBufferPointer) {
        if tailroom < bytes.count { makeRoom(front: 0, back: bytes.count) }
        let end = headroom + count
        storage.withUnsafeMutableBytes { raw in
            UnsafeMutableRawBufferPointer(rebasing: raw[end..<(end + bytes.count)]).copyMemory(from: bytes)
        }
        packetLength += Int32(bytes.count)
    }

    /// Drops `length` bytes from the front (they become headroom).
    @inlinable
    public mutating func removeFirst(_ length: Int) {
        precondition(length >= 0 && length <= count, "removing more than the packet")
        packetStart += Int32(length)
        packetLength -= Int32(length)
    }

    /// Drops `length` bytes from the end.
    @inlinable
    public mutating func removeLast(_ length: Int) {
        precondition(length >= 0 && length <= count, "removing more than the packet")
        packetLength -= Int32(length)
    }

    /// Removes the packet bytes in `range` (offsets from the packet start) by moving the
    /// bytes after it forward.
    public mutating func removeSubrange(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the packet")
        let start = headroom + range.lowerBound, end = headroom + range.upperBound, stop = headroom + count
        storage.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            (base + start).copyMemory(from: base + end, byteCount: stop - end)
        }
        packetLength -= Int32(range.count)
    }

    /// Ensures `front` bytes of headroom and `back` bytes of tailroom, moving the packet
    /// inside the storage when that suffices.
    private mutating func makeRoom(front: Int, back: Int) {
        let needed = front + count + back
        if needed > storage.count {
            storage.append(contentsOf: repeatElement(0, count: needed - storage.count))
        }
        let newStart = Swift.max(front, Swift.min(headroom, storage.count - count - back))
        guard newStart != headroom else { return }
        let oldStart = headroom, length = count
        storage.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            (base + newStart).copyMemory(from: base + oldStart, byteCount: length)
        }
        packetStart = Int32(newStart)
    }
}
