import NewIPDataPlane

/// Link rate in bits per second.
public struct BitRate: Hashable, Sendable {
    public var bitsPerSecond: Int64

    public init(bitsPerSecond: Int64) { self.bitsPerSecond = bitsPerSecond }

    /// Time to put `bytes` on the wire, rounded up to whole nanoseconds (a packet never
    /// finishes early).
    public func serialisation(bytes: Int) -> Nanoseconds {
        let (high, low) = (Int64(bytes) * 8).multipliedFullWidth(by: 1_000_000_000)
        let (quotient, remainder) = bitsPerSecond.dividingFullWidth((high, low))
        return remainder > 0 ? quotient + 1 : quotient
    }
}
