import Foundation
import NewIPRandom
import NewIPWire

/// Packets laid out back to back in one buffer, so a benchmark touches memory as a receive ring would.
final class PacketBatch {
    let storage: UnsafeMutableRawBufferPointer
    let ranges: [Range<Int>]

    init(_ packets: [[UInt8]]) {
        let total = packets.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(total, 1), alignment: 64)
        var ranges: [Range<Int>] = []
        var offset = 0
        for packet in packets {
            packet.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: storage[offset..<offset + packet.count]).copyMemory(from: $0) }
            ranges.append(offset..<offset + packet.count)
            offset += packet.count
        }
        self.storage = storage
        self.ranges = ranges
    }

    deinit { storage.deallocate() }

}

/// The inputs of the codec benchmarks: the shared vectors when present, generated otherwise.
struct BenchInputs {
    var compactPackets: [[UInt8]] = []
    var compactSource = ""
    var addressBuffers: [[UInt8]] = []
    var addressSource = ""
    var compactHeaders: [CompactHeader] = []
    var frameworkHeaders: [FrameworkHeader] = []

    init(vectorsFolder: String) {
        var random = SplitMix64(seed: 2030)
        compactHeaders = (0..<256).map { _ in
            CompactHeader(ttl: 64, totalLength: random.next() % 2 == 0 ? 100 : nil, nextHeader: .udp,
                          destination: random.address(), source: random.address())
        }
        frameworkHeaders = (0..<256).map { i in
            let addresses: [FrameworkAddress] = [.ipv4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: random.next()))),
                                                 .ipv6(IPv6Address(high: random.next(), low: random.next())),
                                                 .eightBit(UInt8(truncatingIfNeeded: random.next())), .compact(random.address())]
            let contracts: [ContractClause] = i % 2 == 0
                ? [.latencyBased(LatencyBasedContract(minDelay: 10, maxDelay: 500, experiencedDelay: 3, fibToDelay: 40, fibToHops: 3))]
                : [.maxDelay(MaxDelayContract(maxAllowedDelay: 800))]
            return FrameworkHeader(source: addresses[i % 4], destination: addresses[(i / 4) % 4], contracts: contracts)
        }

        let parsePath = vectorsFolder + "/openharmony/header-parse.jsonl"
        if let lines = try? String(contentsOfFile: parsePath, encoding: .utf8) {
            compactPackets = Self.okInputs(lines, okKey: "\"ok\":true")
            compactSource = "ok-cases of \(parsePath)"
        }
        if compactPackets.isEmpty {
            compactPackets = compactHeaders.map { $0.bytes() + [0x00] }
            compactSource = "256 generated headers (shared vectors not found)"
        }
        let addressPath = vectorsFolder + "/openharmony/address-decode.jsonl"
        if let lines = try? String(contentsOfFile: addressPath, encoding: .utf8) {
            addressBuffers = Self.okInputs(lines, okKey: "\"ok\":true")
            addressSource = "ok-cases of \(addressPath)"
        }
        if addressBuffers.isEmpty {
            addressBuffers = compactHeaders.map { $0.destination.bytes + [0, 0, 0, 0, 0, 0, 0, 0] }
            addressSource = "256 generated addresses (shared vectors not found)"
        }
    }

    /// The `in` hex of every line that has `okKey`.
    static func okInputs(_ lines: String, okKey: String) -> [[UInt8]] {
        lines.split(separator: "\n").compactMap { line in
            guard line.contains(okKey), let start = line.range(of: "\"in\":\""),
                  let end = line[start.upperBound...].firstIndex(of: "\"") else { return nil }
            return parseHexBytes(line[start.upperBound..<end])
        }
    }
}


extension SplitMix64 {
    mutating func address() -> CompactAddress {
        let sizes: [UInt64] = [200, 5000, 60000, 1 << 31, 1 << 45]
        return CompactAddress(value: next() % sizes[Int(next() % 5)])!
    }
}

/// A batch of packets and its ranges as raw pointers, read without array bounds checks.
struct PacketRing {
    let base: UnsafeRawPointer
    let starts: UnsafeBufferPointer<Int>
    let lengths: UnsafeBufferPointer<Int>

