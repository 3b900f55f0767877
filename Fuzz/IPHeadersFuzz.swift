// libFuzzer target: the IPv4, IPv6 and UDP header decoders, which a gateway runs on every
// packet the kernel hands it from its TUN device.
//
// A module of its own importing NewIPWire (see Fuzz/run.sh), using only the public API.
//
// Checks, for every input (read as IPv4, as IPv6, and as UDP):
// - parsing either throws a `WireError` whose offset lies inside (or just past) the buffer, or
//   returns a header whose lengths fit the buffer (IPv4 total length, IPv6 payload length,
//   UDP length);
// - an accepted header re-encodes into its encoded length, and that encoding (with the payload
//   it announces) parses again to an equal header (IPv4: options are not kept, so the
//   re-encoded header is the 20-byte form).

import NewIPWire

nonisolated(unsafe) var ipFuzzSink: UInt64 = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func ipHeadersFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    fuzzIPv4(bytes)
    fuzzIPv6(bytes)
    fuzzUDP(bytes)
    return 0
}

func checkError(_ error: WireError, _ bytes: UnsafeRawBufferPointer) {
    precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes")
    ipFuzzSink &+= UInt64(error.description.utf8.count)
}

func fuzzIPv4(_ bytes: UnsafeRawBufferPointer) {
    let header: IPv4Header
    do throws(WireError) { header = try IPv4Header(parsing: bytes) } catch { return checkError(error, bytes) }
    let headerLength = Int(bytes[0] & 0x0F) * 4
    precondition(headerLength >= 20 && headerLength + header.payloadLength <= bytes.count, "IPv4 lengths overrun the buffer")
    var encoded = [UInt8](repeating: 0, count: IPv4Header.encodedLength + header.payloadLength)
    let written = encoded.withUnsafeMutableBytes { header.encode(into: $0) }
    precondition(written == IPv4Header.encodedLength, "IPv4 encoded \(written) bytes")
    encoded.withUnsafeBytes { raw in
        guard let again = try? IPv4Header(parsing: raw) else { preconditionFailure("re-encoded IPv4 header does not parse") }
        precondition(again == header, "IPv4 round trip changed the header")
    }
}

func fuzzIPv6(_ bytes: UnsafeRawBufferPointer) {
    let header: IPv6Header
    do throws(WireError) { header = try IPv6Header(parsing: bytes) } catch { return checkError(error, bytes) }
    precondition(IPv6Header.encodedLength + header.payloadLength <= bytes.count, "IPv6 payload length overruns the buffer")
    var encoded = [UInt8](repeating: 0, count: IPv6Header.encodedLength + header.payloadLength)
    let written = encoded.withUnsafeMutableBytes { header.encode(into: $0) }
    precondition(written == IPv6Header.encodedLength, "IPv6 encoded \(written) bytes")
    precondition(encoded[0..<IPv6Header.encodedLength] == Array(bytes[0..<IPv6Header.encodedLength])[...],
                 "IPv6 re-encoding differs from the input")
    encoded.withUnsafeBytes { raw in
        guard let again = try? IPv6Header(parsing: raw) else { preconditionFailure("re-encoded IPv6 header does not parse") }
        precondition(again == header, "IPv6 round trip changed the header")
    }
}

func fuzzUDP(_ bytes: UnsafeRawBufferPointer) {
    let header: UDPHeader
    do throws(WireError) { header = try UDPHeader(parsing: bytes) } catch { return checkError(error, bytes) }
    precondition(header.length >= 8 && Int(header.length) <= bytes.count, "UDP length overruns the datagram")
    var encoded = [UInt8](repeating: 0, count: Int(header.length))
    let written = encoded.withUnsafeMutableBytes { header.encode(into: $0) }
    precondition(written == UDPHeader.encodedLength)
    precondition(encoded[0..<8] == Array(bytes[0..<8])[...], "UDP re-encoding differs from the input")
    encoded.withUnsafeBytes { raw in
        guard let again = try? UDPHeader(parsing: raw) else { preconditionFailure("re-encoded UDP header does not parse") }
        precondition(again == header, "UDP round trip changed the header")
    }
}
