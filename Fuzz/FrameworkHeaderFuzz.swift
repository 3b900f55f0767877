// libFuzzer target: the Network 2030 framework header (EtherType 0x88B6).
//
// A module of its own importing NewIPWire (see Fuzz/run.sh), using only the public API.
//
// Each input is tried twice: as a bare New IP packet (`FrameworkPacket(parsing:)`) and as an
// Ethernet frame (`FrameworkPacket(parsingFrame:)`). Checks:
// - a refusal is a `WireError` whose offset lies inside (or just past) the buffer;
// - an accepted packet's view accessors (addresses, clauses, payload) stay in the buffer;
// - `FrameworkHeader(parsing:)` and `FrameworkHeaderView(...).header` agree with the packet;
// - `checkEncodable()` accepts every decoded header;
// - decode(encode(x)) == x, and, since only the canonical layout is accepted, encode(decode(b))
//   gives back `b` byte for byte (the whole frame when parsing a frame);
// - the per-hop rewrites of `MutableFrameworkHeaderView` change exactly the field they name.

import NewIPWire

nonisolated(unsafe) var frameworkFuzzSink: UInt64 = 0

@inline(never)
func frameworkFuzzTouch(_ value: UInt64) { frameworkFuzzSink &+= value }

@_cdecl("LLVMFuzzerTestOneInput")
public func frameworkHeaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    fuzzFrameworkBare(bytes)
    fuzzFrameworkFrame(bytes)
    return 0
}

func fuzzFrameworkBare(_ bytes: UnsafeRawBufferPointer) {
    let packet: FrameworkPacket
    do throws(WireError) {
        packet = try FrameworkPacket(parsing: bytes)
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset \(error.offset) outside \(bytes.count) bytes: \(error)")
        frameworkFuzzTouch(UInt64(error.description.utf8.count))
        // The header-only entry point refuses the same input.
        precondition((try? FrameworkHeader(parsing: bytes)) == nil, "FrameworkHeader(parsing:) accepted what FrameworkPacket refused")
        return
    }
    let view: FrameworkHeaderView
    do throws(WireError) {
        view = try FrameworkHeaderView(bytes)
    } catch {
        preconditionFailure("view refused what FrameworkPacket accepted: \(error)")
    }
    checkView(view, bytes: bytes)
    precondition(view.header == packet.header, "view.header differs from the packet's header")
    precondition(Array(view.payload) == packet.payload, "payload differs")
    guard let header = try? FrameworkHeader(parsing: bytes), header == packet.header else {
        preconditionFailure("FrameworkHeader(parsing:) disagrees with FrameworkPacket(parsing:)")
    }
    checkRoundTrip(packet, original: Array(bytes))
    checkMutations(bytes, view: view)
}

func fuzzFrameworkFrame(_ bytes: UnsafeRawBufferPointer) {
    let packet: FrameworkPacket
    do throws(WireError) {
        packet = try FrameworkPacket(parsingFrame: bytes)
    } catch {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "frame error offset \(error.offset) outside \(bytes.count) bytes: \(error)")
        frameworkFuzzTouch(UInt64(error.description.utf8.count))
        return
    }
    let ethernet: EthernetFrame
    do throws(WireError) {
        ethernet = try EthernetFrame(parsing: bytes)
    } catch {
        preconditionFailure("Ethernet header refused after the frame was accepted: \(error)")
    }
    precondition(ethernet.etherType == .frameworkNewIP)
    let frame = packet.frame(destination: ethernet.destination, source: ethernet.source)
    precondition(frame == Array(bytes), "frame does not re-encode byte for byte: \(fuzzHex(bytes)) vs \(fuzzHex(frame))")
    frame.withUnsafeBytes { raw in
        let again: FrameworkPacket
        do throws(WireError) {
            again = try FrameworkPacket(parsingFrame: raw)
        } catch {
            preconditionFailure("re-encoded frame does not parse: \(error)")
        }
        precondition(again == packet, "frame round trip changed the packet")
    }
}

