import NewIPDataPlane

/// Link rate in bits per second.
public struct BitRate: Hashable, Sendable {
    public var bitsPerSecond: Int64

    public init(bitsPerSecond: Int64) { self.bitsPerSecond = bitsPerSecond }

    /// Time to put `bytes` on the wire, rounded up to whole nanoseconds (a packet never
    /// finishes early).
    public func serialisation(bytes: Int) -> Nanoseconds {
        Serialisation.time(bytes: bytes, bitsPerSecond: bitsPerSecond)
    }
}
