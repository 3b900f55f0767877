// libFuzzer target: the compact (OpenHarmony) header decoder and the variable-length address.
//
// A module of its own importing NewIPWire (see Fuzz/run.sh): it uses only the public API.
//
// Checks, for every input:
// - `CompactHeaderView(bytes)` either throws a `CompactHeaderError` or yields a view whose
//   accessors all stay inside the buffer (AddressSanitizer and the range checks below);
// - an accepted header round-trips: `CompactHeader(view).bytes(extensions:)` (the input's
//   extension bytes) followed by one payload byte parses again to an equal `CompactHeader`
//   with the same extension bytes, and re-encoding that gives the same bytes;
// - `CompactHeader(parsing:)` agrees with the view;
// - `CompactAddress.decode(from:at:)` at every offset (and one past the end) either throws or
//   returns an address whose bytes are the buffer's, which survives `CompactAddress(encoded:)`,
//   its text form (offset 0 only, for speed) and, for numeric forms other than `FE`, `CompactAddress(value:)`.

import NewIPWire

nonisolated(unsafe) var compactFuzzSink: UInt64 = 0

@inline(never)
func compactFuzzTouch(_ value: UInt64) { compactFuzzSink &+= value }

@_cdecl("LLVMFuzzerTestOneInput")
public func compactHeaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    fuzzCompactView(bytes)
    fuzzCompactAddresses(bytes)
    return 0
}

func fuzzCompactView(_ bytes: UnsafeRawBufferPointer) {
    let view: CompactHeaderView
    do throws(CompactHeaderError) {
        view = try CompactHeaderView(bytes)
    } catch {
        // Every error must carry an offset inside (or just past) the buffer and describe itself.
        precondition(error.offset >= 0, "negative error offset \(error.offset)")
        compactFuzzTouch(UInt64(error.code.rawValue) &+ (error.isTruncation ? 1 : 0))
        if case .malformed(_, let at, _) = error.wireError { precondition(at == error.offset) }
        return
    }

    // Every accessor, and every byte the ranges promise.
    let count = bytes.count
    precondition(view.bitmapCount >= 1 && view.bitmapCount <= CompactBitmap.maxBytes)
    compactFuzzTouch(UInt64(view.ttl))
    compactFuzzTouch(UInt64(view.totalLength ?? 0))
    compactFuzzTouch(UInt64(view.nextHeader.rawValue))
    compactFuzzTouch(view.destination.storage)
    compactFuzzTouch(view.source?.storage ?? 0)
    let headerLength = view.headerLength
    precondition(headerLength >= view.parsedLength, "header length below parsed length")
    precondition(view.parsedLength < count, "parsed length \(view.parsedLength) leaves no payload in \(count) bytes")
    let extensionRange = view.extensionRange
    let payloadRange = view.payloadRange
    precondition(extensionRange.lowerBound >= 0 && extensionRange.upperBound <= count, "extension range \(extensionRange) outside \(count)")
    precondition(payloadRange.lowerBound == extensionRange.upperBound && payloadRange.upperBound == count,
                 "payload range \(payloadRange) does not follow extension range \(extensionRange)")
    for i in extensionRange { compactFuzzTouch(UInt64(bytes[i])) }
    for i in payloadRange { compactFuzzTouch(UInt64(bytes[i])) }
    compactFuzzTouch(view.isComplete ? 1 : 0)
    precondition(view.destinationOffset >= view.ttlOffset + 2 && view.destinationOffset < count)
    // The destination sits at destinationOffset, byte for byte.
    for i in 0..<view.destination.encodedLength {
        precondition(bytes[view.destinationOffset + i] == view.destination[byte: i], "destination bytes differ")
    }

    // Value form, and the same through the throwing initialiser.
    let header = CompactHeader(view)
    let parsed: CompactHeader
    do throws(CompactHeaderError) {
        parsed = try CompactHeader(parsing: bytes)
    } catch {
        preconditionFailure("CompactHeader(parsing:) refused what CompactHeaderView accepted: \(error)")
    }
    precondition(parsed == header, "CompactHeader(parsing:) differs from CompactHeader(view)")

    // Round trip: encode (extension area filled with the input's bytes), add one payload
    // byte, parse again.
    precondition(header.extensionLength == extensionRange.count)
    let extensions = Array(bytes[extensionRange])
    let encoded = header.bytes(extensions: extensions)
    precondition(encoded.count == header.encodedLength, "encoded \(encoded.count) bytes, encodedLength \(header.encodedLength)")
    precondition(Array(encoded[header.extensionOffset...]) == extensions, "extension area not at extensionOffset")
    let again = encoded + [0x00]
    again.withUnsafeBytes { raw in
        let reparsed: CompactHeader
        do throws(CompactHeaderError) {
            let view2 = try CompactHeaderView(raw)
            precondition(view2.headerLength == encoded.count,
                         "re-parsed header length \(view2.headerLength), encoded \(encoded.count)")
            precondition(Array(raw[view2.extensionRange]) == extensions, "extension bytes changed in the round trip")
            precondition(view2.payloadRange == encoded.count..<again.count)
            reparsed = CompactHeader(view2)
        } catch {
            preconditionFailure("re-encoded header does not parse: \(error); input \(hex(bytes)) encoded \(hex(encoded))")
        }
        precondition(reparsed == header, "round trip changed the header: input \(hex(bytes)) encoded \(hex(encoded))")
        precondition(reparsed.bytes(extensions: extensions) == encoded, "second encoding differs from the first")
    }
}

func fuzzCompactAddresses(_ bytes: UnsafeRawBufferPointer) {
    var offset = 0
    while offset <= bytes.count {
        defer { offset += 1 }
        let address: CompactAddress
        do throws(WireError) {
            address = try CompactAddress.decode(from: bytes, at: offset)
        } catch {
            precondition(error.offset == offset, "address error at \(error.offset), decoded at \(offset)")
            continue
        }
        let length = address.encodedLength
        precondition(length >= 1 && length <= 8 && offset + length <= bytes.count, "address overruns the buffer")
        precondition(CompactAddress.encodedLength(forFirstByte: bytes[offset]) == length)
        let encoded = address.bytes
        for i in 0..<length { precondition(encoded[i] == bytes[offset + i], "address bytes differ from the buffer") }
        guard let fromEncoded = try? CompactAddress(encoded: encoded), fromEncoded == address else {
            preconditionFailure("CompactAddress(encoded:) does not round-trip \(hex(encoded))")
        }
        // The text form (strings are slow: only for the address at the start).
        if offset == 0 {
            precondition(CompactAddress(address.description) == address, "text form does not round-trip: \(address)")
        }
        if let value = address.value {
            precondition(!address.isReserved)
            // FE carries 7 free bytes and may hold a small value; every other form is the only
            // encoding of its value.
            if address.firstByte != 0xFE {
                precondition(CompactAddress(value: value) == address, "value \(value) re-encodes differently from \(address)")
            }
        } else {
            precondition(address.isReserved, "only reserved addresses have no value")
        }
    }
}

private func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0x0F)])
    }
    return out
}

private func hex(_ bytes: UnsafeRawBufferPointer) -> String { hex(Array(bytes)) }
