import NewIPWire

/// Qualitative trimming: making room in a full queue by cutting the least significant
/// chunks out of queued and arriving packets before any whole packet is dropped.
///
/// Order: the highest significance value first over all candidate packets (the arriving
/// one, then the queued ones in the queue's order), within a packet its last chunk of that
/// level first. Trimming starts only if cutting every trimmable chunk would make enough
/// room, so a packet that gets dropped anyway never costs other packets their chunks.
enum QualitativeTrimming {
    /// Bytes `packet` could give up, and its least significant trimmable level (0 if none).
    static func trimmable(_ packet: PacketBuffer) -> (bytes: Int, level: UInt8) {
        guard let spec = packet.metadata.contracts.payloadSpec else { return (0, 0) }
        return packet.withUnsafeBytes { bytes in
            var total = 0
            var level: UInt8 = 0
            for index in 0..<spec.chunkCount {
                let (significance, length) = chunk(index, of: spec, in: bytes)
                if significance > 0 && length > 0 {
                    total += length
                    level = Swift.max(level, significance)
                }
            }
            return (total, level)
        }
    }

    /// Cuts chunks of significance `level` out of `packet`, last first, until `needed`
    /// bytes are freed or none is left; fixes the spec, lengths and UDP checksum. Returns
    /// the bytes freed and chunks cut.
    static func trim(_ packet: inout PacketBuffer, level: UInt8, needed: Int) -> (bytes: Int, chunks: Int) {
        guard level > 0, needed > 0, let spec = packet.metadata.contracts.payloadSpec else { return (0, 0) }
        var end = packet.withUnsafeBytes { bytes in
            (0..<spec.chunkCount).reduce(spec.firstChunk) { $0 + chunk($1, of: spec, in: bytes).length }
        }
        var freed = 0, cut = 0
        for index in stride(from: spec.chunkCount - 1, through: 0, by: -1) where freed < needed {
            let (significance, length) = packet.withUnsafeBytes { chunk(index, of: spec, in: $0) }
            end -= length
            guard significance == level, length > 0 else { continue }
            packet.removeSubrange(end..<(end + length))
            packet.withUnsafeMutableBytes { bytes in
                bytes.storeUInt16BE(0, at: lengthOffset(index, of: spec))
            }
            freed += length
            cut += 1
        }
        if freed > 0 { finishTrim(&packet, spec: spec, freed: freed) }
        return (freed, cut)
    }

    /// Makes `needed` bytes of room, trimming `arriving` and the packets `queued` visits.
    /// Returns what was cut from queued packets, or `nil` (and cuts nothing) when all
    /// trimmable bytes together are not enough.
    static func makeRoom<Store: TrimmableStore>(_ needed: Int, arriving: inout PacketBuffer,
                                                queued: inout Store,
                                                counters: inout TrimmingCounters) -> Int? {
        var available = trimmable(arriving)
        var level = available.level
        queued.forEachQueued { packet in
            let candidate = trimmable(packet)
            available.bytes += candidate.bytes
            level = Swift.max(level, candidate.level)
            return true
        }
        guard available.bytes >= needed else { return nil }
        var remaining = needed
        var freedQueued = 0
        while remaining > 0 && level > 0 {
            let own = trim(&arriving, level: level, needed: remaining)
            remaining -= own.bytes
            counters.bytes += own.bytes
            counters.chunks += own.chunks
            queued.forEachQueued { packet in
                guard remaining > 0 else { return false }
                let cut = trim(&packet, level: level, needed: remaining)
                remaining -= cut.bytes
                freedQueued += cut.bytes
                counters.bytes += cut.bytes
                counters.chunks += cut.chunks
                return remaining > 0
            }
            level -= 1
        }
        return freedQueued
    }

    private static func chunk(_ index: Int, of spec: PayloadSpecLocation,
                              in bytes: UnsafeRawBufferPointer) -> (significance: UInt8, length: Int) {
        let at = spec.body + PayloadSpec.Field.firstChunk + PayloadSpec.Field.chunkLength * index
        return (bytes[at], Int(bytes.uint16BE(at: at + 1)))
    }

    private static func lengthOffset(_ index: Int, of spec: PayloadSpecLocation) -> Int {
        spec.body + PayloadSpec.Field.firstChunk + PayloadSpec.Field.chunkLength * index + 1
    }

    /// Marks the packet trimmed and shortens the length fields that counted the cut bytes.
    private static func finishTrim(_ packet: inout PacketBuffer, spec: PayloadSpecLocation, freed: Int) {
        packet.withUnsafeMutableBytes { bytes in
            bytes[spec.body + PayloadSpec.Field.flags] |= PayloadSpec.trimmedFlag
            if let field = spec.totalLengthField {
                bytes.storeUInt16BE(bytes.uint16BE(at: field) &- UInt16(freed), at: field)
            }
            // The header validated on arrival and trimming left it alone, so it parses again.
            guard let udp = spec.udp, let header = try? CompactHeaderView(UnsafeRawBufferPointer(bytes)) else { return }
            let length = Int(bytes.uint16BE(at: udp + 4)) - freed
            bytes.storeUInt16BE(UInt16(truncatingIfNeeded: length), at: udp + 4)
            bytes.storeUInt16BE(0, at: udp + 6)
            let datagram = UnsafeRawBufferPointer(rebasing: bytes[udp..<Swift.min(bytes.count, udp + length)])
            let checksum = CompactChecksum.compute(source: header.source, destination: header.destination,
                                                   nextHeader: .udp, data: datagram)
            bytes.storeUInt16BE(checksum, at: udp + 6)
        }
    }
}

/// Queue storage that trimming can walk: calls `body` on each queued packet, in place,
/// until it returns `false`.
protocol TrimmableStore {
    mutating func forEachQueued(_ body: (inout PacketBuffer) -> Bool)
}
