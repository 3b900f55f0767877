import NewIPRandom
import XCTest
@testable import NewIPWire

/// Golden bytes are built by hand from OpenHarmony's layouts, not from this codec:
/// - compact "common" header: `nip_hdr_comm_encap` (net/newip/nip_hdr_encap.c) with the bitmap
///   constants of `nip_hdr.h` (NIP_NORMAL_BITMAP_1 0x76, NIP_NORMAL_BITMAP_1_INC_2 0x77 with an
///   empty second bitmap 0x00 when the two addresses have an even length), TTL 64
///   (NIP_ARP_DEFAULT_TTL), next header 0xB1 (IPPROTO_NIP_ICMP), total length;
/// - `struct nip_icmp_hdr` (uapi linux/nip_icmp.h): type, code, 16-bit checksum;
/// - `struct nnd_msg` (net/nndisc.h) data: NS = the target address (build_nip_addr),
///   NA = length byte + link-layer address (build_na_hdr in nndisc.c);
/// - the NS destination `nip_broadcast_addr_arp` FF04 (nip_addr.c);
/// - the checksum of nip_checksum.c (16-bit big-endian words of the message, plus those of a
///   separately summed pseudo header saddr ‖ daddr ‖ htons(len) ‖ nexthdr; folded,
///   complemented, stored with htons), worked out on paper for each vector below.
final class NeighbourDiscoveryTests: XCTestCase {
    // NS from 0x05 for 0x06. Pseudo words 05FF 0400 05B1, message words 0100 0000 0600:
    // sum 0x16B0, checksum 0xE94F. Addresses 3 bytes (odd): one bitmap byte 0x76.
    let solicitation = hexBytes("7640000DB1FF0405" + "0100E94F06")
    // NS from 0xDE00 for 0xDE01: addresses 4 bytes (even): bitmaps 77 00. Checksum 0x92F1.
    let evenSolicitation = hexBytes("77004000" + "10B1FF04DE00" + "010092F1DE01")
    // NA from 0x06 to 0x05, MAC 02:00:00:00:00:01. Checksum 0x3FED.
    let advertisement = hexBytes("7700400013B10506" + "02003FED06020000000001")

    func testSolicitationBuildsTheReferenceBytes() {
        let packet = NeighbourDiscoveryPacket.solicitation(for: CompactAddress(value: 6)!, from: CompactAddress(value: 5)!)
        XCTAssertEqual(hexString(packet.bytes), hexString(solicitation))
        let even = NeighbourDiscoveryPacket.solicitation(for: CompactAddress("0xDE01")!, from: CompactAddress("0xDE00")!)
        XCTAssertEqual(hexString(even.bytes), hexString(evenSolicitation))
    }

