// libFuzzer target: the whole-packet view and value of both dialects (`NewIPPacketView`,
// `NewIPPacket`), which the data plane, the emulator, `nip decode` and the runtime all build on.
//
// A module of its own importing NewIPWire (see Fuzz/run.sh), using only the public API.
//
// The first input byte picks the dialect (even: compact, odd: framework); the rest is the
// packet. Checks, for every input:
// - `NewIPPacket(parsing:dialect:)` either throws an error whose offset lies within the packet
//   (or just past it), or gives a value;
// - an accepted value encodes, and the encoding parses back to the same value;
// - the view accepts every packet the value accepts, and walks its contract without reading
//   outside the buffer (AddressSanitizer).

import NewIPWire

nonisolated(unsafe) var packetFuzzSink: Int = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func newIPPacketFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let dialect: PacketDialect = data[0] % 2 == 0 ? .compact : .framework
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let packet: NewIPPacket
    do throws(NewIPPacketError) {
        packet = try NewIPPacket(parsing: bytes, dialect: dialect)
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count + 255, "error offset \(error.offset) for \(bytes.count) bytes")
        packetFuzzSink &+= error.offset
        return 0
    }
    guard let view = try? NewIPPacketView(bytes, dialect: dialect) else {
        preconditionFailure("the value accepted a packet the view refuses")
    }
    try? view.forEachContractItem { _ in packetFuzzSink &+= 1 }
    let encoded: [UInt8]
    do { encoded = try packet.encoded() } catch {
        preconditionFailure("an accepted packet does not encode: \(error)")
    }
    let again = encoded.withUnsafeBytes { try? NewIPPacket(parsing: $0, dialect: dialect) }
    precondition(again == packet, "re-encoded packet parses to a different value")
    return 0
}
