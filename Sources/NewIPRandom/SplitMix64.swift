/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, fixed generator, so that anything seeded
/// with it (property tests, generated inputs, the emulator's streams) repeats exactly on
/// every machine and toolchain.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform enough for tests in `0..<bound`.
    @inlinable
    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with `percent` % probability.
    @inlinable
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}
