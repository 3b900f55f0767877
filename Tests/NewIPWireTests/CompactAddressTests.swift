import XCTest
@testable import NewIPWire

final class CompactAddressTests: XCTestCase {
    func testReferenceAddressDecodeVectors() throws {
        let cases = try SharedVectors.jsonLines("openharmony/address-decode.jsonl")
        XCTAssertEqual(cases.count, 2000)
        for (line, object) in cases {
            let input = hexBytes(object["in"] as! String)
            let expectedOK = object["ok"] as! Bool
            let result: Result<CompactAddress, WireError> = input.withUnsafeBytes { raw in
                do throws(WireError) { return .success(try CompactAddress.decode(from: raw, at: 0)) } catch { return .failure(error) }
            }
            switch result {
            case .success(let address):
                XCTAssertTrue(expectedOK, "line \(line): accepted \(address) but the reference refuses it")
                XCTAssertEqual(address.encodedLength, object["length"] as? Int, "line \(line)")
                XCTAssertEqual(address.hex, object["address"] as? String, "line \(line)")
            case .failure(let error):
                XCTAssertFalse(expectedOK, "line \(line): refused \(object["in"]!): \(error)")
            }
        }
    }

    func testNumericValuesUseTheOneValidEncoding() throws {
        let table: [(UInt64, String)] = [
            (0, "0x00"), (220, "0xDC"), (221, "0xDDDD"), (255, "0xDDFF"), (256, "0xDE00"),
            (5119, "0xF0FF"), (5120, "0xF11400"), (65535, "0xF1FFFF"), (65536, "0xF200010000"),
            (0xFFFF_FFFF, "0xF2FFFFFFFF"), (0x1_0000_0000, "0xF3000100000000"),
            (0xFFFF_FFFF_FFFF, "0xF3FFFFFFFFFFFF"), (0x1_0000_0000_0000, "0xFE01000000000000"),
        ]
        for (value, text) in table {
            let address = try XCTUnwrap(CompactAddress(value: value), "value \(value)")
            XCTAssertEqual(address.description, text, "value \(value)")
            XCTAssertEqual(address.value, value)
            XCTAssertEqual(CompactAddress(text), address)
            XCTAssertNoThrow(try CompactAddress(encoded: address.bytes))
        }
        XCTAssertNil(CompactAddress(value: 1 << 56))
    }

    func testTextForms() throws {
        XCTAssertEqual(CompactAddress("0xDE00")?.encodedLength, 2)
        XCTAssertEqual(CompactAddress("de00"), CompactAddress("0xDE00"))
        XCTAssertEqual(CompactAddress("256"), CompactAddress("0xDE00"))
        XCTAssertEqual(CompactAddress("0xFF09"), .any)
        XCTAssertNil(CompactAddress("0xDD00"), "overlong two-byte form")
        XCTAssertNil(CompactAddress("0xF4000000"), "invalid first byte")
        XCTAssertNil(CompactAddress("0xDE0000"), "trailing byte")
        XCTAssertNil(CompactAddress("0xZZ"))
        XCTAssertNil(CompactAddress(""))
        XCTAssertTrue(CompactAddress.loopback.isReserved)
        XCTAssertNil(CompactAddress.loopback.value)
    }

    func testOrderingFollowsEncodedBytes() throws {
        let a = try XCTUnwrap(CompactAddress("0x05")), b = try XCTUnwrap(CompactAddress("0xDE00"))
        let c = try XCTUnwrap(CompactAddress("0xDE01")), d = try XCTUnwrap(CompactAddress("0xFF00"))
        XCTAssertEqual([d, c, a, b].sorted(), [a, b, c, d])
    }

    func testDecodeErrorsSayWhatAndWhere() {
        func decode(_ bytes: [UInt8], at offset: Int) throws -> CompactAddress {
            try bytes.withUnsafeBytes { raw throws(WireError) in try CompactAddress.decode(from: raw, at: offset) }
        }
        XCTAssertThrowsError(try decode([0xAA, 0xF2, 0x00], at: 1)) { error in
            XCTAssertEqual(error as? WireError, .truncated(at: 1, needed: 5))
        }
        XCTAssertThrowsError(try decode([0xAA, 0xF2, 0x00], at: 3)) { error in
            XCTAssertEqual(error as? WireError, .truncated(at: 3, needed: 1))
        }
        XCTAssertThrowsError(try decode([0xF9, 0x00], at: 0)) { error in
            guard case .malformed(let field, let at, _) = error as? WireError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "address")
            XCTAssertEqual(at, 0)
        }
    }
}

final class CompactAddressPrefixTests: XCTestCase {
    func testContainment() throws {
        let twoByteDE = try XCTUnwrap(CompactAddressPrefix("0xDE/8"))
        XCTAssertTrue(twoByteDE.contains(CompactAddress("0xDE00")!))
        XCTAssertTrue(twoByteDE.contains(CompactAddress("0xDEFF")!))
        XCTAssertFalse(twoByteDE.contains(CompactAddress("0xDF00")!))
        XCTAssertFalse(twoByteDE.contains(CompactAddress("0x05")!))
        let fiveByte = try XCTUnwrap(CompactAddressPrefix("0xF20001/24"))
        XCTAssertTrue(fiveByte.contains(CompactAddress(value: 0x0001_0203)!))
        XCTAssertFalse(fiveByte.contains(CompactAddress(value: 0x0002_0203)!))
        XCTAssertTrue(CompactAddressPrefix.all.contains(fiveByte))
        XCTAssertTrue(CompactAddressPrefix("0xF2/8")!.contains(fiveByte))
        XCTAssertFalse(fiveByte.contains(CompactAddressPrefix("0xF2/8")!))
        let exact = CompactAddressPrefix(exactly: CompactAddress("0x05")!)
        XCTAssertTrue(exact.contains(CompactAddress("0x05")!))
        XCTAssertFalse(exact.contains(CompactAddress("0x06")!))
        // An 8-bit prefix does not hold a longer address that merely starts with the same byte.
        XCTAssertFalse(CompactAddressPrefix("0xF2FF/16")!.contains(CompactAddress("0x05")!))
    }

    func testTextRoundTripAndRejects() {
        for text in ["0xDE/8", "0xF20001/24", "0x/0", "0xFE01020304050607/64", "0xDE80/9"] {
            XCTAssertEqual(CompactAddressPrefix(text)?.description, text)
        }
        XCTAssertEqual(CompactAddressPrefix("0xDE00")?.description, "0xDE00/16")
        XCTAssertNil(CompactAddressPrefix("0xDF/7"), "bits set past the length")
        XCTAssertNil(CompactAddressPrefix("0xDE/65"))
        XCTAssertNil(CompactAddressPrefix("0xDE00/8"), "more bytes than the length needs")
        XCTAssertNil(CompactAddressPrefix("xyz/8"))
    }
}
