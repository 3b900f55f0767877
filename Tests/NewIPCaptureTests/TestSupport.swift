import Foundation
import NewIPCapture
import XCTest

/// Hand-assembles capture bytes in either byte order.
struct ByteBuilder {
    var bigEndian: Bool
    var bytes: [UInt8] = []

    init(bigEndian: Bool) {
        self.bigEndian = bigEndian
    }

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        let littleEndian = (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        bytes += bigEndian ? littleEndian.reversed() : littleEndian
    }

    mutating func put(bytes more: [UInt8]) {
        bytes += more
    }

    /// Pads to a 32-bit boundary, as pcapng requires.
    mutating func pad() {
        bytes += [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }
}

/// Hand-built pcapng blocks, for byte orders and contents the writer never produces.
enum Pcapng {
    static func block(
        _ type: UInt32, bigEndian: Bool, length: UInt32? = nil, trailingLength: UInt32? = nil,
        body: (inout ByteBuilder) -> Void
    ) -> [UInt8] {
        var inner = ByteBuilder(bigEndian: bigEndian)
        body(&inner)
        inner.pad()
        let total = length ?? UInt32(12 + inner.bytes.count)
        var block = ByteBuilder(bigEndian: bigEndian)
        block.put(type)
        block.put(total)
        block.put(bytes: inner.bytes)
        block.put(trailingLength ?? total)
        return block.bytes
    }

    static func sectionHeader(bigEndian: Bool, major: UInt16 = 1) -> [UInt8] {
        block(0x0A0D_0D0A, bigEndian: bigEndian) {
            $0.put(UInt32(0x1A2B_3C4D))
            $0.put(major)
            $0.put(UInt16(0))
            $0.put(Int64(-1))
        }
    }

    static func option(_ code: UInt16, _ value: [UInt8], into builder: inout ByteBuilder) {
        builder.put(code)
        builder.put(UInt16(value.count))
        builder.put(bytes: value)
        builder.pad()
    }

    static func interface(
        linkType: UInt16, snapLength: UInt32 = 0, bigEndian: Bool, options: [(UInt16, [UInt8])] = []
    ) -> [UInt8] {
        block(1, bigEndian: bigEndian) {
            $0.put(linkType)
            $0.put(UInt16(0))
            $0.put(snapLength)
            for (code, value) in options {
                option(code, value, into: &$0)
            }
            if !options.isEmpty {
                $0.put(UInt32(0))  // opt_endofopt
            }
        }
    }

    static func enhancedPacket(
        interface: UInt32, units: UInt64, data: [UInt8], originalLength: UInt32? = nil,
        capturedLength: UInt32? = nil, bigEndian: Bool
    ) -> [UInt8] {
        block(6, bigEndian: bigEndian) {
            $0.put(interface)
            $0.put(UInt32(truncatingIfNeeded: units >> 32))
            $0.put(UInt32(truncatingIfNeeded: units))
            $0.put(capturedLength ?? UInt32(data.count))
            $0.put(originalLength ?? UInt32(data.count))
            $0.put(bytes: data)
        }
    }

    static func simplePacket(originalLength: UInt32, data: [UInt8], bigEndian: Bool) -> [UInt8] {
        block(3, bigEndian: bigEndian) {
            $0.put(originalLength)
            $0.put(bytes: data)
        }
    }
}

/// A classic pcap global header built by hand.
func pcapHeader(magic: UInt32, bigEndian: Bool, major: UInt16 = 2, linkType: UInt32 = 1) -> [UInt8] {
    var header = ByteBuilder(bigEndian: bigEndian)
    header.put(magic)
    header.put(major)
    header.put(UInt16(4))
    header.put(Int32(0))
    header.put(UInt32(0))
    header.put(UInt32(65535))
    header.put(linkType)
    return header.bytes
}

func pcapRecord(seconds: UInt32, fraction: UInt32, data: [UInt8], originalLength: UInt32? = nil,
                capturedLength: UInt32? = nil, bigEndian: Bool) -> [UInt8] {
    var record = ByteBuilder(bigEndian: bigEndian)
    record.put(seconds)
    record.put(fraction)
    record.put(capturedLength ?? UInt32(data.count))
    record.put(originalLength ?? UInt32(data.count))
    record.put(bytes: data)
    return record.bytes
}

/// The error `body` throws, or `nil` if it returns.
func captureError(_ body: () throws(CaptureError) -> Void) -> CaptureError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The packets read before the first error, and that error.
func readUntilError(_ bytes: [UInt8]) -> (packets: [CapturedPacket], error: CaptureError?) {
    var packets: [CapturedPacket] = []
    do {
        var reader = try CaptureReader(bytes)
        while let packet = try reader.next() {
            packets.append(packet)
        }
        return (packets, nil)
    } catch {
        return (packets, error)
    }
}

func readVector(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: vectorPath(name))))
}

/// A Network 2030 vector of the project's copy, found from this file: `<package root>/Tests/Vectors/...`.
func vectorPath(_ name: String, filePath: String = #filePath) -> String {
    URL(fileURLWithPath: filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()  // NewIPCaptureTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("Tests/Vectors/network2030/\(name)")
        .path
}
