/// The pending events of a queue, earliest `EventKey` first: a 4-ary min-heap in one raw
/// buffer, compared by key inline.
///
/// Not swift-collections' `Heap`: a min-max heap, which compares each entry with its children
/// and grandchildren on alternate levels to keep the maximum at hand, a maximum the queue never
/// asks for; it was a ninth of a 32×32 grid's run (`Heap.trickleDownMin`). A 4-ary heap is half
/// as deep as a binary one, and its four children share one or two cache lines of 32-byte
/// entries. Replacing `Heap` by it took the event loop (callgrind, one thread) from 3,389 to
/// 3,306 instructions per event on the 16×16 grid and from 3,515 to 3,368 on the 1,000-router
/// scale-free network (`scripts/emulator-instructions.sh`). Keys are unique (`EventKey.origin`
/// counts every event of its scheduler), so any correct heap takes the events out in the same
/// order.
struct EventHeap: ~Copyable {
    struct Entry {
        var key: EventKey
        var event: PackedEvent
    }

    private var entries: UnsafeMutablePointer<Entry>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
    }

    deinit { entries.deallocate() }

    var min: Entry? { count == 0 ? nil : entries[0] }

    mutating func insert(_ entry: Entry) {
        if count == capacity { grow() }
        // Moves parents down into the hole until the entry's place is found.
        var hole = count
        while hole > 0 {
            let parent = (hole - 1) >> 2
            guard entry.key < entries[parent].key else { break }
            entries[hole] = entries[parent]
            hole = parent
        }
        entries[hole] = entry
        count += 1
    }

    /// Takes out the earliest entry; the heap must not be empty.
    mutating func removeMin() {
        precondition(count > 0, "removeMin of an empty heap")
        count -= 1
        guard count > 0 else { return }
        let last = entries[count]
        // Moves the least child up into the hole until `last` is no greater than it.
        var hole = 0
        while true {
            let first = hole &<< 2 &+ 1
            guard first < count else { break }
            var least = first
            if first &+ 3 < count {
                // Four children: the least of each pair, then of the two (independent compares).
                let left = entries[first &+ 1].key < entries[first].key ? first &+ 1 : first
                let right = entries[first &+ 3].key < entries[first &+ 2].key ? first &+ 3 : first &+ 2
                least = entries[right].key < entries[left].key ? right : left
            } else {
                var child = first &+ 1
                while child < count {
                    if entries[child].key < entries[least].key { least = child }
                    child &+= 1
                }
            }
            guard entries[least].key < last.key else { break }
            entries[hole] = entries[least]
            hole = least
        }
        entries[hole] = last
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: entries, count: count)
        entries.deallocate()
        entries = larger
        capacity *= 2
    }
}
