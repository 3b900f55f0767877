import HeapModule
import NewIPDataPlane

/// Entries taken out in (time, sequence) order, the order of one binary heap of them all, at
/// a lower cost for the emulator's workload: nearly every event is scheduled a link's
/// serialisation or propagation time or a flow's packet interval ahead (tens of microseconds
/// to a few milliseconds). Those go into a ring of buckets of 1.024 µs covering the next
/// 16.8 ms, in constant time, unordered; only the bucket under the cursor is ordered, in a heap
/// of its few entries. Entries further ahead wait in an overflow heap, compared at each take.
struct CalendarQueue<Payload> {
    struct Entry: Comparable {
        var time: Nanoseconds
        var sequence: UInt64
        var payload: Payload

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.time < rhs.time || (lhs.time == rhs.time && lhs.sequence < rhs.sequence)
        }
        static func == (lhs: Entry, rhs: Entry) -> Bool { lhs.time == rhs.time && lhs.sequence == rhs.sequence }
    }

    /// log2 of a bucket's width in nanoseconds.
    private static var widthShift: Nanoseconds { 10 }
    private static var bucketCount: Int { 1 << 14 }
    private static var mask: Int { bucketCount - 1 }

    /// The bucket `time` falls in, counted from time 0.
    private static func slot(of time: Nanoseconds) -> Nanoseconds { time >> widthShift }

    /// The entries of slots up to `cursor`: every one earlier than any in `buckets`.
    private var current = Heap<Entry>()
    private var cursor: Nanoseconds = 0
    /// The entries of slots `cursor + 1 ..< cursor + bucketCount`, unordered, at index `slot & mask`.
    private var buckets: [[Entry]]
    /// One bit per bucket: whether it holds entries, so finding the next one skips empty ones 64 at a time.
    private var occupied: [UInt64]
    private var inBuckets = 0
    /// The entries that were `bucketCount` slots or more ahead of the cursor when inserted.
    private var overflow = Heap<Entry>()

    init() {
        buckets = Array(repeating: [], count: Self.bucketCount)
        occupied = Array(repeating: 0, count: Self.bucketCount / 64)
    }

    var count: Int { current.count + inBuckets + overflow.count }

    /// Inserts `entry`, whose time is not before that of the last entry taken out.
    mutating func insert(_ entry: Entry) {
        let slot = Self.slot(of: entry.time)
        if slot <= cursor {
            current.insert(entry)
        } else if slot - cursor < Self.bucketCount {
            let index = Int(truncatingIfNeeded: slot) & Self.mask
            buckets[index].append(entry)
            occupied[index >> 6] |= 1 << UInt64(index & 63)
            inBuckets += 1
        } else {
            overflow.insert(entry)
        }
    }

    /// Takes out the earliest entry if its time is before `end`.
    mutating func popMin(before end: Nanoseconds) -> Entry? {
        if current.isEmpty { advance() }
        if let first = current.min, overflow.min.map({ first < $0 }) ?? true {
            guard first.time < end else { return nil }
            return current.removeMin()
        }
        guard let first = overflow.min, first.time < end else { return nil }
        return overflow.removeMin()
    }

    /// Moves the cursor to the next slot that holds entries: the next occupied bucket, whose
    /// entries go into `current`, or the overflow's earliest slot if that comes first.
    private mutating func advance() {
        let overflowSlot = overflow.min.map { Self.slot(of: $0.time) } ?? .max
        guard inBuckets > 0 else {
            if overflowSlot != .max { cursor = Swift.max(cursor, overflowSlot) }
            return
        }
        let slot = nextOccupiedSlot()
        guard slot <= overflowSlot else {
            cursor = overflowSlot
            return
        }
        cursor = slot
        let index = Int(truncatingIfNeeded: slot) & Self.mask
        for entry in buckets[index] { current.insert(entry) }
        inBuckets -= buckets[index].count
        buckets[index].removeAll(keepingCapacity: true)
        occupied[index >> 6] &= ~(1 << UInt64(index & 63))
    }

    /// The first slot after the cursor whose bucket holds entries; some bucket must.
    private func nextOccupiedSlot() -> Nanoseconds {
        let start = Int(truncatingIfNeeded: cursor + 1) & Self.mask
        var word = start >> 6
        var bits = occupied[word] & (~0 << UInt64(start & 63))
        // One more word than there are: the start word again, for its bits below `start`.
        for _ in 0...occupied.count {
            if bits != 0 {
                let index = word << 6 | bits.trailingZeroBitCount
                return cursor + 1 + Nanoseconds((index - start) & Self.mask)
            }
            word = (word + 1) % occupied.count
            bits = occupied[word]
        }
        preconditionFailure("no occupied bucket though \(inBuckets) entries are in buckets")
    }
}
