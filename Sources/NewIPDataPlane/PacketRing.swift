/// Packets in arrival order, moved in and out, never copied: a ring of slots that grows by
/// doubling.
///
/// Not `Deque<PacketBuffer>`: `Deque.append` borrows its element and copies it into the
/// ring, which costs a retain of the packet's storage, a release when the caller's copy
/// ends, and an outlined copy of the whole buffer value — on the forwarding path a packet
/// passes through two or three such queues, a sixth of an emulation's time in the profile.
/// Here `append` consumes the packet and `popFirst` takes it out of its slot.
public struct PacketRing: Sendable {
    private var slots: [PacketBuffer?]
    /// The slot of the oldest packet.
    private var head = 0
    public private(set) var count = 0

    /// Room for `capacity` packets before the first growth (rounded up to a power of two).
    public init(reserving capacity: Int = 0) {
        slots = Array(repeating: nil, count: Self.roundedUp(capacity))
    }

    public var isEmpty: Bool { count == 0 }

    public mutating func append(_ packet: consuming PacketBuffer) {
        if count == slots.count { grow() }
        slots[(head + count) & (slots.count - 1)] = consume packet
        count += 1
    }

    /// Takes out the oldest packet.
    public mutating func popFirst() -> PacketBuffer? {
        guard count > 0 else { return nil }
        let packet = slots[head].take()
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return packet
    }

    /// The packet `offset` places after the oldest, in place.
    public subscript(offset: Int) -> PacketBuffer {
        get {
            precondition(offset >= 0 && offset < count, "offset outside the ring")
            return slots[(head + offset) & (slots.count - 1)]!
        }
        _modify {
            precondition(offset >= 0 && offset < count, "offset outside the ring")
            yield &slots[(head + offset) & (slots.count - 1)]!
        }
    }

    /// Every packet, oldest first (for reports at the end of a run; copies the values).
    public var packets: [PacketBuffer] { (0..<count).map { self[$0] } }

    /// Twice the slots, the packets moved over oldest first from slot 0.
    private mutating func grow() {
        var larger = [PacketBuffer?](repeating: nil, count: Self.roundedUp(slots.count * 2))
        for offset in 0..<count { larger[offset] = slots[(head + offset) & (slots.count - 1)].take() }
        slots = larger
        head = 0
    }

    private static func roundedUp(_ capacity: Int) -> Int {
        capacity <= 4 ? 4 : 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount)
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
