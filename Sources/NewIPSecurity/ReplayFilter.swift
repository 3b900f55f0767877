/// Remembers the MACs of accepted packets for long enough to refuse a replay, with fixed
/// memory and no per-sender table.
///
/// Two hash sets of 64-bit tags, each for one period of `period` nanoseconds: new tags go into
/// the current set, lookups search both; when a period ends the older set is emptied and
/// becomes the current one. A tag is therefore remembered for at least one full period. The
/// verifier accepts a timestamp within ±W of its clock, so a replay arrives at most 2W after
/// the original: a period of 2W suffices (`SourceAuthVerifier` uses that).
///
/// Each set is `capacity` slots in buckets of 4 (set-associative, no probing beyond the
/// bucket). When a bucket is full the tag replaces one of the four (counted in `evictions`):
/// the filter never refuses a fresh packet, but past its capacity it may miss a replay. Size
/// it for the packets accepted in one period (about 70 % load keeps evictions rare).
public struct ReplayFilter: Sendable {
    public let period: UInt64
    public let capacity: Int
    /// Tags that pushed another out of a full bucket: replays of those may go unnoticed.
    public internal(set) var evictions = 0
    @usableFromInline var current: [UInt64]
    @usableFromInline var previous: [UInt64]
    @usableFromInline var periodStart: UInt64
    @usableFromInline let bucketMask: Int

    /// `capacity` is rounded up to a power of two of at least 4 slots.
    public init(period: UInt64, capacity: Int, now: UInt64) {
        precondition(period > 0, "the period must be positive")
        var slots = 4
        while slots < capacity { slots <<= 1 }
        self.period = period
        self.capacity = slots
        self.current = [UInt64](repeating: 0, count: slots)
        self.previous = [UInt64](repeating: 0, count: slots)
        self.periodStart = now
        self.bucketMask = slots / 4 - 1
    }

    /// Bytes held by the two sets.
    public var memoryBytes: Int { 2 * 8 * capacity }

    /// Inserts `tag` and returns true when it is new; false when it was seen within the
    /// remembered periods (a replay). `now` must not go backwards by more than a period.
    public mutating func insert(_ tag: UInt64, now: UInt64) -> Bool {
        advance(to: now)
        let tag = tag == 0 ? 1 : tag  // 0 marks an empty slot
        let bucket = (Int(truncatingIfNeeded: tag) & bucketMask) &* 4
        for i in bucket..<(bucket &+ 4) where previous[i] == tag { return false }
        for i in bucket..<(bucket &+ 4) {
            if current[i] == tag { return false }
            if current[i] == 0 {
                current[i] = tag
                return true
            }
        }
        evictions &+= 1
        current[bucket &+ Int(truncatingIfNeeded: tag >> 62)] = tag
        return true
    }

    mutating func advance(to now: UInt64) {
        guard now >= periodStart &+ period else { return }
        if now >= periodStart &+ 2 &* period {
            // More than a whole period passed: both sets are out of date.
            for i in current.indices { current[i] = 0 }
            for i in previous.indices { previous[i] = 0 }
            periodStart = now
        } else {
            swap(&current, &previous)
            for i in current.indices { current[i] = 0 }
            periodStart = periodStart &+ period
        }
    }
}