    init(_ batch: PacketBatch) {
        base = UnsafeRawPointer(batch.storage.baseAddress!)
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: batch.ranges.count)
        let lengths = UnsafeMutableBufferPointer<Int>.allocate(capacity: batch.ranges.count)
        for (i, range) in batch.ranges.enumerated() {
            starts[i] = range.lowerBound
            lengths[i] = range.count
        }
        self.starts = UnsafeBufferPointer(starts)
        self.lengths = UnsafeBufferPointer(lengths)
    }

    var count: Int { starts.count }

    @inline(__always)
    func packet(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + starts[i], count: lengths[i])
    }
}

struct CompactParse: BenchOperation {
    let ring: PacketRing
    var count: Int { ring.count }
    @inline(__always) func run(_ i: Int) -> Int {
        guard let view = try? CompactHeaderView(ring.packet(i)) else { return 1 }
        return view.headerLength &+ Int(view.ttl)
    }
}

struct CompactBuild: BenchOperation {
    let headers: UnsafeBufferPointer<CompactHeader>
    let scratch: UnsafeMutableRawBufferPointer
    var count: Int { headers.count }
    @inline(__always) func run(_ i: Int) -> Int { (headers.baseAddress! + i).pointee.encode(into: scratch) }
}

struct FrameworkParse: BenchOperation {
    let ring: PacketRing
    var count: Int { ring.count }
    @inline(__always) func run(_ i: Int) -> Int {
        guard let view = try? FrameworkHeaderView(ring.packet(i)) else { return 1 }
        return view.payloadOffset
    }
}

struct FrameworkBuild: BenchOperation {
    let headers: UnsafeBufferPointer<FrameworkHeader>
    let scratch: UnsafeMutableRawBufferPointer
    var count: Int { headers.count }
    @inline(__always) func run(_ i: Int) -> Int { (headers.baseAddress! + i).pointee.encode(into: scratch) }
}

struct AddressDecode: BenchOperation {
    let ring: PacketRing
    var count: Int { ring.count }
    @inline(__always) func run(_ i: Int) -> Int {
        guard let address = try? CompactAddress.decode(from: ring.packet(i), at: 0) else { return 1 }
        return address.encodedLength
    }
}

enum CodecBenchmarks {
    /// The benchmarks over `inputs`. Their buffers live as long as the process (a CLI run).
    static func all(_ inputs: BenchInputs) -> [Benchmark] {
        let compact = PacketRing(PacketBatch(inputs.compactPackets).retainedForever())
        let addresses = PacketRing(PacketBatch(inputs.addressBuffers).retainedForever())
        let frameworkPackets = PacketRing(PacketBatch(inputs.frameworkHeaders.map { $0.encoded() + Array("payload".utf8) }).retainedForever())
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 64)
        let compactHeaders = UnsafeMutableBufferPointer<CompactHeader>.allocate(capacity: inputs.compactHeaders.count)
        _ = compactHeaders.initialize(from: inputs.compactHeaders)
        let frameworkHeaders = UnsafeMutableBufferPointer<FrameworkHeader>.allocate(capacity: inputs.frameworkHeaders.count)
        _ = frameworkHeaders.initialize(from: inputs.frameworkHeaders)
        return [
            Benchmark(name: "compact-parse", inputs: "\(compact.count) \(inputs.compactSource)", CompactParse(ring: compact)),
            Benchmark(name: "compact-build", inputs: "\(compactHeaders.count) generated headers",
                      CompactBuild(headers: UnsafeBufferPointer(compactHeaders), scratch: scratch)),
            Benchmark(name: "framework-parse", inputs: "\(frameworkPackets.count) generated packets (all address types, LBF/MDF)",
                      FrameworkParse(ring: frameworkPackets)),
            Benchmark(name: "framework-build", inputs: "\(frameworkHeaders.count) generated headers",
                      FrameworkBuild(headers: UnsafeBufferPointer(frameworkHeaders), scratch: scratch)),
            Benchmark(name: "address-decode", inputs: "\(addresses.count) \(inputs.addressSource)", AddressDecode(ring: addresses)),
        ]
    }
}

extension PacketBatch {
    /// Keeps the batch alive for the rest of the process (benchmarks hold raw pointers into it).
    func retainedForever() -> PacketBatch {
        _ = Unmanaged.passRetained(self)
        return self
    }
}
