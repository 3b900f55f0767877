/// Packets held by index, freed indices reused, so a queue's heaps move small entries only.
struct SlotStore: TrimmableStore {
    private var slots: [PacketBuffer?] = []
    private var free: [Int] = []

    mutating func reserve(_ capacity: Int) {
        slots.reserveCapacity(capacity)
        free.reserveCapacity(capacity)
    }

    /// The held packet's deadline, read in place (no copy of the buffer, no retain).
    func deadline(of slot: Int) -> Nanoseconds { slots[slot]!.metadata.deadline }

    mutating func insert(_ packet: consuming PacketBuffer) -> Int {
        if let slot = free.popLast() {
            slots[slot] = consume packet
            return slot
        }
        slots.append(consume packet)
        return slots.count - 1
    }

    mutating func remove(_ slot: Int) -> PacketBuffer {
        free.append(slot)
        // `take` moves the buffer out, so its storage is not retained twice.
        return slots[slot].take()!
    }

    /// Storage order, last slot first.
    mutating func forEachQueued(_ body: (inout PacketBuffer) -> Bool) {
        for slot in slots.indices.reversed() where slots[slot] != nil {
            guard body(&slots[slot]!) else { return }
        }
    }
}
