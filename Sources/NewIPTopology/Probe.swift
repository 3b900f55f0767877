import NewIPDataPlane
import NewIPWire

/// The emulator's measurement header at the start of every flow packet's payload, as
/// traffic generators carry one: which flow, which packet, when it was sent.
///
/// ```
/// flow (4) | sequence (4) | sent at, ns (8) | checksum (2)
/// ```
///
/// All big-endian; the checksum is RFC 1071's over the first 16 bytes, so a probe that a
/// fault injector corrupted is not mistaken for another packet. Routers never look at it;
/// a payload spec starts its chunks after it, so trimming never cuts it.
package struct Probe: Hashable, Sendable {
    package var flow: Int
    package var sequence: UInt32
    package var sentAt: Nanoseconds

    package static let length = 18

    package func write(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeBigEndian(UInt32(truncatingIfNeeded: flow), at: offset)
        bytes.storeBigEndian(sequence, at: offset + 4)
        bytes.storeBigEndian(UInt64(bitPattern: sentAt), at: offset + 8)
        let sum = InternetChecksum.finish(InternetChecksum.add(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 16)])))
        bytes.storeBigEndian(sum, at: offset + 16)
    }

    /// The probe at `offset`, or `nil` when the bytes are short or fail the checksum.
    package init?(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
        guard offset >= 0, bytes.count - offset >= Self.length else { return nil }
        let fields = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Self.length)])
        // A correct checksum makes the one's-complement sum of all 18 bytes 0xFFFF.
        guard InternetChecksum.finish(InternetChecksum.add(fields)) == 0 else { return nil }
        flow = Int(fields.loadBigEndian(UInt32.self, at: 0))
        sequence = fields.loadBigEndian(UInt32.self, at: 4)
        sentAt = Nanoseconds(bitPattern: fields.loadBigEndian(UInt64.self, at: 8))
    }

    package init(flow: Int, sequence: UInt32, sentAt: Nanoseconds) {
        self.flow = flow
        self.sequence = sequence
        self.sentAt = sentAt
    }
}

extension UnsafeMutableRawBufferPointer {
    package func storeBigEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.bigEndian, toByteOffset: offset, as: T.self)
    }
}

extension UnsafeRawBufferPointer {
    package func loadBigEndian<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