func checkView(_ view: FrameworkHeaderView, bytes: UnsafeRawBufferPointer) {
    let count = bytes.count
    frameworkFuzzTouch(UInt64(view.sourceType.rawValue) &+ UInt64(view.destinationType.rawValue) &+ UInt64(view.cast.rawValue))
    precondition(view.sourceRange.lowerBound == FrameworkHeaderView.Field.source)
    precondition(view.sourceRange.upperBound == view.destinationRange.lowerBound)
    precondition(view.destinationRange.upperBound == view.shippingEnd)
    precondition(view.source.encodedLength == view.sourceRange.count, "source length differs from its range")
    precondition(view.destination.encodedLength == view.destinationRange.count, "destination length differs from its range")
    let contract = view.contractRange
    precondition(contract.lowerBound == view.shippingEnd && contract.upperBound == view.payloadOffset,
                 "contract range \(contract) not between shipping end \(view.shippingEnd) and payload \(view.payloadOffset)")
    precondition(view.payloadOffset <= count && view.payloadOffset <= FrameworkHeader.maximumLength, "payload offset past the buffer")
    precondition(view.payloadRange == view.payloadOffset..<count)
    for i in view.payloadRange { frameworkFuzzTouch(UInt64(bytes[i])) }
    frameworkFuzzTouch(UInt64(view.source.description.utf8.count) &+ UInt64(view.destination.description.utf8.count))

    // Clauses tile the contract exactly; an unknown one is last (an opaque one, of a known
    // fixed length such as the source authenticator's, may stand anywhere).
    var expected = contract.lowerBound
    var clauseCount = 0
    var sawUnknown = false
    for clause in view.clauses {
        precondition(!sawUnknown, "a clause follows a clause of unknown type")
        precondition(clause.range.lowerBound == expected && clause.range.upperBound <= contract.upperBound,
                     "clause \(clause.range) does not continue at \(expected) inside \(contract)")
        expected = clause.range.upperBound
        clauseCount += 1
        switch clause.type {
        case .maxDelay: precondition(clause.maxDelay != nil)
        case .latencyBased: precondition(clause.latencyBased != nil)
        case .ping: precondition(clause.ping != nil)
        default:
            if let fixed = clause.type.fixedLength {
                precondition(clause.type.isOpaque && clause.range.count == fixed, "a fixed-length clause read at another length")
            } else {
                sawUnknown = true
            }
            precondition(clause.range.count >= 2)
            for i in 0..<clause.body.count { frameworkFuzzTouch(UInt64(clause.body[i])) }
        }
        frameworkFuzzTouch(UInt64(clause.type.rawValue))
        // The decoded value agrees with the view's readers. (Use the value: a discarded
        // `clause.value` of an unknown clause is miscompiled by Swift 6.3.1 -O into a
        // heap-use-after-free, see Fuzz/Repro/DiscardedArrayFromSlice.swift.)
        let value = clause.value
        precondition(value.type == clause.type && value.encodedLength == clause.range.count,
                     "clause value \(value) disagrees with its view at \(clause.range)")
        switch value {
        case .maxDelay(let c): precondition(c == clause.maxDelay)
        case .latencyBased(let c): precondition(c == clause.latencyBased)
        case .ping(let c): precondition(c == clause.ping)
        case .unknown(_, let body): precondition(body.elementsEqual(clause.body), "unknown clause body differs")
        }
    }
    precondition(expected == contract.upperBound, "clauses end at \(expected), contract at \(contract.upperBound)")
    precondition(view.hasContract == (clauseCount > 0))
    _ = view.firstLatencyBased
    _ = view.firstMaxDelay
    _ = view.firstPing
    var visited = 0
    view.forEachClause { _ in visited += 1; return true }
    precondition(visited == clauseCount)
}

func checkRoundTrip(_ packet: FrameworkPacket, original: [UInt8]) {
    do throws(WireError) {
        try packet.header.checkEncodable()
    } catch {
        preconditionFailure("a decoded header is not encodable: \(error)")
    }
    let encoded = packet.encoded()
    precondition(packet.header.encodedLength + packet.payload.count == encoded.count)
    precondition(encoded == original, "packet does not re-encode byte for byte: \(fuzzHex(original)) vs \(fuzzHex(encoded))")
    encoded.withUnsafeBytes { raw in
        let again: FrameworkPacket
        do throws(WireError) {
            again = try FrameworkPacket(parsing: raw)
        } catch {
            preconditionFailure("re-encoded packet does not parse: \(error)")
        }
        precondition(again == packet, "round trip changed the packet")
    }
    // The header alone, followed by nothing, is still a valid packet with an empty payload.
    let headerOnly = packet.header.encoded()
    headerOnly.withUnsafeBytes { raw in
        guard let again = try? FrameworkPacket(parsing: raw) else {
            preconditionFailure("encoded header without payload does not parse: \(fuzzHex(headerOnly))")
        }
        precondition(again.header == packet.header && again.payload.isEmpty)
    }
}

func checkMutations(_ bytes: UnsafeRawBufferPointer, view: FrameworkHeaderView) {
    guard view.firstLatencyBased != nil || view.firstPing != nil else { return }
    var copy = Array(bytes)
    copy.withUnsafeMutableBytes { raw in
        let mutable: MutableFrameworkHeaderView
        do throws(WireError) {
            mutable = try MutableFrameworkHeaderView(raw)
        } catch {
            preconditionFailure("mutable view refused what the view accepted: \(error)")
        }
        let delay: UInt16 = 0xBEEF, hops: UInt16 = 0x1234
        let setDelay = mutable.setExperiencedDelay(delay)
        let setHops = mutable.setPingHops(hops)
        precondition(setDelay == (view.firstLatencyBased != nil) && setHops == (view.firstPing != nil))
        guard let after = try? FrameworkHeaderView(UnsafeRawBufferPointer(raw)) else {
            preconditionFailure("header invalid after a per-hop rewrite")
        }
        if setDelay { precondition(after.firstLatencyBased?.experiencedDelay == delay) }
        if setHops { precondition(after.firstPing?.hops == hops) }
        precondition(after.payloadOffset == view.payloadOffset && after.contractOffset == view.contractOffset)
    }
}

func fuzzHex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return out
}

func fuzzHex(_ bytes: UnsafeRawBufferPointer) -> String { fuzzHex(Array(bytes)) }
