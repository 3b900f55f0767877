import XCTest
@testable import NewIPWire

final class CompactHeaderTests: XCTestCase {
    func testReferenceParseVectors() throws {
        let cases = try SharedVectors.jsonLines("openharmony/header-parse.jsonl")
        XCTAssertEqual(cases.count, 10350)
        var pastEnd = 0
        for (line, object) in cases {
            let input = hexBytes(object["in"] as! String)
            let result: Result<CompactHeaderView, CompactHeaderError> = input.withUnsafeBytes { raw in
                do throws(CompactHeaderError) { return .success(try CompactHeaderView(raw)) } catch { return .failure(error) }
            }
            if object["reference_reads_past_end"] as? Bool == true {
                pastEnd += 1
                if case .success = result { XCTFail("line \(line): accepted an input the reference over-reads") }
                continue
            }
            let expectedOK = object["ok"] as! Bool
            switch result {
            case .failure(let error):
                XCTAssertFalse(expectedOK, "line \(line): refused \(object["in"]!): \(error)")
                XCTAssertEqual(error.code.rawValue, object["error"] as? Int, "line \(line): \(object["in"]!)")
            case .success(let view):
                XCTAssertTrue(expectedOK, "line \(line): accepted, reference says error \(object["error"] ?? "?")")
                XCTAssertEqual(view.headerLength, object["header_length"] as? Int, "line \(line)")
                XCTAssertEqual(Int(view.ttl), object["ttl"] as? Int, "line \(line)")
                XCTAssertEqual(Int(view.nextHeader.rawValue), object["nexthdr"] as? Int, "line \(line)")
                XCTAssertEqual(view.destination.hex, object["daddr"] as? String, "line \(line)")
                XCTAssertEqual(view.source?.hex, object["saddr"] as? String, "line \(line)")
                XCTAssertEqual(view.totalLength.map(Int.init), object["total_len"] as? Int, "line \(line)")
                XCTAssertEqual(view.headerLengthField.map(Int.init), object["hdr_len"] as? Int, "line \(line)")
            }
        }
        XCTAssertEqual(pastEnd, 141)
    }

    func testReferenceEncapVectors() throws {
        let cases = try SharedVectors.jsonLines("openharmony/header-encap.jsonl")
        XCTAssertEqual(cases.count, 3000)
        for (line, object) in cases {
            let kind = object["kind"] as! String
            let header = CompactHeader(
                ttl: UInt8(object["ttl"] as! Int),
                totalLength: kind == "common" ? UInt16(object["total_len"] as! Int) : nil,
                nextHeader: NextHeader(rawValue: UInt8(object["nexthdr"] as! Int)),
                destination: try CompactAddress(encoded: hexBytes(object["daddr"] as! String)),
                source: try CompactAddress(encoded: hexBytes(object["saddr"] as! String)))
            XCTAssertEqual(hexString(header.bytes()), object["header"] as? String, "line \(line)")
            XCTAssertEqual(header.encodedLength, (object["header"] as! String).count / 2, "line \(line)")
        }
    }

    func testReferenceChecksumVectors() throws {
        let cases = try SharedVectors.jsonLines("openharmony/checksum.jsonl")
        XCTAssertEqual(cases.count, 500)
        for (line, object) in cases {
            let source = try CompactAddress(encoded: hexBytes(object["saddr"] as! String))
            let destination = try CompactAddress(encoded: hexBytes(object["daddr"] as! String))
            let nextHeader = NextHeader(rawValue: UInt8(object["nexthdr"] as! Int))
            let data = hexBytes(object["data"] as! String)
            let sum = data.withUnsafeBytes {
                CompactChecksum.compute(source: source, destination: destination, nextHeader: nextHeader, data: $0)
            }
            XCTAssertEqual(Int(sum), object["checksum"] as? Int, "line \(line)")
        }
    }

    func testChecksumVerifiesAfterInsertion() {
        // A UDP datagram whose checksum field (bytes 6-7) is filled in verifies; one flipped bit does not.
        var datagram: [UInt8] = [0x12, 0x34, 0x00, 0x35, 0x00, 0x0D, 0x00, 0x00, 0x68, 0x65, 0x6C, 0x6C, 0x6F]
        let source = CompactAddress(value: 7)!, destination = CompactAddress(value: 300)!
        let sum = datagram.withUnsafeBytes { CompactChecksum.compute(source: source, destination: destination, nextHeader: .udp, data: $0) }
        datagram[6] = UInt8(sum >> 8)
        datagram[7] = UInt8(sum & 0xFF)
        XCTAssertTrue(datagram.withUnsafeBytes { CompactChecksum.verify(source: source, destination: destination, nextHeader: .udp, data: $0) })
        datagram[9] ^= 0x01
        XCTAssertFalse(datagram.withUnsafeBytes { CompactChecksum.verify(source: source, destination: destination, nextHeader: .udp, data: $0) })
    }

