import NewIPDataPlane

/// Bytes delivered per interval of virtual time, in at most `maxBins` equal bins from time 0:
/// the bins start 1 ms wide and double (neighbours merged) whenever a delivery falls past the
/// last one, so a run of any length keeps a fixed, small amount per flow.
public struct DeliveryTimeline: Sendable, Equatable {
    public static let maxBins = 64
    public private(set) var binWidth: Nanoseconds = 1_000_000
    /// Bytes delivered in [i × binWidth, (i + 1) × binWidth); empty until the first delivery.
    public private(set) var bytes: [Int] = []

    public init() {}

    package init(binWidth: Nanoseconds, bytes: [Int]) {
        self.binWidth = binWidth
        self.bytes = bytes
    }

    mutating func record(bytes count: Int, at time: Nanoseconds) {
        var bin = Int(max(0, time) / binWidth)
        while bin >= Self.maxBins {
            bytes = stride(from: 0, to: bytes.count, by: 2).map { bytes[$0] + (($0 + 1) < bytes.count ? bytes[$0 + 1] : 0) }
            binWidth *= 2
            bin = Int(max(0, time) / binWidth)
        }
        if bytes.count <= bin { bytes += Array(repeating: 0, count: bin + 1 - bytes.count) }
        bytes[bin] += count
    }

    /// The bytes per bin of `width` (a multiple of `binWidth`) up to `end`, zeros included.
    public func bytes(perBinOf width: Nanoseconds, until end: Nanoseconds) -> [Int] {
        precondition(width % binWidth == 0, "bins of \(width) ns do not merge bins of \(binWidth) ns")
        let merge = Int(width / binWidth), count = Int((end + width - 1) / width)
        return (0..<count).map { bin in
            (bin * merge..<(bin + 1) * merge).reduce(0) { $0 + ($1 < bytes.count ? bytes[$1] : 0) }
        }
    }
}