    func testAdvertisementBuildsTheReferenceBytes() {
        let packet = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: [2, 0, 0, 0, 0, 1],
                                                            from: CompactAddress(value: 6)!, to: CompactAddress(value: 5)!)
        XCTAssertEqual(hexString(packet.bytes), hexString(advertisement))
    }

    func testParsesEveryField() throws {
        let ns = try parse(solicitation)
        XCTAssertEqual(ns.header.ttl, 64)
        XCTAssertEqual(ns.header.totalLength, 13)
        XCTAssertEqual(ns.header.nextHeader, .control)
        XCTAssertEqual(ns.header.destination, .addressResolution)
        XCTAssertEqual(ns.header.source, CompactAddress(value: 5))
        XCTAssertEqual(ns.message, .solicitation(NeighbourSolicitation(target: CompactAddress(value: 6)!, checksum: 0xE94F)))

        let na = try parse(advertisement)
        XCTAssertEqual(na.header.destination, CompactAddress(value: 5))
        XCTAssertEqual(na.header.source, CompactAddress(value: 6))
        XCTAssertEqual(na.header.totalLength, 19)
        XCTAssertEqual(na.message, .advertisement(NeighbourAdvertisement(linkLayerAddress: [2, 0, 0, 0, 0, 1], checksum: 0x3FED)))
    }

    func testEmptyLinkLayerAddress() throws {
        // A device without link-layer addresses (addr_len 0): 02 00 | checksum | 00. Checksum
        // over words 0200 0000 0000 with pseudo 0605 0005 B100: 0x46F5.
        let packet = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: [], from: CompactAddress(value: 6)!, to: CompactAddress(value: 5)!)
        XCTAssertEqual(hexString(packet.bytes), "770040000db10506" + "020046f500")
        XCTAssertEqual(try parse(packet.bytes), packet)
    }

    func testEveryTruncationOfASolicitationMessage() {
        let message = hexBytes("010092F1DE01")
        let expected: [WireError] = [.truncated(at: 0, needed: 4), .truncated(at: 0, needed: 4), .truncated(at: 0, needed: 4),
                                     .truncated(at: 0, needed: 4), .truncated(at: 4, needed: 1), .truncated(at: 4, needed: 2)]
        for cut in 0..<message.count {
            XCTAssertEqual(messageError(Array(message[..<cut]), NeighbourSolicitation.init(parsing:)), expected[cut], "cut at \(cut)")
        }
    }

    func testEveryTruncationOfAnAdvertisementMessage() {
        let message = hexBytes("02003FED06020000000001")
        for cut in 0..<message.count {
            let expected: WireError = switch cut {
            case 0..<4: .truncated(at: 0, needed: 4)
            case 4: .truncated(at: 4, needed: 1)
            default: .truncated(at: 5, needed: 6)
            }
            XCTAssertEqual(messageError(Array(message[..<cut]), NeighbourAdvertisement.init(parsing:)), expected, "cut at \(cut)")
        }
    }

    func testEveryTruncationOfAWholePacket() {
        // Cut inside the header: truncated at the cut, needing what the compact header decoder
        // judges the header to need plus one payload byte. It reads missing bytes as zero (as
        // the reference does): up to byte 5 the zeros decode as one-byte addresses and the
        // header looks 7 bytes long; from byte 6 it is the real 8. Cut inside the message: the
        // total length (13) no longer fits.
        for cut in 0..<solicitation.count {
            let error = packetError(Array(solicitation[..<cut]))
            if cut <= 8 {
                let headerEnd = cut == 0 ? 0 : cut <= 5 ? 7 : 8
                XCTAssertEqual(error, .truncated(at: cut, needed: headerEnd + 1 - cut), "cut at \(cut)")
            } else {
                XCTAssertEqual(error, .malformed(field: "total length", at: 2,
                                                 reason: "13 does not fit the 8-byte header and \(cut)-byte packet"), "cut at \(cut)")
            }
        }
    }

    func testBadChecksumNamesCarriedAndNeededValues() {
        var damaged = solicitation
        damaged[11] ^= 0x01
        XCTAssertEqual(packetError(damaged), .malformed(field: "control message checksum", at: 10,
            reason: "carries 0xE94E, the 5 message bytes under source 0x05 and destination 0xFF04 need 0xE94F"))
        // The same message under another source does not verify: the pseudo header counts.
        var otherSource = solicitation
        otherSource[7] = 0x07
        XCTAssertEqual(packetError(otherSource), .malformed(field: "control message checksum", at: 10,
            reason: "carries 0xE94F, the 5 message bytes under source 0x07 and destination 0xFF04 need 0xE74F"))
        var damagedAdvertisement = advertisement
        damagedAdvertisement[18] = 0x02
        guard case .malformed("control message checksum", 10, _) = packetError(damagedAdvertisement) else {
            return XCTFail("a changed MAC byte passed the checksum")
        }
    }

    func testRefusals() {
        var wrongType = solicitation
        wrongType[8] = 0x80
        XCTAssertEqual(packetError(wrongType), .malformed(field: "control message type", at: 8,
                                                          reason: "128 is not neighbour discovery (1 solicitation, 2 advertisement)"))
        var udp = solicitation
        udp[4] = 17
        XCTAssertEqual(packetError(udp), .malformed(field: "next header", at: 4, reason: "17 is not a control message (0xB1)"))
        XCTAssertEqual(messageError(hexBytes("0200000021") + [UInt8](repeating: 0, count: 33), NeighbourAdvertisement.init(parsing:)),
                       .malformed(field: "link-layer address length", at: 4, reason: "33 exceeds the 32 bytes a receiver holds (MAX_ADDR_LEN)"))
        XCTAssertEqual(messageError(hexBytes("01000000F5"), NeighbourSolicitation.init(parsing:)),
                       .malformed(field: "target address", at: 4, reason: "first byte F5 is in the invalid range F4–FD"))
        XCTAssertEqual(messageError(hexBytes("02000000"), NeighbourSolicitation.init(parsing:)),
                       .malformed(field: "control message type", at: 0, reason: "2 is not a neighbour solicitation (1)"))
    }

    func testBytesAfterTheMessageAreNotPartOfIt() throws {
        // The reference sums and reads only the message; a longer total length leaves the rest.
        var longer = solicitation + [0xAA]
        longer[3] = 14
        let packet = try parse(longer)
        XCTAssertEqual(packet.message, .solicitation(NeighbourSolicitation(target: CompactAddress(value: 6)!, checksum: 0xE94F)))
        XCTAssertEqual(packet.trailer, [0xAA])
        XCTAssertEqual(packet.bytes, longer)
    }

    func testSeededRoundTrips() throws {
        var random = SplitMix64(seed: 12)
        for _ in 0..<2_000 {
            let source = randomAddress(&random), other = randomAddress(&random)
            let extensions: [UInt8] = random.chance(30) ? [0] + (0..<random.below(6)).map { _ in 0 } : []
            let packet = random.chance(50)
                ? NeighbourDiscoveryPacket.solicitation(for: other, from: source, extensions: extensions)
                : NeighbourDiscoveryPacket.advertisement(linkLayerAddress: (0..<random.below(33)).map { _ in UInt8(random.below(256)) },
                                                         from: source, to: other, extensions: extensions)
            let bytes = packet.bytes
            XCTAssertEqual(bytes.count, packet.encodedLength)
            XCTAssertEqual(Int(packet.header.totalLength!), bytes.count)
            let parsed = try parse(bytes)
            XCTAssertEqual(parsed, packet)
            XCTAssertEqual(parsed.bytes, bytes)
        }
    }

    func testHelloItemBytesAndAddressesFormedFromItsPrefix() throws {
        // type 5 | length 6 | hold 3000 ms = 00000BB8 | 8 bits | DE
        let item = NeighbourHelloItem(holdMilliseconds: 3000, prefix: CompactAddressPrefix("0xDE/8"))
        XCTAssertEqual(hexString(item.extensionItem), "0506" + "00000bb8" + "08" + "de")
        XCTAssertEqual(try NeighbourHelloItem.find(in: item.extensionItem), item)
        XCTAssertEqual(hexString(NeighbourHelloItem(holdMilliseconds: 1).extensionItem), "0505" + "00000001" + "00")
        XCTAssertThrowsError(try NeighbourHelloItem.find(in: [5, 6, 0, 0, 0, 1, 16, 0xDE])) { error in
            XCTAssertEqual(error as? WireError, .malformed(field: "hello prefix", at: 6, reason: "16 bits need 2 byte(s), the item holds 1"))
        }
        // A hello carried in an advertisement survives the packet's round trip.
        let packet = NeighbourDiscoveryPacket.advertisement(linkLayerAddress: [1], from: CompactAddress("0xDE01")!, to: .addressResolution,
                                                            extensions: item.extensionItem)
        XCTAssertEqual(try NeighbourHelloItem.find(in: try parse(packet.bytes).extensions), item)
        // 0xDE/8 holds the two-byte addresses DE00–DEFF: suffix 7 is DE07; 256 does not fit.
        let prefix = try XCTUnwrap(CompactAddressPrefix("0xDE/8"))
        XCTAssertEqual(prefix.address(suffix: 7), CompactAddress("0xDE07"))
        XCTAssertNil(prefix.address(suffix: 256))
        // 0xF2/8 holds five-byte addresses, 32 free bits; F2 0000 xxxx is overlong, so refused.
        XCTAssertEqual(CompactAddressPrefix("0xF201/16")!.address(suffix: 0x0203), CompactAddress("0xF201000203"))
        XCTAssertNil(CompactAddressPrefix("0xF2/8")!.address(suffix: 5))
    }

    private func randomAddress(_ random: inout SplitMix64) -> CompactAddress {
        let bits = [8, 12, 16, 32, 48][random.below(5)]
        return CompactAddress(value: random.next() >> (64 - bits))!
    }

    private func parse(_ bytes: [UInt8]) throws -> NeighbourDiscoveryPacket {
        try bytes.withUnsafeBytes { raw throws(WireError) in try NeighbourDiscoveryPacket(parsing: raw) }
    }

    private func packetError(_ bytes: [UInt8]) -> WireError? {
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { _ = try NeighbourDiscoveryPacket(parsing: raw); return nil } catch { return error }
        }
    }

    private func messageError<M>(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws(WireError) -> M) -> WireError? {
        bytes.withUnsafeBytes { raw in
            do throws(WireError) { _ = try parse(raw); return nil } catch { return error }
        }
    }
}