    func testHandBuiltHeaderFields() throws {
        // 0x57 0x00: TTL, next header, destination, source, and a padding bitmap (2+3 bytes of addresses... even sum).
        let header = CompactHeader(ttl: 64, nextHeader: .udp, destination: CompactAddress(value: 300)!, source: CompactAddress(value: 5)!)
        XCTAssertEqual(header.bytes(), [0x56, 64, 17, 0xDE, 0x2C, 0x05])
        let common = CompactHeader(ttl: 1, totalLength: 0x0102, nextHeader: .tcp, destination: .any, source: .loopback)
        XCTAssertEqual(common.bytes(), [0x77, 0x00, 1, 0x01, 0x02, 6, 0xFF, 0x09, 0xFF, 0x00])
    }

    func testExtensionsRideBehindTheHeaderLength() throws {
        let header = CompactHeader(ttl: 9, nextHeader: .udp, destination: CompactAddress(value: 1)!, source: CompactAddress(value: 2)!,
                                   extensionLength: 4)
        let bytes = header.bytes(extensions: [0x01, 0x02, 0xAA, 0xBB])
        XCTAssertEqual(bytes, [0x57, 0xC0, 9, 17, 1, 2, 11, 0x01, 0x02, 0xAA, 0xBB])
        let packet = bytes + [0xEE]
        let view = try packet.withUnsafeBytes { try CompactHeaderView($0) }
        XCTAssertEqual(view.parsedLength, 7)
        XCTAssertEqual(view.headerLength, 11, "a reference decoder skips the extension bytes")
        let parsed = try packet.withUnsafeBytes { try CompactHeader(parsing: $0) }
        XCTAssertEqual(parsed, header)
        XCTAssertEqual(Array(packet[view.extensionRange]), [0x01, 0x02, 0xAA, 0xBB])
        // Without the header-length bit the unknown extension bit must be refused (reference code 11).
        var broken = packet
        broken[1] = CompactBitmap.extensions
        XCTAssertThrowsError(try broken.withUnsafeBytes { try CompactHeaderView($0) }) { error in
            XCTAssertEqual((error as? CompactHeaderError)?.code, .unknownBitsWithoutHeaderLength)
        }
    }

    /// Random valid headers: building then parsing gives the same value back, and every cut-off
    /// length is refused as a truncation.
    func testBuildParseRoundTripAndCutOffs() throws {
        var random = SplitMix64(seed: 0x4E49_5001)
        for _ in 0..<3000 {
            let header = CompactHeader(
                ttl: .random(in: 0...255, using: &random),
                totalLength: Bool.random(using: &random) ? .random(in: 0...UInt16.max, using: &random) : nil,
                nextHeader: NextHeader(rawValue: .random(in: 0...255, using: &random)),
                destination: randomAddress(&random),
                source: Bool.random(using: &random) ? randomAddress(&random) : nil,
                includesHeaderLength: Int.random(in: 0..<4, using: &random) == 0,
                extensionLength: Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 1...12, using: &random) : 0)
            let extensions = (0..<header.extensionLength).map { _ in UInt8.random(in: 0...255, using: &random) }
            let packet = header.bytes(extensions: extensions) + [0x99]
            let parsed = try packet.withUnsafeBytes { try CompactHeader(parsing: $0) }
            XCTAssertEqual(parsed, header, "\(hexString(packet))")
            let view = try packet.withUnsafeBytes { try CompactHeaderView($0) }
            XCTAssertEqual(Array(packet[view.extensionRange]), extensions)
            for cut in 0..<packet.count - 1 {
                // Refused as a truncation, or (as the reference does when no total length bounds the
                // header-length field) accepted with the header reported incomplete.
                let prefix = Array(packet[..<cut])
                do {
                    let view = try prefix.withUnsafeBytes { try CompactHeaderView($0) }
                    XCTAssertFalse(view.isComplete, "cut \(cut) of \(hexString(packet)) looks complete")
                    XCTAssertNil(header.totalLength)
                } catch let error as CompactHeaderError {
                    XCTAssertTrue(error.isTruncation, "cut \(cut) of \(hexString(packet)): \(error)")
                }
            }
        }
    }

    func testErrorsNameTheOffset() {
        // Destination F4… is in the invalid range: reference code 6, at byte 3.
        let bytes: [UInt8] = [0x56, 64, 17, 0xF4, 0x00, 0x00]
        XCTAssertThrowsError(try bytes.withUnsafeBytes { try CompactHeaderView($0) }) { error in
            let error = error as! CompactHeaderError
            XCTAssertEqual(error.code, .destinationUndecodable)
            XCTAssertEqual(error.offset, 3)
            XCTAssertFalse(error.isTruncation)
            XCTAssertEqual(error.wireError.offset, 3)
        }
    }
}

func randomAddress(_ random: inout SplitMix64) -> CompactAddress {
    switch Int.random(in: 0..<7, using: &random) {
    case 0: return CompactAddress(value: .random(in: 0...220, using: &random))!
    case 1: return CompactAddress(value: .random(in: 221...5119, using: &random))!
    case 2: return CompactAddress(value: .random(in: 5120...0xFFFF, using: &random))!
    case 3: return CompactAddress(value: .random(in: 0x1_0000...0xFFFF_FFFF, using: &random))!
    case 4: return CompactAddress(value: .random(in: 0x1_0000_0000...0xFFFF_FFFF_FFFF, using: &random))!
    case 5: return CompactAddress(value: .random(in: 0x1_0000_0000_0000...0xFF_FFFF_FFFF_FFFF, using: &random))!
    default: return .reserved(.random(in: 0...9, using: &random))
    }
}
