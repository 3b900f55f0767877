/// One flow's latency counts in HdrHistogram's bucket layout (1 ns resolution, three
/// significant digits), stored only from the lowest bucket used to the highest: a flow whose
/// delays span 3.0–3.2 ms holds a hundred counts, not the 18,000 a histogram from 0 to 80 ms
/// holds, so a million flows fit in memory. Percentiles and CDF steps are computed as the
/// library computes them from the same counts and extremes, so they are the values it gives.
struct LatencyCounts {
    /// `counts[i]` is the count of bucket index `first + i`.
    private(set) var counts: [UInt32] = []
    private var first = 0
    private var smallestNonZero: UInt64 = .max
    private var largest: UInt64 = 0

    /// HdrHistogram's index for three digits from 1 ns: 2,048 sub-buckets, the upper 1,024
    /// of each further bucket, every bucket twice as wide as the one before.
    static func index(of value: UInt64) -> Int {
        let bucket = 53 - (value | 2047).leadingZeroBitCount
        return (bucket + 1) << 10 + Int(truncatingIfNeeded: value >> UInt64(bucket)) - 1024
    }

    /// The lowest value of bucket index `index`.
    static func lowestValue(at index: Int) -> UInt64 {
        var bucket = (index >> 10) - 1
        var subBucket = (index & 1023) + 1024
        if bucket < 0 {
            subBucket -= 1024
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket)
    }

    mutating func record(_ value: UInt64) {
        let index = Self.index(of: value)
        if counts.isEmpty {
            first = index
            counts = [0]
        } else if index < first || index >= first + counts.count {
            grow(toHold: index)
        }
        counts[index - first] += 1
        if value > 0 { smallestNonZero = min(smallestNonZero, value) }
        largest = max(largest, value)
    }

    /// Widens the range to `index` and a quarter of the new span beyond it (at least 16), so
    /// a drifting flow reallocates a logarithmic number of times.
    private mutating func grow(toHold index: Int) {
        let low = min(first, index), high = max(first + counts.count, index + 1)
        let margin = max(16, (high - low) / 4)
        let newFirst = index < first ? max(0, low - margin) : first
        let newEnd = index < first ? high : high + margin
        var wider = Array(repeating: UInt32(0), count: newEnd - newFirst)
        wider.replaceSubrange((first - newFirst)..<(first - newFirst + counts.count), with: counts)
        counts = wider
        first = newFirst
    }

    /// The highest value of bucket index `index` (each bucket of the 2,048 sub-buckets' range
    /// `2^b` wide counts values `2^b` apart).
    static func highestValue(at index: Int) -> UInt64 {
        let lowest = lowestValue(at: index)
        return lowest + (UInt64(1) << UInt64(53 - (lowest | 2047).leadingZeroBitCount)) - 1
    }

    /// Total count recorded.
    private var total: UInt64 { counts.reduce(0) { $0 + UInt64($1) } }

    /// HdrHistogram's `valueAtPercentile`: the highest value of the first bucket at which the
    /// running count reaches the percentile's share (rounded up, at least one), within the
    /// recorded extremes; 0 % gives the smallest, 100 % the largest.
    func value(atPercentile percentile: Double) -> UInt64 {
        let total = total
        guard total > 0 else { return 0 }
        let smallest = first == 0 && counts[0] > 0 ? 0 : smallestNonZero
        guard percentile != 0 else { return smallest }
        guard percentile < 100 else { return largest }
        let requested = min(max(percentile.nextDown, 0), 100)
        let target = max(1, UInt64((requested * Double(total) / 100).rounded(.up)))
        var running: UInt64 = 0
        for (offset, count) in counts.enumerated() {
            running += UInt64(count)
            if running >= target { return max(min(Self.highestValue(at: first + offset), largest), smallest) }
        }
        return 0
    }

    /// HdrHistogram's `recordedValues`: per bucket used, its highest value and the count up to it.
    var steps: [(value: UInt64, countToHere: UInt64)] {
        var running: UInt64 = 0
        var result: [(value: UInt64, countToHere: UInt64)] = []
        for (offset, count) in counts.enumerated() where count > 0 {
            running += UInt64(count)
            result.append((Self.highestValue(at: first + offset), running))
        }
        return result
    }

    /// Heap bytes of the counts.
    var memoryBytes: Int { counts.capacity * MemoryLayout<UInt32>.stride }
}
