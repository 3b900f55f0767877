/// A packet's fields checked and converted for storage by a writer.
struct WriterRecord {
    /// `data` cut to the snapshot length, as a capture tool would.
    var captured: ArraySlice<UInt8>
    var originalLength: UInt32
    var timestampNanoseconds: UInt64

    /// - Parameters: `offset` and `packetIndex` locate the record for errors.
    init(_ packet: CapturedPacket, snapshotLength: UInt32, offset: Int, packetIndex: Int) throws(CaptureError) {
        guard let originalLength = UInt32(exactly: packet.originalLength) else {
            throw CaptureError(.lengthNotRepresentable(packet.originalLength), offset: offset, packetIndex: packetIndex)
        }
        guard let timestamp = UInt64(exactly: packet.timestampNanoseconds) else {
            throw CaptureError(
                .timestampNotRepresentable(nanoseconds: packet.timestampNanoseconds),
                offset: offset, packetIndex: packetIndex)
        }
        captured = packet.data.prefix(Int(snapshotLength))
        self.originalLength = originalLength
        timestampNanoseconds = timestamp
    }
}
