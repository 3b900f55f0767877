/// Packets in arrival order, moved in and out, never copied: a ring of slots that grows by
/// doubling.
///
/// Not `Deque<PacketBuffer>`: `Deque.append` borrows its element and copies it into the
/// ring, which costs a retain of the packet's storage, a release when the caller's copy
/// ends, and an outlined copy of the whole buffer value — on the forwarding path a packet
/// passes through two or three such queues, a sixth of an emulation's time in the profile.
/// Here `append` consumes the packet and `popFirst` takes it out of its slot.
///
/// The slots are raw memory, live only between `head` and `head + count`: `append` initialises
/// a slot and `popFirst` moves out of it. An array of optionals would read (and destroy) the
/// old `nil` of the slot it writes, a cache miss on a cold ring in every append.
/// `@unchecked Sendable` because `ManagedBuffer` is not: a ring is a value, and storage two
/// rings share is copied before either writes.
public struct PacketRing: @unchecked Sendable {
    private var storage: Storage

    /// Room for `capacity` packets before the first growth (rounded up to a power of two).
    public init(reserving capacity: Int = 0) {
        storage = Storage.make(capacity: Self.roundedUp(capacity))
    }

    public var count: Int { storage.header.count }
    public var isEmpty: Bool { count == 0 }

    public mutating func append(_ packet: consuming PacketBuffer) {
        makeUnique()
        if storage.header.count == storage.header.capacity { grow() }
        let header = storage.header
        storage.slots.advanced(by: (header.head + header.count) & (header.capacity - 1)).initialize(to: packet)
        storage.header.count += 1
    }

    /// Takes out the oldest packet.
    public mutating func popFirst() -> PacketBuffer? {
        guard count > 0 else { return nil }
        makeUnique()
        let header = storage.header
        let packet = storage.slots.advanced(by: header.head).move()
        storage.header.head = (header.head + 1) & (header.capacity - 1)
        storage.header.count -= 1
        return packet
    }

    /// The packet `offset` places after the oldest, in place.
    public subscript(offset: Int) -> PacketBuffer {
        get {
            precondition(offset >= 0 && offset < count, "offset outside the ring")
            return storage.slots[storage.slot(offset)]
        }
        _modify {
            precondition(offset >= 0 && offset < count, "offset outside the ring")
            makeUnique()
            yield &storage.slots[storage.slot(offset)]
        }
    }

    /// Every packet, oldest first (for reports at the end of a run; copies the values).
    public var packets: [PacketBuffer] { (0..<count).map { self[$0] } }

    /// Copies the slots before a write when another ring shares them (value semantics).
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(capacity: storage.header.capacity)
        }
    }

    /// Twice the slots, the packets moved over oldest first from slot 0.
    private mutating func grow() {
        let larger = Storage.make(capacity: storage.header.capacity * 2)
        for offset in 0..<count {
            larger.slots.advanced(by: offset).initialize(to: storage.slots.advanced(by: storage.slot(offset)).move())
        }
        larger.header.count = count
        storage.header.count = 0
        storage = larger
    }

    private static func roundedUp(_ capacity: Int) -> Int {
        capacity <= 4 ? 4 : 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount)
    }
}

extension PacketRing {
    struct Header {
        /// A power of two.
        let capacity: Int
        /// The slot of the oldest packet.
        var head = 0
        var count = 0
    }

    /// The header and the slots in one allocation; the live slots are destroyed with it.
    final class Storage: ManagedBuffer<Header, PacketBuffer> {
        static func make(capacity: Int) -> Storage {
            unsafeDowncast(create(minimumCapacity: capacity) { _ in Header(capacity: capacity) }, to: Storage.self)
        }

        /// The slots' base; valid while the storage lives (the ring holds it through every use).
        var slots: UnsafeMutablePointer<PacketBuffer> { withUnsafeMutablePointerToElements { $0 } }

        /// The slot of the packet `offset` places after the oldest.
        func slot(_ offset: Int) -> Int { (header.head + offset) & (header.capacity - 1) }

        /// Copies of the packets in new storage of `capacity` slots, oldest at slot 0.
        func copy(capacity: Int) -> Storage {
            let copy = Storage.make(capacity: capacity)
            for offset in 0..<header.count {
                copy.slots.advanced(by: offset).initialize(to: slots[slot(offset)])
            }
            copy.header.count = header.count
            return copy
        }

        deinit {
            for offset in 0..<header.count { slots.advanced(by: slot(offset)).deinitialize(count: 1) }
        }
    }
}

extension PacketRing: TrimmableStore {
    /// Newest first: the packets that will wait longest lose their chunks first.
    mutating func forEachQueued(_ body: (inout PacketBuffer) -> Bool) {
        var offset = count
        while offset > 0 {
            offset -= 1
            guard body(&self[offset]) else { return }
        }
    }
}
