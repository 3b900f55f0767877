// libFuzzer target: the neighbour-discovery decoders (compact control header, solicitation,
// advertisement, and the whole packet with its checksum), which a node runs on every
// control packet its neighbours send.
//
// A module of its own importing NewIPWire (see Fuzz/run.sh), using only the public API.
//
// Checks, for every input (read as a whole packet, and as a bare solicitation and
// advertisement):
// - decoding either throws a `WireError` whose offset lies inside (or just past) the buffer,
//   or returns a value whose encoded length fits the buffer (a packet's, plus the alignment
//   byte its normalised header may gain);
// - an accepted packet re-encodes to bytes that decode to an equal packet and verify (the
//   checksum travels with the value), and a bare message re-encodes to the bytes it came from.

import NewIPWire

nonisolated(unsafe) var neighbourFuzzSink: UInt64 = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func neighbourDiscoveryFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    fuzzWholePacket(bytes)
    fuzzBareMessage(bytes, NeighbourSolicitation.init(parsing:))
    fuzzBareMessage(bytes, NeighbourAdvertisement.init(parsing:))
    return 0
}

func noteError(_ error: WireError, _ bytes: UnsafeRawBufferPointer) {
    precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes")
    neighbourFuzzSink &+= UInt64(error.description.utf8.count)
}

func fuzzWholePacket(_ bytes: UnsafeRawBufferPointer) {
    let packet: NeighbourDiscoveryPacket
    do throws(WireError) { packet = try NeighbourDiscoveryPacket(parsing: bytes) } catch { return noteError(error, bytes) }
    // The value's header may gain the reference encoder's alignment byte (an odd header).
    precondition(packet.encodedLength <= bytes.count + 1, "accepted packet longer than its input and an alignment byte")
    let encoded = packet.bytes
    encoded.withUnsafeBytes { raw in
        do throws(WireError) {
            let again = try NeighbourDiscoveryPacket(parsing: raw)
            precondition(again == packet, "neighbour-discovery round trip changed the packet")
        } catch {
            preconditionFailure("re-encoded neighbour-discovery packet does not decode: \(error)")
        }
    }
}

func fuzzBareMessage<M: CompactControlMessage>(_ bytes: UnsafeRawBufferPointer, _ parse: (UnsafeRawBufferPointer) throws(WireError) -> M) {
    let message: M
    do throws(WireError) { message = try parse(bytes) } catch { return noteError(error, bytes) }
    precondition(message.encodedLength <= bytes.count, "accepted message longer than its input")
    precondition(message.bytes == Array(bytes[0..<message.encodedLength]), "message re-encoding differs from its input")
}
